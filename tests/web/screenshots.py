"""python -m tests.web.screenshots: docs/screenshots/*.png, each page at desktop and phone width.

Builds a SQLite database from seeds/ with the real ingest, serves it with `incidentdb serve`
and photographs the pages in the same headless Chromium the tests drive.
"""

import argparse
import os
import tempfile
from pathlib import Path

import httpx

from app import cli
from app.settings import PROJECT_ROOT
from tests.serving import served
from tests.web.browser import Browser
from tests.web.conftest import CHROMIUM

WIDTHS = {"desktop": (1280, 900, False), "phone": (390, 844, True)}


def pages(api: httpx.Client) -> dict[str, str]:
    sources = api.get("/sources", params={"limit": 100}).json()["items"]
    richest = max(sources, key=lambda s: len(api.get(f"/sources/{s['slug']}").json()["statements"]))
    statements = api.get("/statements", params={"speaker": "Iran", "limit": 1}).json()["items"]
    return {
        "home": "/",
        "incidents": "/browse/incidents?actor=Iran",
        "incident": "/browse/incidents/tehran-embassy-attack-2023",
        "source": f"/browse/sources/{richest['slug']}",
        "actor": "/browse/actors/iran",
        "statement": f"/browse/statements/{statements[0]['id']}",
        "not-found": "/browse/incidents/no-such-incident",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.web.screenshots", description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if CHROMIUM is None:
        raise SystemExit("Chromium is not installed (apt-get install chromium)")
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="incidentdb-shots-") as tmp:
        url = f"sqlite:///{tmp}/seeds.sqlite3"
        os.environ["DATABASE_URL"] = url
        if cli.main(["db", "upgrade"]) != 0 or cli.main(["ingest"]) != 0:
            raise SystemExit("could not build the seed database")
        with served(url) as server:
            browser = Browser(CHROMIUM, Path(tmp) / "profile")
            try:
                for name, path in pages(httpx.Client(base_url=server.base)).items():
                    for width_name, (width, height, mobile) in WIDTHS.items():
                        browser.open(server.base + path, width=width, height=height, mobile=mobile)
                        target = args.out / f"{name}-{width_name}.png"
                        browser.screenshot(target)
                        print(target.relative_to(PROJECT_ROOT))
            finally:
                browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

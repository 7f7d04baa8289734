"""The README's integration examples work against a real server."""

import os
import subprocess
import sys

import httpx

from app.settings import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"
# Small pages, so that walking the seeds' matches takes several requests and the examples
# must follow next_cursor to the end (at 100 a page, one page held every match).
PAGE_SIZE = 4


def expected(server: str) -> list[str]:
    items, cursor = [], None
    while True:
        params = {
            "actor": ["Iran", "Azerbaijan"],
            "limit": 500,
            **({"cursor": cursor} if cursor else {}),
        }
        page = httpx.get(f"{server}/incidents", params=params).json()
        items += [f"{i['date_start']} {i['slug']}" for i in page["items"]]
        if not (cursor := page["next_cursor"]):
            assert len(items) > 3 * PAGE_SIZE, "enough matches for several small pages"
            return items


def test_python_example_walks_every_page(server: str) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "walk.py"), server, "Iran", "Azerbaijan"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "PAGE_SIZE": str(PAGE_SIZE)},
    )
    assert result.stdout.splitlines() == expected(server)


def test_javascript_example_walks_every_page(server: str) -> None:
    """Needs Node.js 18 or later (fetch); .ci/run installs Debian's nodejs."""
    result = subprocess.run(
        ["node", str(EXAMPLES / "walk.mjs"), server, "Iran", "Azerbaijan"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env={**os.environ, "PAGE_SIZE": str(PAGE_SIZE)},
    )
    assert result.stdout.splitlines() == expected(server)

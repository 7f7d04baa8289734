"""The README's integration examples work against a real server."""

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.settings import PROJECT_ROOT

EXAMPLES = PROJECT_ROOT / "examples"


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
            return items


def test_python_example_walks_every_page(server: str) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "walk.py"), server, "Iran", "Azerbaijan"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines() == expected(server)


@pytest.mark.skipif(shutil.which("node") is None, reason="Node.js is not installed")
def test_javascript_example_walks_every_page(server: str, tmp_path: Path) -> None:
    result = subprocess.run(
        ["node", str(EXAMPLES / "walk.mjs"), server, "Iran", "Azerbaijan"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert result.stdout.splitlines() == expected(server)

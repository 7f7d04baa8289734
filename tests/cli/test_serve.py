"""`incidentdb serve` as users run it: a real process on loopback, and /docs in a real browser."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.serving import free_port
from tests.web.browser import OFFLINE_CHROMIUM


def test_served_api_answers_the_readme_query(server: str) -> None:
    response = httpx.get(f"{server}/incidents", params={"actor": "Iran"})
    assert response.status_code == 200
    assert response.json()["total"] >= 10
    assert httpx.get(f"{server}/health").json()["status"] == "ok"


def test_serve_refuses_a_database_without_the_schema(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/empty.sqlite3"}
    result = subprocess.run(
        [sys.executable, "-m", "app", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "incidentdb db upgrade" in result.stderr


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize(
    ("page", "rendered"),
    [("/docs", 'class="opblock-summary-path"'), ("/redoc", "operation/list_incidents")],
)
def test_docs_render_in_a_browser_with_no_network(
    server: str, tmp_path: Path, page: str, rendered: str
) -> None:
    assert CHROMIUM is not None
    result = subprocess.run(
        [
            CHROMIUM,
            *OFFLINE_CHROMIUM,
            f"--user-data-dir={tmp_path / 'profile'}",
            "--virtual-time-budget=15000",
            "--dump-dom",
            f"{server}{page}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    dom = result.stdout
    assert rendered in dom, dom[-2000:]
    assert "/incidents" in dom

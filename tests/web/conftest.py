"""The pages' dataset (the seeds plus one hostile article), a served API, Chromium and axe-core.

Each runs once per backend: the pages never write, so every test can read the same database.
"""

import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import cli
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from tests.conftest import SEEDS, Databases
from tests.inprocess import AppClient
from tests.serving import served
from tests.web.browser import Browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
NPM = shutil.which("npm")
AXE_VERSION = "4.14.1"
# axe-core is fetched from the npm registry into this folder on first use (not committed).
AXE_DIR = Path(os.environ.get("INCIDENTDB_AXE_DIR", PROJECT_ROOT / ".cache" / "axe-core"))

# An article whose text is markup: the pages must show it as text, never run it.
HOSTILE_ARTICLE = """\
Iran warns <script>document.title='pwned'</script> Azerbaijan <img src=x onerror=alert(1)>

TEHRAN, March 3, 2023. Foreign Ministry spokesman Nasser Kanani spoke on Friday.

"We answer every <b>provocation</b> & threat <script>alert('quote')</script> at once," Kanani said.

Azerbaijan's foreign ministry did not reply.
"""


def _missing(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where .ci/run installs what is missing."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def _ingest(url: str, folder: Path) -> None:
    os.environ["DATABASE_URL"] = url
    try:
        assert cli.main(["ingest", str(SEEDS), str(folder)]) == 0
    finally:
        del os.environ["DATABASE_URL"]


@pytest.fixture(scope="session")
def web_url(databases: Databases, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The seeds plus the hostile article, ingested through the real CLI."""
    url = databases.fresh("empty")
    extra = tmp_path_factory.mktemp("hostile")
    (extra / "hostile.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    _ingest(url, extra)
    return url


@pytest.fixture
def pages(web_url: str) -> Iterator[AppClient]:
    with AppClient(create_app(Settings(database_url=web_url))) as client:
        yield client


@pytest.fixture(scope="session")
def live(web_url: str) -> Iterator[str]:
    """`incidentdb serve` on the pages' dataset, on loopback."""
    with served(web_url) as server:
        yield server.base


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Browser]:
    if CHROMIUM is None:
        _missing("Chromium is not installed (apt-get install chromium)")
    chromium = Browser(CHROMIUM, tmp_path_factory.mktemp("chromium") / "profile")
    try:
        yield chromium
    finally:
        chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe-core's browser bundle, installed from the npm registry on first use."""
    bundle = AXE_DIR / "node_modules" / "axe-core" / "axe.min.js"
    if not bundle.exists():
        if NPM is None:
            _missing("npm is not installed (apt-get install npm): axe-core comes from npm")
        AXE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                NPM,
                "install",
                "--no-save",
                "--no-package-lock",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(AXE_DIR),
                f"axe-core@{AXE_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return bundle.read_text(encoding="utf-8")

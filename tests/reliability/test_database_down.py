"""A database that goes away: 503 with Retry-After (never a 500), and recovery by itself.

Runs a throwaway PostgreSQL cluster of its own (initdb + pg_ctl on a free port) so that it can
stop a real server under a running app without touching the shared one.
"""

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import write_mini_seeds
from tests.conftest import BACKENDS

PG_BIN = next(iter(sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)), None)

pytestmark = pytest.mark.skipif(
    "postgresql" not in BACKENDS or PG_BIN is None or shutil.which("runuser") is None,
    reason="needs the PostgreSQL backend, its server binaries and runuser",
)


class Cluster:
    """A PostgreSQL cluster in a temporary directory, run as the postgres system user."""

    def __init__(self, root: Path) -> None:
        assert PG_BIN is not None
        self.data = root / "data"
        self.port = _free_port()
        # pytest's tmp_path is private to root: the server's user needs a directory of its own.
        root.mkdir(mode=0o700)
        shutil.chown(root, "postgres", "postgres")
        self._as_postgres(
            PG_BIN / "initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "-E", "UTF8"
        )
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        assert PG_BIN is not None
        self._as_postgres(
            PG_BIN / "pg_ctl", "-D", self.data, "-w", "-l", self.data / "log",
            "-o", f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1",
            "start",
        )  # fmt: skip

    def stop(self) -> None:
        assert PG_BIN is not None
        self._as_postgres(PG_BIN / "pg_ctl", "-D", self.data, "-w", "-m", "fast", "stop")

    def _as_postgres(self, *argv: object) -> None:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", *map(str, argv)],
            check=True,
            capture_output=True,
            cwd="/",
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    if os.geteuid() != 0:
        pytest.skip("runs the throwaway cluster as the postgres user: needs root")
    with tempfile.TemporaryDirectory(prefix="incidentdb-pg-") as root:
        Path(root).chmod(0o755)
        c = Cluster(Path(root) / "cluster")
        c.start()
        try:
            yield c
        finally:
            try:
                c.stop()
            except subprocess.CalledProcessError:
                pass  # already stopped by the test


def test_a_stopped_database_is_a_503_and_the_service_recovers_by_itself(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", cluster.url)
    assert cli.main(["ingest", str(write_mini_seeds(tmp_path / "mini"))]) == 0
    with TestClient(create_app(Settings(database_url=cluster.url))) as client:
        assert client.get("/incidents").status_code == 200
        assert client.get("/health").status_code == 200

        cluster.stop()
        for path in ("/incidents", "/incidents/1", "/health"):
            response = client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert response.headers["content-type"] == "application/problem+json"
            assert int(response.headers["retry-after"]) > 0
            assert response.json()["type"].endswith("/database-unavailable")
        for page in ("/", "/browse/incidents", "/browse/incidents/1"):
            # The pages people read say the same, as HTML.
            response = client.get(page)
            assert response.status_code == 503, (page, response.text)
            assert response.headers["content-type"].startswith("text/html"), page
            assert int(response.headers["retry-after"]) > 0, page
            assert "database is unavailable" in response.text, page

        cluster.start()
        assert client.get("/health").status_code == 200
        assert client.get("/incidents").json()["total"] > 0

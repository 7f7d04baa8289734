"""A database that goes away: 503 with Retry-After (never a 500), and recovery by itself.

Runs a throwaway PostgreSQL cluster of its own (initdb + pg_ctl on a free port) so that it can
stop a real server under a running app without touching the shared one.
"""

from pathlib import Path

import pytest

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import write_mini_seeds
from tests.inprocess import AppClient
from tests.reliability.pg_cluster import Cluster, needs_clusters

pytestmark = [needs_clusters, pytest.mark.postgresql_server]


def test_a_stopped_database_is_a_503_and_the_service_recovers_by_itself(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", cluster.url)
    assert cli.main(["ingest", str(write_mini_seeds(tmp_path / "mini"))]) == 0
    with AppClient(create_app(Settings(database_url=cluster.url))) as client:
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

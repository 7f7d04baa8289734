"""Reads on a real streaming replica (pg_basebackup of a throwaway primary, on its own port).

DATABASE_REPLICA_URLS sends reads to a replica that has caught up with the primary, the
ingest to the primary; a lagging or stopped replica is skipped, a response is never older
than one the client already holds, and 503 + Retry-After only when nothing can serve.
"""

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import incident, write_mini_seeds
from tests.inprocess import AppClient
from tests.reliability.pg_cluster import Cluster, cluster_root, free_port, needs_clusters

pytestmark = [needs_clusters, pytest.mark.postgresql_server]

VERSION = "SELECT data_version FROM dataset_meta WHERE id = 1"


@dataclass
class Replicated:
    primary: Cluster
    replica: Cluster
    seeds: Path
    settings: Settings

    def ingest_one_more(self, slug: str) -> int:
        """Adds an incident through the ingest; returns the primary's new data version."""
        with (self.seeds / "incidents.yaml").open("a", encoding="utf-8") as f:
            f.write(incident(slug, "2024-05-01", [("iran", "initiator")]))
        assert cli.main(["ingest", str(self.seeds)]) == 0
        version: int = self.primary.sql(VERSION)
        return version


@pytest.fixture
def replicated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replicated]:
    with cluster_root() as root:
        primary = Cluster(root / "primary")
        primary.start()
        replica: Cluster | None = None
        try:
            monkeypatch.setenv("DATABASE_URL", primary.url)
            seeds = write_mini_seeds(tmp_path / "mini")
            assert cli.main(["ingest", str(seeds)]) == 0
            replica = Cluster(root / "replica", standby_of=primary)
            replica.start()
            replica.wait_for(VERSION, primary.sql(VERSION))
            # Replica 1 is a server that is not there (skipped); replica 2 streams. The ingest
            # sees them too, and must write to the primary all the same.
            nowhere = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/postgres"
            monkeypatch.setenv("DATABASE_REPLICA_URLS", f"{nowhere}, {replica.url}")
            settings = Settings()
            assert settings.database_replica_urls == [nowhere, replica.url]
            yield Replicated(primary, replica, seeds, settings)
        finally:
            if replica is not None:
                replica.stop_quietly()
            primary.stop_quietly()


def eventually(client: AppClient, path: str, status: int, seconds: float = 10) -> httpx.Response:
    """The response once it has `status`: a database back up is retried after a short skip."""
    deadline = time.monotonic() + seconds
    while (response := client.get(path)).status_code != status:
        assert time.monotonic() < deadline, (path, response.status_code, response.text)
        time.sleep(0.2)
    return response


def assert_unavailable(response: httpx.Response) -> None:
    assert response.status_code == 503, response.text
    assert int(response.headers["retry-after"]) > 0


def test_reads_go_to_a_caught_up_replica_and_the_ingest_to_the_primary(
    replicated: Replicated,
) -> None:
    with AppClient(create_app(replicated.settings)) as client:
        for path in ("/incidents", "/incidents/embassy-attack", "/statements", "/browse/incidents"):
            response = client.get(path)
            assert response.status_code == 200, path
            assert response.headers["x-served-by"] == "replica 2", path
        total = client.get("/incidents").json()["total"]

        # Only the replica answers now: every read still works.
        replicated.primary.stop()
        response = client.get("/incidents")
        assert response.status_code == 200 and response.json()["total"] == total
        assert client.get("/health").status_code == 200
        replicated.primary.start()

        # A replica refuses writes: this ingest succeeding means it went to the primary.
        version = replicated.ingest_one_more("after-replication")
        replicated.replica.wait_for(VERSION, version)
        response = eventually(client, "/incidents", 200)
        assert response.headers["x-served-by"] == "replica 2"
        assert response.json()["total"] == total + 1


def test_a_lagging_or_stopped_replica_is_skipped_and_nothing_goes_backwards(
    replicated: Replicated,
) -> None:
    primary, replica = replicated.primary, replicated.replica
    with AppClient(create_app(replicated.settings)) as client:
        before = client.get("/incidents", params={"limit": 2})
        assert before.headers["x-served-by"] == "replica 2"

        # The replica stops replaying (as a lagging one would) and the primary moves on.
        replica.sql("SELECT pg_wal_replay_pause()")
        replica.wait_for("SELECT pg_get_wal_replay_pause_state()", "paused")
        version = replicated.ingest_one_more("while-the-replica-lags")
        fresh = client.get("/incidents", params={"limit": 2})
        assert fresh.headers["x-served-by"] == "primary"
        assert fresh.json()["total"] == before.json()["total"] + 1
        assert fresh.headers["etag"] != before.headers["etag"]
        second_page = client.get(
            "/incidents", params={"limit": 2, "cursor": fresh.json()["next_cursor"]}
        )
        assert second_page.headers["x-served-by"] == "primary"

        # With the primary gone, the lagging replica would answer with older data than this
        # client (and this worker) has seen: unavailable, not older.
        primary.stop()
        assert_unavailable(client.get("/incidents", params={"limit": 2}))
        with AppClient(create_app(replicated.settings)) as other_worker:
            # A worker that has served nothing yet still reads the client's ETag.
            assert_unavailable(
                other_worker.get(
                    "/incidents",
                    params={"limit": 2},
                    headers={"If-None-Match": fresh.headers["etag"]},
                )
            )
            # Nor does the next page of a list the client started on the primary: the
            # cursor carries the version it was issued at.
            assert_unavailable(
                other_worker.get(
                    "/incidents", params={"limit": 2, "cursor": fresh.json()["next_cursor"]}
                )
            )

        # Caught up, the replica serves the very same version: the same ETag, so 304.
        replica.sql("SELECT pg_wal_replay_resume()")
        replica.wait_for(VERSION, version)
        revalidated = eventually(client, "/incidents?limit=2", 200)
        assert revalidated.headers["x-served-by"] == "replica 2"
        assert revalidated.headers["etag"] == fresh.headers["etag"]
        not_modified = client.get(
            "/incidents", params={"limit": 2}, headers={"If-None-Match": fresh.headers["etag"]}
        )
        assert not_modified.status_code == 304

        # Nothing left that can serve: 503 with Retry-After, /health too.
        replica.stop()
        assert_unavailable(client.get("/incidents"))
        assert_unavailable(client.get("/health"))

        # The primary back, the stopped replica is skipped.
        primary.start()
        response = eventually(client, "/incidents", 200)
        assert response.headers["x-served-by"] == "primary"
        assert response.json()["total"] == fresh.json()["total"]

"""The direct reads keep their sessions between requests (app/db/session.py KeptReadSessions):
no connection checked out of the pool per request, one snapshot per response (an ingest between
two requests is seen by the second), nothing a session held carried into the next request, a
connection that broke replaced (on PostgreSQL without an error: the read that finds it takes a
session whose checkout pings), and every kept connection closed when the service stops."""

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from app.api import direct
from app.db import versions
from app.kit.background_reads import wait_for_all
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import libpq_dsn, retitle_and_ingest
from tests.inprocess import AppClient

READS = [
    "/incidents?limit=2",
    "/incidents?q=spokesman&limit=2",
    "/statements?speaker=Iran&limit=2",
    "/sources?limit=2",
    "/actors?limit=2",
    "/incidents/spokesman-accuses-azerbaijan",
]


@pytest.fixture
def mini(mini_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[AppClient]:
    """The mini dataset, no response kept (a detail asked again reads the database), every
    read in a request thread (none measured cheap enough for SQLite's event loop)."""
    monkeypatch.setattr(direct, "CHEAP_READ_SECONDS", 0.0)
    with AppClient(create_app(Settings(database_url=mini_url, kept_responses=0))) as client:
        yield client


def _idle_sessions(client: AppClient) -> list[Session]:
    kept = client.app.state.read_sessions  # type: ignore[attr-defined]
    return list(kept._idle)


def test_reads_asked_again_check_out_no_connection(mini: AppClient) -> None:
    engine = mini.app.state.engine  # type: ignore[attr-defined]
    checkouts: list[Any] = []
    event.listen(engine, "checkout", lambda *args: checkouts.append(args))
    for path in READS:
        assert mini.get(path).status_code == 200, path
    wait_for_all()  # the columns' reads check out connections of their own
    first = len(checkouts)
    for _ in range(3):
        for path in READS:
            assert mini.get(path).status_code == 200, path
    assert len(checkouts) == first
    assert _idle_sessions(mini)


def test_reads_asked_again_make_no_cursor_on_postgresql(
    mini: AppClient, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PostgreSQL connection's statements, its kept session's begin among them, run on the
    connection's one kept cursor (kept_sql.kept_cursor)."""
    if backend != "postgresql":
        pytest.skip("SQLite makes a cursor per statement")
    for path in READS:
        assert mini.get(path).status_code == 200, path
    wait_for_all()
    made: list[psycopg.Connection[Any]] = []
    make_cursor = psycopg.Connection.cursor

    def counted(self: psycopg.Connection[Any], *args: Any, **kwargs: Any) -> Any:
        made.append(self)
        return make_cursor(self, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "cursor", counted)
    for path in READS:
        assert mini.get(path).status_code == 200, path
    assert made == []


def test_a_kept_session_reads_the_data_an_ingest_committed(
    mini: AppClient, mini_seeds: Path
) -> None:
    detail = "/incidents/spokesman-accuses-azerbaijan"
    listed = "/incidents?q=spokesman&limit=5"
    assert mini.get(detail).json()["title"] == "Spokesman accuses azerbaijan"
    before = mini.get(listed).json()
    retitle_and_ingest(mini_seeds)
    assert mini.get(detail).json()["title"] == "The spokesman accuses Baku"
    after = mini.get(listed).json()
    assert [item["title"] for item in after["items"]] != [item["title"] for item in before["items"]]
    assert "The spokesman accuses Baku" in [item["title"] for item in after["items"]]


def test_a_session_given_back_holds_nothing_of_its_request(mini: AppClient) -> None:
    for path in READS:
        assert mini.get(path).status_code == 200, path
    # What a request leaves in its session's `info` (search.py keeps a filter's ids there,
    # by SQL, not by data version) must not reach the next request.
    for session in _idle_sessions(mini):
        session.info["left by a request"] = True
    for path in READS:
        assert mini.get(path).status_code == 200, path
    assert mini.get("/incidents/no-such-incident").status_code == 404
    idle = _idle_sessions(mini)
    assert idle
    for session in idle:
        assert not session.info
        assert not session.identity_map
        assert not _in_database_transaction(session)


def _in_database_transaction(session: Session) -> bool:
    """Whether the session's connection has a transaction open in the database (a snapshot
    held, locks an ingest's DDL would wait for), whatever SQLAlchemy's objects say."""
    driver = session.bind.connection.driver_connection  # type: ignore[union-attr]
    if isinstance(driver, sqlite3.Connection):
        return driver.in_transaction
    return driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE


def test_a_connection_that_broke_is_replaced(mini: AppClient, backend: str) -> None:
    assert mini.get("/incidents?limit=2").status_code == 200
    idle = _idle_sessions(mini)
    assert idle
    if backend == "sqlite":
        for session in idle:
            session.bind.connection.dbapi_connection.close()  # type: ignore[union-attr]
    else:
        with psycopg.connect(libpq_dsn(mini.app.state.settings.database_url)) as admin:  # type: ignore[attr-defined]
            for session in idle:
                pid = session.bind.connection.dbapi_connection.info.backend_pid  # type: ignore[union-attr]
                admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    statuses = [mini.get("/incidents?limit=2").status_code for _ in range(3)]
    if backend == "sqlite":
        # The broken connection's read fails as a database error (503), never a 500, and
        # is not kept: every read after it is answered.
        assert statuses[-2:] == [200, 200] and set(statuses) <= {200, 503}
    else:
        # Found lost as the kept session begins, before the read: no read fails.
        assert statuses == [200, 200, 200]
    assert all(
        not session.bind.invalidated  # type: ignore[union-attr]
        for session in _idle_sessions(mini)
    )


def test_a_kept_sessions_transaction_is_a_read_only_snapshot_with_its_version(
    mini: AppClient, backend: str
) -> None:
    for _ in range(2):  # the second on a kept session, begun without a checkout's ping
        assert mini.get("/incidents?limit=2").status_code == 200
    kept = mini.app.state.read_sessions  # type: ignore[attr-defined]
    for _ in range(2):  # a session taken, given back, and taken again
        with kept() as session:
            # Begun in the database before the first statement: one snapshot per response.
            assert _in_database_transaction(session)
            assert versions.data_version(session) == session.scalar(
                text("SELECT data_version FROM dataset_meta")
            )
            if backend == "postgresql":
                assert session.scalar(text("SHOW transaction_isolation")) == "repeatable read"
                assert session.scalar(text("SHOW transaction_read_only")) == "on"
        assert not _in_database_transaction(session)


def test_the_kept_connections_are_closed_when_the_service_stops(mini_url: str) -> None:
    app = create_app(Settings(database_url=mini_url, kept_responses=0))
    opened: list[Any] = []
    event.listen(app.state.engine, "connect", lambda dbapi, _record: opened.append(dbapi))
    with AppClient(app) as client:
        for path in READS:
            assert client.get(path).status_code == 200, path
        assert _idle_sessions(client)
    assert opened
    for connection in opened:
        if isinstance(connection, sqlite3.Connection):
            with pytest.raises(sqlite3.ProgrammingError, match="closed database"):
                connection.execute("SELECT 1")
        else:
            assert connection.closed

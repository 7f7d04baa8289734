"""PostgreSQL readers begin their transaction in the pool's ping, with the data version it
sees (app/db/session.py `_configure_postgresql_reader`, app/db/versions.py
`begins_with_version`): one round trip instead of the ping, psycopg's BEGIN and the version
read. The transaction is still read-only REPEATABLE READ, the version is the one of its own
snapshot (never one kept from an earlier transaction on the same connection), a database
without the version's table is still read, and a connection that died is replaced."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg import pq
from sqlalchemy import Engine, event, text
from sqlalchemy.orm import Session

from app.db import versions
from app.db.session import create_db_engine
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import libpq_dsn
from tests.conftest import Databases
from tests.inprocess import AppClient


@pytest.fixture
def reader(pg_seeded_url: str) -> Iterator[Engine]:
    engine = create_db_engine(pg_seeded_url, settings=Settings(database_url=pg_seeded_url))
    yield engine
    engine.dispose()


def _bump(url: str) -> int:
    """An ingest's commit, from outside: the data version moves on."""
    with psycopg.connect(libpq_dsn(url)) as conn:
        row = conn.execute(
            "UPDATE dataset_meta SET data_version = data_version + 1 WHERE id = 1 "
            "RETURNING data_version"
        ).fetchone()
        assert row is not None
        return int(row[0])


def test_a_list_page_reads_no_version_and_sends_no_begin_of_its_own(
    pg_seeded_url: str, tmp_path: Path
) -> None:
    app = create_app(Settings(database_url=pg_seeded_url))
    connections: list[Any] = []
    event.listen(app.state.engine, "connect", lambda dbapi, _record: connections.append(dbapi))
    trace = tmp_path / "libpq.trace"
    with AppClient(app) as client:
        first = client.get("/incidents?limit=5&count=exact")  # the pool's connection made
        assert first.status_code == 200 and connections
        with trace.open("w") as out:
            for connection in connections:
                connection.pgconn.trace(out.fileno())
                connection.pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
            again = client.get("/incidents?limit=6&count=exact")
            for connection in connections:
                connection.pgconn.untrace()
        assert again.status_code == 200
        assert again.json()["items"][:5] == first.json()["items"]
    # What went to PostgreSQL: the version and the BEGIN in one message, nothing else of them.
    sent = [line for line in trace.read_text().splitlines() if line.split("\t")[:1] == ["F"]]
    assert [line for line in sent if "BEGIN" in line] == [
        line for line in sent if "dataset_meta" in line
    ]
    assert len([line for line in sent if "BEGIN" in line]) == 1
    assert any("ROLLBACK" in line for line in sent)


def test_the_version_is_the_snapshots_own(reader: Engine, pg_seeded_url: str) -> None:
    with Session(reader) as warm:
        before = versions.data_version(warm)  # makes the pooled connection
    with Session(reader) as session:
        session.execute(text("SELECT 1"))  # begun by the ping, version not read yet
        assert versions.data_version(session) == before
        newer = _bump(pg_seeded_url)
        # Same transaction: same snapshot, same version, though an ingest committed.
        assert versions.data_version(session) == before
        session.commit()
        # The next transaction on the same connection sees the new version.
        assert versions.data_version(session) == newer


def test_a_transaction_that_never_read_the_version_leaves_none_behind(
    reader: Engine, pg_seeded_url: str
) -> None:
    with Session(reader) as warm:
        versions.data_version(warm)
    with reader.connect() as connection:  # one checkout, two transactions
        session = Session(bind=connection)
        session.execute(text("SELECT 1"))  # the ping read the version; nobody asks for it
        newer = _bump(pg_seeded_url)
        session.commit()
        session.execute(text("SELECT 1"))  # begun on the same connection, without a ping
        assert versions.data_version(session) == newer
        session.close()
    with Session(reader) as session:  # the pool's next checkout pings again
        assert versions.data_version(session) == newer


def test_every_reader_transaction_is_read_only_repeatable_read(reader: Engine) -> None:
    for _ in range(3):  # the first checkout is a new connection (not pinged), then pinged
        with Session(reader) as session:
            assert session.scalar(text("SHOW transaction_isolation")) == "repeatable read"
            assert session.scalar(text("SHOW transaction_read_only")) == "on"
            session.commit()
            # A second transaction on the same checkout: begun without the ping.
            assert session.scalar(text("SHOW transaction_isolation")) == "repeatable read"
            assert session.scalar(text("SHOW transaction_read_only")) == "on"
            with pytest.raises(Exception, match="read-only transaction"):
                session.execute(text("UPDATE dataset_meta SET data_version = 0"))


def test_a_database_without_the_version_table_is_still_read(databases: Databases) -> None:
    if databases.backend != "postgresql":
        pytest.skip("PostgreSQL readers only")
    url = databases.blank()
    engine = create_db_engine(url, settings=Settings(database_url=url))
    try:
        for _ in range(3):
            with Session(engine) as session:
                assert session.scalar(text("SELECT 41 + 1")) == 42
                assert session.scalar(text("SHOW transaction_read_only")) == "on"
    finally:
        engine.dispose()
        databases.release(url)


def test_a_connection_that_died_in_the_pool_is_replaced(reader: Engine) -> None:
    with Session(reader) as session:
        pid = session.scalar(text("SELECT pg_backend_pid()"))
        version = versions.data_version(session)
    dsn = libpq_dsn(reader.url.render_as_string(hide_password=False))
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with Session(reader) as session:
        assert session.scalar(text("SELECT pg_backend_pid()")) != pid
        assert versions.data_version(session) == version


def test_a_sqlite_session_reads_its_version_while_postgresql_keeps_one(
    shared_seeded_url: str, backend: str
) -> None:
    """One process with both backends (the suite, a tool): SQLite's connections cannot be
    weakly referenced, so they are never looked up among PostgreSQL's kept versions."""
    if backend != "sqlite":
        pytest.skip("SQLite's connections")

    class Kept:
        pass

    other = Kept()
    versions._BEGUN[other] = 12345
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    try:
        with Session(engine) as session:
            assert versions.data_version(session) == session.scalar(
                text("SELECT data_version FROM dataset_meta")
            )
    finally:
        versions._BEGUN.pop(other, None)
        engine.dispose()


def test_a_connection_invalidated_in_use_goes_back_to_the_pool(reader: Engine) -> None:
    """The pool's checkin of an invalidated connection has no DBAPI connection (None)."""
    with reader.connect() as connection:
        connection.execute(text("SELECT 1"))
        connection.invalidate()
    with Session(reader) as session:
        assert session.scalar(text("SELECT 1")) == 1
        assert versions.data_version(session) is not None

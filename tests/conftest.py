"""Every test runs on a real SQLite file and on a real PostgreSQL database.

INCIDENTDB_TEST_BACKENDS picks the backends (default: sqlite,postgresql); the PostgreSQL
server is INCIDENTDB_TEST_PG_URL (a role allowed to CREATE DATABASE). Each backend builds two
template databases once per session with `alembic upgrade head` (empty, and seeded through the
real ingest); a test gets its own copy, so tests never see each other's writes.
"""

import hashlib
import os
import queue
import re
import shutil
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from sqlalchemy import create_engine, inspect, make_url, select, text

from app import cli
from app.db import migrate
from app.main import create_app
from app.settings import PROJECT_ROOT, Settings
from tests.inprocess import AppClient

SEEDS = PROJECT_ROOT / "seeds"
BACKENDS = [
    b.strip() for b in os.environ.get("INCIDENTDB_TEST_BACKENDS", "sqlite,postgresql").split(",")
]
PG_URL = os.environ.get(
    "INCIDENTDB_TEST_PG_URL", "postgresql+psycopg://postgres:postgres@127.0.0.1:5432/postgres"
)


def _pg_admin() -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(PG_URL)
    return psycopg.connect(
        host=url.host,
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        dbname=url.database or "postgres",
        autocommit=True,
    )


class Databases:
    """Makes throw-away databases for one backend, copied from migrated templates."""

    def __init__(self, backend: str, workdir: Path) -> None:
        self.backend = backend
        self.workdir = workdir
        # The pid lets a later session on this machine drop what a killed one left behind.
        self.prefix = f"incidentdb_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        self.created: list[str] = []
        self.templates: dict[str, str] = {}
        # The folder each template kind but "empty" is ingested from ("mini": tests/api).
        self.seeds: dict[str, Path] = {"seeded": SEEDS}
        # Databases a finished test released, dropped by a background thread while the next
        # tests run: PostgreSQL checkpoints on every DROP DATABASE (0.15-0.25 s each), and a
        # session's hundreds of drops at its end took 20-85 s of a CI run.
        self._released: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self._dropper: threading.Thread | None = None

    def _new_url(self, name: str) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.sqlite3')}"
        return make_url(PG_URL).set(database=name).render_as_string(hide_password=False)

    def _create(self, name: str, template: str | None = None) -> str:
        if self.backend == "sqlite":
            path = self.workdir / f"{name}.sqlite3"
            if template:
                shutil.copyfile(self.workdir / f"{template}.sqlite3", path)
            return self._new_url(name)
        with _pg_admin() as conn:
            suffix = f" TEMPLATE {template}" if template else ""
            conn.execute(f'CREATE DATABASE "{name}"{suffix}')  # type: ignore[arg-type]
        self.created.append(name)
        return self._new_url(name)

    def template(self, kind: str) -> str:
        """Name of the 'empty' (migrated) template, or of one holding `self.seeds[kind]`
        ingested, built on first use."""
        if kind not in self.templates:
            name = f"{self.prefix}_{kind}"
            url = self._create(name)
            migrate.upgrade(url)
            if kind != "empty":
                os.environ["DATABASE_URL"] = url
                try:
                    assert cli.main(["ingest", str(self.seeds[kind])]) == 0
                finally:
                    del os.environ["DATABASE_URL"]
            self.templates[kind] = name
        return self.templates[kind]

    def fresh(self, kind: str = "empty") -> str:
        return self._create(f"{self.prefix}_{uuid.uuid4().hex[:8]}", self.template(kind))

    def blank(self) -> str:
        """A database with no schema at all (for migration tests)."""
        return self._create(f"{self.prefix}_{uuid.uuid4().hex[:8]}")

    def release(self, url: str) -> None:
        """A test is done with the database at `url` (made by `fresh`): remove it."""
        name = make_url(url).database or ""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(name + suffix).unlink(missing_ok=True)
            return
        if self._dropper is None:
            self._dropper = threading.Thread(target=self._drop_released, daemon=True)
            self._dropper.start()
        self._released.put(name)

    def _drop_released(self) -> None:
        with _pg_admin() as conn:
            while (name := self._released.get()) is not None:
                # WITH (FORCE): a test's server or pool may still hold a connection.
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]
                self.created.remove(name)

    def drop_orphans(self) -> None:
        """Drops test databases of sessions that died before their drop_all (killed runs).

        Only on a server on this machine: there a pid that is not running is a dead session;
        on a shared remote server it could be another machine's live one.
        """
        if self.backend != "postgresql" or make_url(PG_URL).host not in ("127.0.0.1", "localhost"):
            return
        with _pg_admin() as conn:
            names = [row[0] for row in conn.execute("SELECT datname FROM pg_database")]
            for name in names:
                match = re.fullmatch(r"incidentdb_test_(\d+)_[0-9a-f]{8}(_\w+)?", str(name))
                if match and not _running(int(match[1])):
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]

    def drop_all(self) -> None:
        if self.backend != "postgresql":
            return
        if self._dropper is not None:
            self._released.put(None)
            self._dropper.join()
        with _pg_admin() as conn:
            for name in [*self.created, *self.templates.values()]:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')  # type: ignore[arg-type]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """INCIDENTDB_TEST_DATABASE_TESTS_ONLY=1: only the tests that use a database run.

    .ci/run sets it for its SQLite run: the tests that touch no database (extraction rules,
    the benchmark's smoke runs, ...) run in its PostgreSQL runs, which are the shorter ones, and
    running them twice cost a minute of a 15-minute budget.
    """
    if os.environ.get("INCIDENTDB_TEST_DATABASE_TESTS_ONLY") != "1":
        return
    keep, drop = [], []
    for item in items:
        uses_database = "databases" in getattr(item, "fixturenames", ())
        if uses_database or item.get_closest_marker("postgresql_server") is not None:
            keep.append(item)
        else:
            drop.append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


@pytest.fixture(scope="session", params=BACKENDS)
def databases(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Databases]:
    backend = request.param
    if backend not in ("sqlite", "postgresql"):
        raise pytest.UsageError(f"unknown backend {backend!r} in INCIDENTDB_TEST_BACKENDS")
    dbs = Databases(backend, tmp_path_factory.mktemp(backend))
    dbs.drop_orphans()
    yield dbs
    dbs.drop_all()


@pytest.fixture
def backend(databases: Databases) -> str:
    return databases.backend


@pytest.fixture
def database_url(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, migrated, empty database; DATABASE_URL points at it for the CLI."""
    url = databases.fresh("empty")
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    databases.release(url)


@pytest.fixture
def seeded_url(databases: Databases, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh database holding the ingested seeds; DATABASE_URL points at it."""
    url = databases.fresh("seeded")
    monkeypatch.setenv("DATABASE_URL", url)
    yield url
    databases.release(url)


@pytest.fixture(scope="session")
def shared_seeded_url(databases: Databases) -> str:
    """One seeded database per backend for read-only tests (the API never writes)."""
    return databases.fresh("seeded")


@pytest.fixture
def client(shared_seeded_url: str) -> Iterator[AppClient]:
    with AppClient(create_app(Settings(database_url=shared_seeded_url))) as test_client:
        yield test_client


@dataclass
class Probe:
    """Looks at a database from outside the code under test."""

    url: str

    def counts(self) -> dict[str, int]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                # FTS5 shadow tables are index internals; their row counts follow merges.
                tables = [
                    t
                    for t in inspect(conn).get_table_names()
                    if t != "alembic_version" and "_fts" not in t
                ]
                return {
                    t: int(conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one())
                    for t in sorted(tables)
                }
        finally:
            engine.dispose()

    def fingerprint(self) -> str:
        """A hash of every row of every table: equal fingerprints mean equal content."""
        engine = create_engine(self.url)
        digest = hashlib.sha256()
        try:
            with engine.connect() as conn:
                for table in sorted(inspect(conn).get_table_names()):
                    rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                    digest.update(table.encode())
                    for row in sorted(repr(tuple(r)) for r in rows):
                        digest.update(row.encode())
        finally:
            engine.dispose()
        return digest.hexdigest()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return [tuple(row) for row in conn.execute(text(sql)).all()]
        finally:
            engine.dispose()

    def scalar(self, sql: str) -> object:
        engine = create_engine(self.url)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql)).scalar()
        finally:
            engine.dispose()


@pytest.fixture
def db(database_url: str) -> Probe:
    return Probe(database_url)


__all__ = ["Probe", "select"]

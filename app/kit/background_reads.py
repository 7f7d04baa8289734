"""Values read from a whole database once per data version, in a thread of their own, and used
by a request only once they are read (the incident and statement columns).

One `BackgroundRead` per kind of value. Each database (its URL) has at most one value kept,
the newest version read (an older one is dropped as a newer one is read), and one read under
way. A read runs in a daemon thread, on a connection of its own (an engine without a pool,
made from the database's URL: not one of the requests' pooled connections, which a read holds
for seconds at 1M, nor seen by what listens to their statements), in one read transaction
whose data version it is kept under. Every ingest that changes something bumps the version,
so a value is never stale.

A read is started as the service starts (`prepare`), and for a later version by the first
request that wants it (`ready`). That request waits for it a little (a small database is read
in milliseconds and serves that very request); every other request goes on without it (in SQL)
until it is done. After a failed read (the database went away), none is tried for a while.
An in-memory SQLite database is never read in the background: a connection of its own would
open another, empty, database.
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from app.db.versions import data_version, database_key

T = TypeVar("T")

log = logging.getLogger(__name__)

_VERSION = text("SELECT data_version FROM dataset_meta WHERE id = 1")
# Every kind of value read in the background, for `wait_for_all`.
_ALL: "list[BackgroundRead[Any]]" = []


@dataclass(frozen=True)
class _Kept(Generic[T]):
    version: int
    value: T


class BackgroundRead(Generic[T]):
    """One kind of value (`read` from a connection in a read transaction) per database and
    data version, read in the background.

    `wait_seconds`: how long the request that starts a read waits for it, in all.
    `retry_seconds`: after a failed read, how long until another is tried.
    `dialects`: the databases it is read from (others: never ready).
    """

    def __init__(
        self,
        name: str,
        read: Callable[[Connection], T],
        *,
        wait_seconds: float,
        retry_seconds: float,
        dialects: frozenset[str] = frozenset({"sqlite", "postgresql"}),
    ) -> None:
        self.name = name
        self.wait_seconds = wait_seconds
        self.retry_seconds = retry_seconds
        self.read = read
        self._dialects = dialects
        self._lock = threading.Lock()
        self._latest: dict[str, _Kept[T]] = {}
        self._reading: dict[str, threading.Thread] = {}
        self._failed: dict[str, float] = {}  # when a database's last read failed
        self._started_here = f"background read started: {name}"  # a session's info key
        _ALL.append(self)

    def ready(self, session: Session, wait: float | None = None) -> T | None:
        """The value at the data version the session's transaction sees, or None while it is
        being read (a read of the database's current version started here unless one is
        under way, or failed within `retry_seconds`).

        Only the session that started the read waits for it, `wait_seconds` in all over its
        calls (this call `wait` seconds at most): the other requests of a large database's
        seconds-long read go on at once.
        """
        version = data_version(session)
        if version is None:
            return None
        key = database_key(session)
        latest = self._latest.get(key)
        if latest is not None and latest.version >= version:
            # Newer than the session's (an ingest since its transaction began): not its data.
            return latest.value if latest.version == version else None
        started = self._start(session.get_bind().engine, key, version)
        if started is not None:
            session.info[self._started_here] = (started, time.monotonic() + self.wait_seconds)
        elif self._started_here in session.info:
            started = session.info[self._started_here][0]
        if started is not None:
            waited = max(0.0, session.info[self._started_here][1] - time.monotonic())
            started.join(waited if wait is None else min(wait, waited))
        # Read since the look above (by this session's read, or another's just done).
        latest = self._latest.get(key)
        return latest.value if latest is not None and latest.version == version else None

    def read_already(self, session: Session) -> T | None:
        """The value at the data version the session's transaction sees, if read; never
        starts a read (for a caller that reads it itself otherwise)."""
        version = data_version(session)
        latest = self._latest.get(database_key(session))
        if version is None or latest is None or latest.version != version:
            return None
        return latest.value

    def prepare(self, engine: Engine) -> None:
        """Start reading `engine`'s database (as the service starts), unless read."""
        key = str(engine.url)
        if key not in self._latest:
            self._start(engine, key)

    def kept(self) -> dict[str, int]:
        """The data version of the value kept per database (one each: tests, diagnostics)."""
        with self._lock:
            return {key: kept.version for key, kept in self._latest.items()}

    def wait(self, timeout: float | None = None) -> None:
        """Until every read under way is done (tests, benchmarks)."""
        with self._lock:
            reading = list(self._reading.values())
        for thread in reading:
            thread.join(timeout)

    def _start(
        self, engine: Engine, key: str, wanted: int | None = None
    ) -> threading.Thread | None:
        """A read of the database, started now; None when one is under way, for a while after
        one failed, where it is not read in the background, or when the `wanted` version (or
        a newer one) is kept already."""
        if engine.dialect.name not in self._dialects or _in_memory(engine):
            return None
        with self._lock:
            # Looked at again under the lock: a read can end between the caller's look at
            # the kept version and here (it did under CI's load: the same version read twice).
            latest = self._latest.get(key)
            if wanted is not None and latest is not None and latest.version >= wanted:
                return None
            reading = self._reading.get(key)
            if reading is not None and reading.is_alive():
                return None
            if time.monotonic() < self._failed.get(key, -1e9) + self.retry_seconds:
                return None
            reading = threading.Thread(
                target=self._run, args=(engine, key), name=self.name, daemon=True
            )
            self._reading[key] = reading
            reading.start()
            return reading

    def _run(self, engine: Engine, key: str) -> None:
        try:
            kept = _read_apart(engine, self.read)
        except Exception:  # a failed read costs nothing but the SQL path; said in the log
            log.exception("the background read %s of %s failed", self.name, engine.url)
            with self._lock:
                self._failed[key] = time.monotonic()
            return
        with self._lock:
            latest = self._latest.get(key)
            if kept is not None and (latest is None or latest.version < kept.version):
                self._latest[key] = kept  # the older version dropped
            self._failed.pop(key, None)


def wait_for_all(timeout: float | None = None) -> None:
    """Until every background read under way is done: the CPU time of a process counts every
    thread's, so a benchmark starts its timing once they are (tests: before they compare)."""
    for reads in list(_ALL):
        reads.wait(timeout)


def _in_memory(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite" and engine.url.database in (None, "", ":memory:")


def _read_apart(engine: Engine, read: Callable[[Connection], T]) -> _Kept[T] | None:
    """`read`'s value and the data version it is of, in one read transaction on a connection
    of its own; None without a data version."""
    if engine.dialect.name == "sqlite":
        # Autocommit at the driver, BEGIN said here: one snapshot for every statement.
        apart = create_engine(
            engine.url,
            poolclass=NullPool,
            connect_args={"check_same_thread": False, "isolation_level": None},
        )
        try:
            with apart.connect() as connection:
                connection.exec_driver_sql("BEGIN")
                try:
                    return _versioned(connection, read)
                finally:
                    connection.exec_driver_sql("ROLLBACK")
        finally:
            apart.dispose()
    # One snapshot for every statement, none of which can write.
    apart = create_engine(
        engine.url,
        poolclass=NullPool,
        execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True},
    )
    try:
        with apart.connect() as connection, connection.begin():
            return _versioned(connection, read)
    finally:
        apart.dispose()


def _versioned(connection: Connection, read: Callable[[Connection], T]) -> _Kept[T] | None:
    version = connection.scalar(_VERSION)
    return None if version is None else _Kept(int(version), read(connection))

"""The data version every response's ETag names: read per request, cheaply, never stale.

Every ingest that changes something bumps `dataset_meta.data_version` in its transaction.
Reading it through a Session costs a thread-pool hop, a pooled connection and a transaction
on every request (profiled: a third of a 304's time, and one of two hops of a detail).
"""

import asyncio
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable, Hashable
from typing import Any, Generic, TypeVar, cast

import psycopg
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, SessionTransaction

from app.db import kept_sql
from app.db.meta import DatasetMeta

T = TypeVar("T")

_READ_VERSION = "SELECT data_version FROM dataset_meta WHERE id = 1"
_VERSION_ROW = select(DatasetMeta.data_version).where(DatasetMeta.id == 1)


def data_version(session: Session) -> int | None:
    """The data version this session's transaction sees, read once per session.

    Within one read transaction it cannot change, and a request asks for it several times
    (its total, its date floor, its kept facets or rankings).
    """
    if "data_version" not in session.info:
        connection = session.connection()
        if _BEGUN:
            # PostgreSQL: read by the pool's ping that began this transaction (below).
            try:
                begun = _BEGUN.pop(connection.connection.driver_connection, _NOT_READ)
            except TypeError:  # a SQLite connection (not weakly referenced): none kept
                begun = _NOT_READ
            if begun is not _NOT_READ:
                session.info["data_version"] = begun
                return cast(int | None, begun)
        # On the session's connection (its transaction), past the ORM's execution path,
        # with a statement built once: a twentieth of a list page's CPU went to building
        # and executing it through the Session (profiled).
        session.info["data_version"] = kept_sql.scalar_or_none(connection, _VERSION_ROW)
    version: int | None = session.info["data_version"]
    return version


def read_version(session: Session) -> int | None:
    """The data version this session's transaction saw, when known without a query: read by
    `data_version`, or by the PostgreSQL ping that began the transaction; else None."""
    if "data_version" in session.info:
        version: int | None = session.info["data_version"]
        return version
    if not _BEGUN or not session.in_transaction():
        return None
    try:
        begun = _BEGUN.get(session.connection().connection.driver_connection, _NOT_READ)
    except TypeError:  # a SQLite connection (not weakly referenced): none kept
        return None
    return None if begun is _NOT_READ else cast(int | None, begun)


# PostgreSQL readers (app/db/session.py): the version each connection's transaction saw when
# the pool's ping began it, until the session reads it or another transaction begins there.
_BEGUN: "weakref.WeakKeyDictionary[Any, object]" = weakref.WeakKeyDictionary()
_NOT_READ = object()
# Connections whose database had no version row's table when they pinged: they ping plainly.
_WITHOUT_META: "weakref.WeakSet[Any]" = weakref.WeakSet()
BEGIN_AND_READ = (
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; "
    "SELECT data_version FROM dataset_meta WHERE id = 1"
)


def begins_with_version(dbapi_connection: Any, kept_cursor: Any = None) -> bool:
    """Begin a PostgreSQL reader's transaction on this idle (autocommit) psycopg connection and
    read the version it sees, in one round trip; False where the version's table is missing
    (the transaction then ended: the caller pings plainly). A lost connection raises, as the
    pool's ping does, so the pool replaces it. `kept_cursor`: a cursor of this connection to
    use and leave open (kept_sql.kept_cursor), else one is made and closed."""
    _BEGUN.pop(dbapi_connection, None)
    if dbapi_connection in _WITHOUT_META:
        return False
    cursor = kept_cursor if kept_cursor is not None else dbapi_connection.cursor()
    try:
        # No parameters: the simple query protocol, both statements in one message.
        cursor.execute(BEGIN_AND_READ)
        cursor.nextset()
        row = cursor.fetchone()
    except psycopg.Error as error:
        if dbapi_connection.closed or dbapi_connection.broken:
            raise
        # The table is missing (not migrated yet), or the read failed: end the failed
        # transaction, ping plainly (and, without the table, from now on).
        dbapi_connection.rollback()
        if isinstance(error, psycopg.errors.UndefinedTable):
            _WITHOUT_META.add(dbapi_connection)
        return False
    finally:
        if kept_cursor is None:
            cursor.close()
    _BEGUN[dbapi_connection] = None if row is None else int(row[0])
    return True


def begun_by_ping(dbapi_connection: Any) -> bool:
    """Whether a reader's transaction is already open here (begun by the ping); if not, the
    caller begins one, and a version kept from an earlier transaction is dropped."""
    if dbapi_connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
        return True
    _BEGUN.pop(dbapi_connection, None)
    return False


def forget_begun(dbapi_connection: Any) -> None:
    """Drop what the ping kept for this connection (the pool's checkin: None when the
    connection was invalidated)."""
    if dbapi_connection is not None:
        _BEGUN.pop(dbapi_connection, None)


# Each engine's URL as text, made once: rendering it (a URL's hash renders it too) for every
# kept answer's key cost ~25 us of an `actor=Iran` page's CPU (six keys, profiled at 1M).
_DATABASES: "weakref.WeakKeyDictionary[Engine, str]" = weakref.WeakKeyDictionary()


def database_key(session: Session) -> str:
    """Which database the session reads, for the keys of what is kept per database."""
    engine = session.get_bind().engine
    try:
        return _DATABASES[engine]
    except KeyError:
        key = _DATABASES[engine] = str(engine.url)
        return key


@event.listens_for(Session, "after_transaction_end")
def _forget_data_version(session: Session, transaction: SessionTransaction) -> None:
    # A session's next transaction may see a newer version (a session that ingests, then
    # reads): the one read is that transaction's alone.
    if transaction.parent is None:
        session.info.pop("data_version", None)


class KeptPerDataVersion(Generic[T]):
    """Answers that only an ingest changes, kept per database and data version.

    What a list's statement looks like depends on the data (how often an actor takes part,
    the span of the data's dates), and finding out costs a statement per request: counting a
    large state's first 10,000 participations was 0.56 ms of a 4.4 ms `actor=Iran` page
    (profiled at 1M). Every ingest that changes something bumps the data version, so an
    answer kept under the version the request's transaction sees is never stale. A database
    without a version row keeps nothing. Bounded: past `limit` entries (older versions, a
    flood of distinct keys) it starts again.
    """

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._values: dict[tuple[Any, int, Hashable], T] = {}

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        version = data_version(session)
        if version is None:
            return compute()
        kept = (database_key(session), version, key)
        try:
            return self._values[kept]
        except KeyError:
            pass
        value = compute()
        if len(self._values) >= self._limit:
            self._values.clear()
        self._values[kept] = value
        return value


class KeptIds:
    """Vectors of ids (numpy, read-only once kept) that only an ingest changes, kept per
    database and data version as `KeptPerDataVersion` keeps answers, bounded by how many ids
    they hold in all: past `limit` it starts again."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._held = 0
        self._values: dict[tuple[Any, int, Hashable], Any] = {}

    def get(self, session: Session, key: Hashable) -> Any | None:
        version = data_version(session)
        if version is None:
            return None
        return self._values.get((database_key(session), version, key))

    def keep(self, session: Session, key: Hashable, ids: Any) -> None:
        version = data_version(session)
        if version is None or len(ids) > self._limit:
            return
        if self._held + len(ids) > self._limit:
            self._values.clear()
            self._held = 0
        ids.setflags(write=False)  # shared by every request that reads it
        self._values[(database_key(session), version, key)] = ids
        self._held += len(ids)


class SqliteVersionWatch:
    """A SQLite database's data version, read in microseconds on the calling thread.

    `PRAGMA data_version` on one connection changes whenever another connection (any
    process: an ingest) has committed since the last call; only then is the version row read
    again. The PRAGMA comes first: a commit between the two reads leaves a new version under
    an old marker, read again next time, never an old version under a new marker.

    In WAL mode a read never waits for a writer; the connection has no busy timeout, so in
    the rare cases where SQLite would wait (a checkpoint resetting the log) it raises instead,
    and so does a read while another thread holds the watch: the caller then reads the
    version the ordinary way, in a worker thread.
    """

    def __init__(self, engine: Engine) -> None:
        self._connect_args = engine.dialect.create_connect_args(engine.url)
        self._lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None
        self._marker: int | None = None
        self._version: int | None = None

    def read(self) -> int | None:
        """The current data version; raises when it cannot be read at once (see above)."""
        if not self._lock.acquire(blocking=False):
            raise BlockingIOError("the version watch is in use")
        try:
            connection = self._connection or self._connect()
            marker = connection.execute("PRAGMA data_version").fetchone()[0]
            if marker != self._marker:
                row = connection.execute(_READ_VERSION).fetchone()
                self._version = None if row is None else int(row[0])
                self._marker = marker
            return self._version
        except BaseException:
            # A connection in an unknown state is not trusted with the next read.
            self._close()
            raise
        finally:
            self._lock.release()

    def _connect(self) -> sqlite3.Connection:
        args, kwargs = self._connect_args
        options: dict[str, Any] = {**kwargs, "check_same_thread": False, "isolation_level": None}
        # Opened on first use, as the pool's connections are: not when the app is built.
        connect: Any = sqlite3.connect
        connection: sqlite3.Connection = connect(*args, **options)
        connection.execute("PRAGMA busy_timeout=0")
        connection.execute("PRAGMA query_only=ON")
        self._connection, self._marker = connection, None
        return connection

    def _close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        self._connection, self._marker, self._version = None, None, None

    def close(self) -> None:
        with self._lock:
            self._close()


# After a failed read the watch is left alone this long: a database that is down is then
# reported by the ordinary path alone, not after a second connection attempt per request.
_PAUSE_AFTER_FAILURE_SECONDS = 1.0


class PostgresVersionWatch:
    """A PostgreSQL database's data version, read on the event loop: no thread-pool hop.

    One autocommit connection (psycopg's async API) on the loop that serves requests; a
    read is one round trip. Read through a Session it took a hop to a worker thread, a pool
    checkout with its ping, BEGIN, the read and ROLLBACK: 0.6 ms of CPU per request, all of a
    304's and a quarter of a detail's (profiled at 1M). Any failure closes the connection and
    raises; the caller then reads the version the ordinary way, which reports a database that
    is down as the rest of the request path does.
    """

    def __init__(self, engine: Engine) -> None:
        self._connect_args = engine.dialect.create_connect_args(engine.url)
        self._connection: psycopg.AsyncConnection[tuple[Any, ...]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock: asyncio.Lock | None = None
        self._paused_until = 0.0

    async def read(self) -> int | None:
        """The current data version; raises when it cannot be read on this loop now."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:
            # A connection (and a lock) belongs to the loop it was made on: an app served by
            # another loop (a test client's) starts afresh there.
            self._forget()
            self._loop, self._lock = loop, asyncio.Lock()
        assert self._lock is not None
        if time.monotonic() < self._paused_until:
            raise BlockingIOError("the version watch failed a moment ago")
        async with self._lock:
            try:
                if self._connection is None or self._connection.closed:
                    args, kwargs = self._connect_args
                    self._connection = await psycopg.AsyncConnection.connect(
                        *args, **kwargs, autocommit=True
                    )
                cursor = await self._connection.execute(_READ_VERSION)
                row = await cursor.fetchone()
                return None if row is None else int(row[0])
            except BaseException as exc:
                # A connection in an unknown state (or a cancelled read) is not trusted again;
                # only a failure, not a client that went away, leaves the watch alone a while.
                if not isinstance(exc, asyncio.CancelledError):
                    self._paused_until = time.monotonic() + _PAUSE_AFTER_FAILURE_SECONDS
                await self.close()
                raise

    async def close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and asyncio.get_running_loop() is self._loop:
            await connection.close()

    def _forget(self) -> None:
        # Its loop is gone or not running here: the socket closes with the object.
        self._connection = None

import asyncio
import json
import threading
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from typing import Annotated, Any

import psycopg
import pydantic_core
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.db import kept_sql, versions
from app.db.replicas import ReadRouter, ReadTarget
from app.settings import Settings, get_settings

# anyio's default thread limit: no more requests can hold a connection at once.
READER_POOL_SIZE = 40
# PostgreSQL: at most this many read sessions kept between requests, each holding a server
# connection (KeptReadSessions); past it a read checks a connection out of the pool as before.
KEPT_POSTGRESQL_SESSIONS = 16
SQLITE_MMAP_BYTES = 1 << 30
# Closing a session returns its connection to the pool (a ROLLBACK): threads of their own,
# which never wait for a connection, so a close can always run.
_CLOSERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="incidentdb-close")


def create_db_engine(url: str, *, writer: bool = False, settings: Settings | None = None) -> Engine:
    """An engine configured for incidentdb: WAL and FK checks on SQLite, timeouts on PostgreSQL.

    `settings` default to the environment's, read once here, when the process starts.
    """
    settings = settings or get_settings()
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        pool: dict[str, Any] = {}
        if not writer and parsed.database not in (None, "", ":memory:"):
            # One pooled connection per thread that can hold one. With SQLAlchemy's default
            # (5 kept, 10 overflow) 16 concurrent clients opened and closed a connection per
            # request (PRAGMAs, schema parse, a cold page cache each time): requests/s fell
            # from 4 to 16 connections (profiled).
            pool = {"pool_size": READER_POOL_SIZE, "max_overflow": READER_POOL_SIZE // 2}
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False},
            json_deserializer=loads_json,
            **pool,
        )
        _configure_sqlite(engine, busy_timeout_ms=settings.sqlite_busy_timeout_ms, writer=writer)
        return engine
    connect_args: dict[str, Any] = {"connect_timeout": settings.connect_timeout_seconds}
    if not writer and settings.statement_timeout_ms:
        # Readers get a timeout so a pathological query cannot hold a worker; an ingest
        # may legitimately run longer.
        connect_args["options"] = f"-c statement_timeout={settings.statement_timeout_ms}"
    engine = create_engine(
        url,
        pool_pre_ping=True,
        # Room for the kept read sessions' connections besides SQLAlchemy's default 5 + 10,
        # so that what keeps them never leaves the other reads fewer (KeptReadSessions).
        max_overflow=10 + (0 if writer else KEPT_POSTGRESQL_SESSIONS),
        connect_args=connect_args,
        json_deserializer=loads_json,
    )
    if not writer:
        # One response is several queries (count, page, eager loads). Under READ COMMITTED
        # each had its own snapshot, and an ingest committing between them gave a page from
        # two states of the database. A read-only REPEATABLE READ transaction is one
        # snapshot, never fails to serialize, and cannot write whatever the role may do.
        _configure_postgresql_reader(engine)
    return engine


def loads_json(document: str | bytes) -> Any:
    """`json.loads` of a JSON column's value, by pydantic-core's parser: the same values
    (every number as json.loads reads it: big integers, NaN, Infinity; the last of repeated
    keys; tests/api/test_json_columns.py), ~5x faster. A statement list parsed a confidence's
    evidence per row with json.loads, ~3 us each (profiled). What pydantic-core refuses (a
    lone surrogate escape, deep nesting) json.loads reads, or refuses as it always did."""
    try:
        return pydantic_core.from_json(document)
    except ValueError:
        return json.loads(document)


def _configure_sqlite(engine: Engine, *, busy_timeout_ms: int, writer: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling defers BEGIN and cannot take the write lock up
        # front; we issue BEGIN ourselves (below), so autocommit at the driver level.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        # WAL lets the API keep reading its snapshot while an ingest writes.
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        if not writer:
            # Readers map the file: every pooled connection reads the one copy in the OS page
            # cache instead of filling a private page cache of its own.
            cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
            # And cannot write, whatever a bug asks of them.
            cursor.execute("PRAGMA query_only=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A writer takes the lock at BEGIN, so two ingests serialise instead of failing late
        # with "database is locked" after half their work.
        if writer:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            # Every request's transaction: past SQLAlchemy's execution path (app/db/kept_sql.py).
            kept_sql.execute_plain(conn, "BEGIN")


# Every reader transaction, begun by incidentdb itself (the connections are in autocommit at
# the driver, as SQLite's are): read-only REPEATABLE READ, one snapshot per response.
PG_READER_BEGIN = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"


def _configure_postgresql_reader(engine: Engine) -> None:
    """A PostgreSQL reader's transaction begun in the pool's ping, with its data version.

    A list page was seven round trips: the ETag's version (the watch), the pool's ping (an
    empty query), psycopg's `BEGIN`, the transaction's data version, the page, its links,
    `ROLLBACK`. Each one, under concurrent requests, is a wake-up of a PostgreSQL backend and
    a wait to take the GIL back (py-spy at 4 connections: the request threads spent most of a
    request in psycopg's wait). Here the ping *is* the `BEGIN` and the version read, in one
    simple query (`versions.begins_with_version`): five round trips. A connection that died is
    still found by the ping (and replaced, as before: no 503 after a restart); where the
    version row's table is missing (a database not migrated yet) the connection pings as
    before and reads the version the ordinary way.
    """
    dialect = engine.dialect
    plain_ping = dialect.do_ping

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # No implicit BEGIN from psycopg: the ping or the begin listener below sends it.
        dbapi_connection.autocommit = True

    def do_ping(dbapi_connection: Any) -> bool:
        if versions.begins_with_version(dbapi_connection):
            return True
        return bool(plain_ping(dbapi_connection))

    dialect.do_ping = do_ping  # type: ignore[method-assign]

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        dbapi_connection = conn.connection.driver_connection
        if versions.begun_by_ping(dbapi_connection):
            return
        # Not begun by a checkout's ping: a kept read session's next transaction
        # (KeptReadSessions), begun with its version in one round trip as the ping does.
        try:
            begun = versions.begins_with_version(dbapi_connection)
        except psycopg.Error as error:
            # A lost connection: invalidated and reported as any statement's error would be.
            conn._handle_dbapi_exception(error, versions.BEGIN_AND_READ, (), None, None)
        if not begun:
            kept_sql.execute_plain(conn, PG_READER_BEGIN)

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, _record: Any) -> None:
        versions.forget_begun(dbapi_connection)


class KeptSession(Session):
    """A read session kept between requests on a connection of its own (KeptReadSessions).

    Its SQLAlchemy transaction is opened once, when it is made, and stays open; each request's
    database transaction is begun and ended on the DBAPI connection beneath it (`begin_read`,
    then `close`). Through the Session and its Connection a begin and a close cost ~35 us more
    CPU than their two round trips on PostgreSQL (78 against 43 us a cycle) and ~19 us more on
    SQLite (21 against 2), measured (bench/README, "Session 36"). Between requests no database
    transaction is open: no snapshot held, no lock that an ingest's DDL would wait for.

    `close()` is what a route calls when done with the database: here it ends the request's
    read (ROLLBACK) and forgets what the session held (`info`, its identity map), as
    `Session.close()` does, and the session stays usable for the next request. `discard()`
    closes it for good.
    """

    def __init__(self, connection: Connection) -> None:
        super().__init__(bind=connection, expire_on_commit=False)
        self._connection = connection
        self._driver: Any = connection.connection.driver_connection
        self._postgresql = connection.dialect.name == "postgresql"
        self.connection()  # SQLAlchemy's transaction, open from now on
        self._end_transaction()  # the database's, that opening it began

    def begin_read(self) -> None:
        """Begin a request's transaction: PostgreSQL's read-only REPEATABLE READ with its data
        version in one round trip (as a checkout's ping does), SQLite's `BEGIN`. A DBAPI error
        (a connection that broke) is raised as the driver's own."""
        if not self._postgresql:
            self._driver.execute("BEGIN")
        elif not versions.begins_with_version(
            self._driver, kept_sql.kept_cursor(self._driver, self._connection.connection.info)
        ):
            self._driver.execute(PG_READER_BEGIN)  # no version row's table (not migrated)

    def close(self) -> None:
        """End this request's read and forget what it held; the session stays kept."""
        self.info.clear()
        if self.identity_map:
            self.expunge_all()
        if not self.serves_again():
            return
        try:
            self._end_transaction()
        except self._connection.dialect.loaded_dbapi.Error:
            # The connection broke after the read: what was read stands, and the session
            # is not kept (its connection invalidated, so `serves_again` says no).
            self._connection.invalidate()

    def serves_again(self) -> bool:
        """Whether the session can serve another request: its connection did not break, and
        its SQLAlchemy transaction is the one opened when it was made (nothing ended it)."""
        transaction = self.get_transaction()
        connection = self._connection
        return (
            not (connection.closed or connection.invalidated)
            and transaction is not None
            and transaction.is_active
            and connection.in_transaction()
        )

    def discard(self) -> None:
        """Close the session and its connection for good."""
        try:
            super().close()
        finally:
            self._connection.close()

    def _end_transaction(self) -> None:
        if self._postgresql:
            self._driver.rollback()  # a round trip only when a transaction is open
            versions.forget_begun(self._driver)
        elif self._driver.in_transaction:
            self._driver.execute("ROLLBACK")


class KeptReadSessions:
    """Read sessions kept between requests, each on a connection of its own.

    A request's read session was made, given a connection out of the pool and its transaction,
    then closed and its connection given back: ~85 us of a request's CPU on SQLite (of a
    relevance page's ~1 ms above its SQL, measured in process at 1M; bench/README "Session
    33"). A kept session (KeptSession) does only what a read needs: its transaction, begun and
    ended on its DBAPI connection (one snapshot per response, as before). One session serves
    one request at a time, on whichever thread, and forgets what it held (`info`, its identity
    map) when given back. A connection that broke is not kept. Past `limit` sessions in use, a
    request has a session made as before.

    On PostgreSQL a checkout's ping began the transaction with its data version and found a
    connection that died (a restarted server). A kept session begins its transaction when it
    is taken, with its version in the same one round trip; a connection found lost then is
    dropped, and that read has a session made as before, whose checkout pings. Each kept
    session holds a server connection: the reader pool has room for them besides its own
    (`KEPT_POSTGRESQL_SESSIONS`).
    """

    def __init__(self, engine: Engine, limit: int) -> None:
        self._engine = engine
        self._limit = limit
        self._idle: list[KeptSession] = []
        self._made = 0
        self._closed = False
        self._lock = threading.Lock()

    def __call__(self) -> AbstractContextManager[Session]:
        return self._lent()

    @contextmanager
    def _lent(self) -> Iterator[Session]:
        session = self._take()
        try:
            yield session
        finally:
            self._give_back(session)

    def _take(self) -> Session:
        session = self._idle_or_new()
        if not isinstance(session, KeptSession):
            return session
        try:
            session.begin_read()
        except self._engine.dialect.loaded_dbapi.Error:
            # A connection that broke (a restarted server, a closed file): dropped, and this
            # read has a session made as before, whose checkout pings (or whose own begin
            # reports the database's error the way every statement's error is reported).
            session.bind.invalidate()  # type: ignore[union-attr]
            self._drop(session)
            return Session(bind=self._engine, expire_on_commit=False)
        return session

    def _idle_or_new(self) -> Session:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            kept = not self._closed and self._made < self._limit
            if kept:
                self._made += 1
        if not kept:
            return Session(bind=self._engine, expire_on_commit=False)
        try:
            connection = self._engine.connect()  # a checkout: pinged
        except BaseException:
            with self._lock:
                self._made -= 1
            raise
        try:
            return KeptSession(connection)
        except BaseException as error:
            with self._lock:
                self._made -= 1
            connection.close()
            if isinstance(error, self._engine.dialect.loaded_dbapi.Error):
                return Session(bind=self._engine, expire_on_commit=False)  # as in _take
            raise

    def _give_back(self, session: Session) -> None:
        if not isinstance(session, KeptSession):
            session.close()  # made for this request: its connection back to the pool
            return
        ended = False
        try:
            session.close()  # ends its transaction: ROLLBACK
            ended = session.serves_again()
        finally:
            if not (ended and self._kept(session)):
                self._drop(session)

    def _kept(self, session: KeptSession) -> bool:
        with self._lock:
            if self._closed:
                return False
            self._idle.append(session)
            return True

    def _drop(self, session: KeptSession) -> None:
        with self._lock:
            self._made -= 1
        session.discard()

    def close(self) -> None:
        """Close the idle sessions' connections; those in use close when given back."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
            self._made -= len(idle)
        for session in idle:
            session.discard()


ReadSessions = Callable[[], AbstractContextManager[Session]]


def kept_read_sessions(engine: Engine) -> KeptReadSessions | None:
    """Kept read sessions for a reader engine (see KeptReadSessions).

    None for an in-memory SQLite database, whose every thread has a database of its own."""
    if engine.dialect.name == "postgresql":
        return KeptReadSessions(engine, KEPT_POSTGRESQL_SESSIONS)
    if engine.url.database in (None, "", ":memory:"):
        return None
    return KeptReadSessions(engine, READER_POOL_SIZE)


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's read session.

    `async`, so FastAPI does not hop to a worker thread to build it and again to close it:
    a Session connects on its first query (in the route's thread), and a route that already
    closed it leaves nothing to do here. Three thread-pool hops per request were the biggest
    cost after the queries themselves under concurrent load (profiled with py-spy).
    """
    # The API is read-only: a request never commits; closing ends its read transaction.
    router: ReadRouter | None = request.app.state.read_router
    if router is not None and getattr(request.state, "read_target", None) is None:
        # Not chosen yet (paths the ETag middleware skips, like /health): choose now.
        seen: int | None = getattr(request.state, "version_seen", None)
        request.state.read_target = await run_in_threadpool(router.choose, seen)
    session = read_sessionmaker(request)()
    try:
        yield session
    finally:
        if session.in_transaction():
            # Not the request threads: 50 clients on PostgreSQL (a pool of 15) deadlocked when
            # every request thread waited for a pooled connection that only a close waiting
            # for a request thread would give back (tests/reliability/test_load.py, py-spy,
            # pg_stat_activity: 15 sessions idle in transaction). For the same reason a route
            # that returns a model (FastAPI validates it in another hop to a request thread)
            # closes its session itself before returning; list routes do in app/api/listing.
            await asyncio.get_running_loop().run_in_executor(_CLOSERS, session.close)
        else:
            session.close()


def read_sessionmaker(request: Request) -> sessionmaker[Session]:
    """Sessions on the database this request reads: its chosen replica, else the one database."""
    target: ReadTarget | None = getattr(request.state, "read_target", None)
    if target is not None:
        return target.sessionmaker
    factory: sessionmaker[Session] = request.app.state.sessionmaker
    return factory


SessionDep = Annotated[Session, Depends(get_session)]

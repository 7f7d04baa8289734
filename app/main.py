"""The ASGI application: routers, error handlers, offline docs, /health."""

import gc
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import anyio.to_thread
import psycopg
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from pydantic import BaseModel, Field
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from app import __version__
from app.actors import router as actors_router
from app.api import errors, openapi
from app.api.caching import ConditionalRequests, HeadRequests
from app.api.direct import CheapReads
from app.api.limits import RequestLimits
from app.changes import router as changes_router
from app.db import versions
from app.db.replicas import ReadRouter
from app.db.session import (
    KeptReadSessions,
    SessionDep,
    create_db_engine,
    kept_read_sessions,
)
from app.db.versions import PostgresVersionWatch, SqliteVersionWatch
from app.incidents import columns as incident_columns
from app.incidents import router as incidents_router
from app.kit import search
from app.settings import Settings, get_settings
from app.sources import router as sources_router
from app.sources import service as sources_service
from app.statements import columns as statement_columns
from app.statements import router as statements_router
from app.web import router as web_router


class Health(BaseModel):
    status: str = Field(description="`ok` when the database answers.", examples=["ok"])
    version: str = Field(description="incidentdb version.", examples=[__version__])
    database: str = Field(
        description="Database backend: `sqlite` or `postgresql`.", examples=["sqlite"]
    )


def _version_reader(
    factory: sessionmaker[Session],
    version_watch: SqliteVersionWatch | None,
    read_router: ReadRouter | None,
    postgres_watch: PostgresVersionWatch | None = None,
) -> Callable[[Scope, int | None], Awaitable[int | None]]:
    """How the ETag middleware learns the data version a request will be served at."""

    def choose_read_target(scope: Scope, seen: int | None) -> int | None:
        assert read_router is not None
        # Chosen once per request, here: the ETag names the version of the database that
        # then serves the response (app/db/session.py reads the same choice).
        state = scope.setdefault("state", {})
        # Kept for the session dependency, which chooses again if this choice failed.
        state["version_seen"] = seen
        target = read_router.choose(seen)
        state["read_target"] = target
        return target.version

    def read_in_session() -> int | None:
        with factory() as session:
            return versions.data_version(session)

    async def data_version(scope: Scope, seen: int | None) -> int | None:
        if read_router is not None:
            return await run_in_threadpool(choose_read_target, scope, seen)
        if version_watch is not None:
            try:
                return version_watch.read()
            except (sqlite3.Error, BlockingIOError):
                pass  # it would have to wait: read it the ordinary way, in a worker thread
        if postgres_watch is not None:
            try:
                return await postgres_watch.read()
            except (psycopg.Error, OSError):
                pass  # unreachable, or failed a moment ago: the ordinary way reports it
        return await run_in_threadpool(read_in_session)

    return data_version


async def _close_readers(
    engine: Engine,
    version_watch: SqliteVersionWatch | None,
    postgres_watch: PostgresVersionWatch | None,
    read_sessions: KeptReadSessions | None,
    read_router: ReadRouter | None,
) -> None:
    """Close every connection the service reads with, when it stops."""
    if version_watch is not None:
        version_watch.close()
    if postgres_watch is not None:
        await postgres_watch.close()
    if read_sessions is not None:
        read_sessions.close()
    engine.dispose()
    if read_router is not None:
        read_router.dispose()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the application; uvicorn calls this (`--factory`)."""
    settings = settings or get_settings()
    search.RANKINGS.max_matches = settings.search_ranking_matches
    search.MATCH_SETS.max_matches = settings.search_ranking_matches
    engine = create_db_engine(settings.database_url, settings=settings)
    # Every request's ETag reads the data version: on SQLite on the event loop, no hop.
    version_watch = SqliteVersionWatch(engine) if engine.dialect.name == "sqlite" else None
    postgres_watch = (
        PostgresVersionWatch(engine)
        if engine.dialect.name == "postgresql" and not settings.database_replica_urls
        else None
    )
    read_router = (
        ReadRouter(
            engine,
            [create_db_engine(url, settings=settings) for url in settings.database_replica_urls],
        )
        if settings.database_replica_urls
        else None
    )
    # The direct routes' read sessions, kept between requests (app/db/session.py).
    read_sessions = kept_read_sessions(engine) if read_router is None else None

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Everything built at start-up lives as long as the process: move it out of the
        # collector's generations, so the full collections that land on a request stay short.
        gc.collect()
        gc.freeze()
        collector_thresholds = gc.get_threshold()
        if settings.gc_threshold:
            gc.set_threshold(settings.gc_threshold, *collector_thresholds[1:])
        anyio.to_thread.current_default_thread_limiter().total_tokens = settings.request_threads
        if settings.incident_columns:
            incident_columns.prepare(engine)  # read in the background, ~3 s at 1M
        statement_columns.prepare(engine)  # in the background, 0.2-0.9 s at 1M
        sources_service.prepare(engine)  # SQLite: the sources' dates, 35-65 ms at 1M
        yield
        gc.set_threshold(*collector_thresholds)
        await _close_readers(engine, version_watch, postgres_watch, read_sessions, read_router)

    app = FastAPIOffline(
        lifespan=lifespan,
        title="incidentdb",
        version=__version__,
        summary="Diplomatic incidents, who said what, and where it was reported.",
        description=(
            "A read-only REST API over a database of diplomatic incidents, the statements made "
            "about them (with exact character offsets into their sources) and the sources that "
            "report them. Errors are `application/problem+json` (RFC 9457)."
        ),
        static_url="/static-docs",
        # operationIds are the route functions' names (list_incidents, get_actor, ...), so a
        # generated client reads like the API instead of `list_incidents_incidents_get`.
        generate_unique_id_function=lambda route: route.name,
    )
    app.state.engine = engine
    app.state.sessionmaker = sessionmaker(bind=engine, expire_on_commit=False)
    app.state.read_sessions = read_sessions
    app.state.settings = settings
    app.state.read_router = read_router
    # SQLite: reads measured cheap are answered on the event loop (app/api/direct.py).
    app.state.cheap_reads = CheapReads() if engine.dialect.name == "sqlite" else None
    errors.install(app)
    openapi.install(app)

    # PostgreSQL (one database): a list's ETag names the version its read saw, read after its
    # route (app/api/caching.py `versioned_after`); filled in once the routes are in.
    list_paths: set[str] = set()
    app.add_middleware(
        ConditionalRequests,
        data_version=_version_reader(
            app.state.sessionmaker, version_watch, read_router, postgres_watch
        ),
        cache_control=settings.cache_control,
        app_version=__version__,
        kept_responses=settings.kept_responses,
        versioned_after=list_paths if postgres_watch is not None else (),
    )
    app.add_middleware(
        RequestLimits,
        max_query_bytes=settings.max_query_bytes,
        max_repeats=settings.max_repeated_parameter,
    )
    # HEAD is answered as GET (with its ETag), minus the body.
    app.add_middleware(HeadRequests)
    if settings.cors_origins:
        # Outermost, so errors carry the CORS headers too and a browser can read them.
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "HEAD"],
            allow_headers=["If-None-Match"],
            expose_headers=["ETag"],
            max_age=3600,
        )

    @app.get("/health", tags=["meta"], summary="Liveness and database check")
    def health(session: SessionDep) -> Health:
        """Answers `ok` when the database answers a query."""
        session.execute(text("SELECT 1"))
        database = session.get_bind().dialect.name
        session.close()  # before FastAPI's validation hop: see app/db/session.py get_session
        return Health(status="ok", version=__version__, database=database)

    for router in (
        incidents_router.router,
        actors_router.router,
        statements_router.router,
        sources_router.router,
        changes_router.router,
    ):
        app.include_router(router)
        list_paths.update(
            route.path
            for route in router.routes
            if isinstance(route, APIRoute) and getattr(route, "answers_lists", False)
        )
    # The pages people read (/, /browse/...), with their stylesheet and HTML error pages.
    web_router.install(app)
    return app

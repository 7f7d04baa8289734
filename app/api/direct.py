"""Detail routes whose common case skips FastAPI's per-request machinery.

A random incident's detail is one SQL statement and ~0.25 ms of its own; FastAPI's request
handling around it (the request's two exit stacks, solving the session dependency as an async
generator, validating the path parameter, the route's exception wrapper) cost ~0.15 ms more,
on the event loop that every request shares (measured, bench/README "eighth pass"). A route
class made by `direct_route` keeps everything FastAPI knows of the route (its parameters,
response model and OpenAPI operation are declared as usual) but answers a GET itself: `read`
runs in a request thread with a session on the database this request reads, and returns the
response, or None to let FastAPI answer as it always did (a parameter FastAPI would refuse, so
its 422 stays FastAPI's own). Errors raised by `read` reach the same exception handlers as a
route's (NotFound's 404, a database that is down's 503).

On SQLite a read already measured cheap for the same URL at the same data version runs on the
event loop, without the thread-pool hop: handing a read to a request thread and its answer back
cost ~0.18 ms of CPU a request (two wake-ups of waiting threads), a sixth of a list page's
(bench/README "Request path, twelfth pass"). Every read runs in a request thread first; one
that took `CHEAP_READ_SECONDS` or more there, or on the loop, goes back to a thread; so does
every read while other requests are about to read or reading (`CheapReads.alone`): the loop
is for a request that has it to itself. Not on PostgreSQL, whose reads wait for the server.
"""

import asyncio
import time
from collections.abc import Callable

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.api.caching import ETAG_VERSION
from app.api.keys import refused_key
from app.db.session import ReadSessions, read_sessionmaker

DirectRead = Callable[[Request, Session], Response | None]

# A read that took less than this of its thread's CPU time is answered on the event loop the
# next time its URL is asked at the same data version, unless a read is then under way in a
# request thread (the loop, holding the GIL from one read to the next, would keep that read
# waiting to take the GIL back after each SQLite call: p99 at 16 connections doubled when the
# two were mixed). CPU time, not wall time: a read's wall time in a thread is the other
# threads' as much as its own. A list page at 1M is ~1 ms of CPU.
CHEAP_READ_SECONDS = 0.002
# A read on the loop that took longer than this (wall time: a cold page of the file read from
# disk) goes back to a request thread.
CHEAP_READ_WALL_SECONDS = 0.02
# URLs known to be cheap, at most (then forgotten all at once, and measured again).
_CHEAP_URLS = 4096


class CheapReads:
    """The URLs whose read was measured cheap, per data version, and how many reads are under
    way in request threads (see the module's docstring)."""

    def __init__(self) -> None:
        self._version: int | None = None
        self._cheap: set[tuple[str, bytes]] = set()
        self.in_threads = 0  # changed on the event loop only
        self._asking = 0  # requests in `alone`, on the event loop

    def known(self, version: int, url: tuple[str, bytes]) -> bool:
        return version == self._version and url in self._cheap and not self.in_threads

    async def alone(self) -> bool:
        """Whether no other request is about to read: the other requests the loop has ready
        (concurrent clients' requests parsed in the same turn) first run up to here, and no
        read is under way in a request thread. With concurrent clients reads stay in request
        threads, which overlap SQLite's work with Python's on a second core: every cheap read
        on the loop cost `count=none` and `actor=Iran` 6-7 % of their requests/s at 16
        connections in one measured pair (bench/README "twelfth pass")."""
        self._asking += 1
        try:
            await asyncio.sleep(0)
            return self._asking == 1 and not self.in_threads
        finally:
            self._asking -= 1

    def measured(self, version: int, url: tuple[str, bytes], cpu: float, wall: float) -> None:
        if version != self._version:
            self._version, self._cheap = version, set()
        if cpu >= CHEAP_READ_SECONDS or wall >= CHEAP_READ_WALL_SECONDS:
            self._cheap.discard(url)
        elif len(self._cheap) < _CHEAP_URLS:
            self._cheap.add(url)
        else:
            self._cheap = {url}


def by_key(detail: Callable[[Request, Session, str], Response]) -> DirectRead:
    """The DirectRead of a detail route whose one path parameter is `key` (app/api/keys.py):
    `detail(request, session, key)`, but a key FastAPI refuses is left to it, whose 422 it
    is."""

    def read(request: Request, session: Session) -> Response | None:
        key: str = request.path_params["key"]
        if refused_key(key):
            return None
        return detail(request, session, key)

    return read


def direct_route(read: DirectRead, *, lists: bool = False) -> type[APIRoute]:
    """An APIRoute class whose GETs `read` answers (see the module's docstring); `lists`: a
    list route's (app/api/listing.py), whose responses are never kept."""

    def answer(factory: ReadSessions, request: Request) -> Response | None:
        with factory() as session:
            return read(request, session)

    def timed(
        factory: ReadSessions,
        request: Request,
        cheap: CheapReads,
        version: int,
        in_thread: bool,
    ) -> Response | None:
        cpu, wall = time.thread_time(), time.perf_counter()
        try:
            return answer(factory, request)
        finally:
            cpu, wall = time.thread_time() - cpu, time.perf_counter() - wall
            # In a thread, only its CPU time says what the read costs (see above).
            url = (request.scope["path"], request.scope["query_string"])
            cheap.measured(version, url, cpu, 0.0 if in_thread else wall)

    async def in_thread(
        factory: ReadSessions, request: Request, cheap: CheapReads, version: int
    ) -> Response | None:
        cheap.in_threads += 1
        try:
            return await run_in_threadpool(timed, factory, request, cheap, version, True)
        finally:
            cheap.in_threads -= 1

    class DirectRoute(APIRoute):
        answers_lists = lists

        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] == "GET":
                request = Request(scope, receive, send)
                factory = _sessions(request)
                if factory is not None:
                    cheap: CheapReads | None = request.app.state.cheap_reads
                    version: int | None = scope.get("state", {}).get(ETAG_VERSION)
                    if cheap is None or version is None:
                        response = await run_in_threadpool(answer, factory, request)
                    elif cheap.known(version, (scope["path"], scope["query_string"])) and (
                        await cheap.alone()
                    ):
                        response = timed(factory, request, cheap, version, False)  # on the loop
                    else:
                        response = await in_thread(factory, request, cheap, version)
                    if response is not None:
                        await response(scope, receive, send)
                        return
            await super().handle(scope, receive, send)

    return DirectRoute


def _sessions(request: Request) -> ReadSessions | None:
    """Sessions on the database this request reads; None when the read replica is not chosen
    yet (the ETag middleware could not): the session dependency chooses, and reports."""
    chosen = getattr(request.state, "read_target", None) is not None
    if request.app.state.read_router is not None and not chosen:
        return None
    # Sessions kept between requests (app/db/session.py KeptReadSessions).
    kept: ReadSessions | None = request.app.state.read_sessions
    return kept if kept is not None else read_sessionmaker(request)

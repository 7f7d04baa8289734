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
"""

from collections.abc import Callable

from fastapi.routing import APIRoute
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from app.db.session import read_sessionmaker

DirectRead = Callable[[Request, Session], Response | None]


def direct_route(read: DirectRead) -> type[APIRoute]:
    """An APIRoute class whose GETs `read` answers (see the module's docstring)."""

    def answer(factory: sessionmaker[Session], request: Request) -> Response | None:
        with factory() as session:
            return read(request, session)

    class DirectRoute(APIRoute):
        async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] == "http" and scope["method"] == "GET":
                request = Request(scope, receive, send)
                factory = _sessions(request)
                if factory is not None:
                    response = await run_in_threadpool(answer, factory, request)
                    if response is not None:
                        await response(scope, receive, send)
                        return
            await super().handle(scope, receive, send)

    return DirectRoute


def _sessions(request: Request) -> sessionmaker[Session] | None:
    """Sessions on the database this request reads; None when the read replica is not chosen
    yet (the ETag middleware could not): the session dependency chooses, and reports."""
    chosen = getattr(request.state, "read_target", None) is not None
    if request.app.state.read_router is not None and not chosen:
        return None
    return read_sessionmaker(request)

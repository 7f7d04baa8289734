"""One error shape everywhere: RFC 9457 application/problem+json."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.errors import InvalidParameter, NotFound

logger = logging.getLogger("incidentdb")

PROBLEM_JSON = "application/problem+json"
PROBLEM_BASE = "https://incidentdb.org/problems/"


class InvalidParam(BaseModel):
    name: str = Field(description="The offending parameter, e.g. `limit` or `actor`.")
    reason: str


class ProblemDetail(BaseModel):
    """An error, as RFC 9457 describes it."""

    type: str = Field(
        description="A URI naming the kind of problem.", examples=[PROBLEM_BASE + "not-found"]
    )
    title: str = Field(description="Short summary of the kind of problem.", examples=["Not Found"])
    status: int = Field(description="The HTTP status code.", examples=[404])
    detail: str = Field(
        description="What went wrong in this request.",
        examples=["no incident with id or slug 'nope'"],
    )
    invalid_params: list[InvalidParam] | None = Field(
        default=None, description="For 422: every offending parameter and why."
    )


# Detail routes declare their 404; app/api/openapi.py gives every error its problem+json body.
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "Unknown id or slug."}}


def problem(
    status: int,
    detail: str,
    *,
    kind: str | None = None,
    invalid: list[InvalidParam] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + (kind or phrase.lower().replace(" ", "-")),
        "title": phrase,
        "status": status,
        "detail": detail,
    }
    if invalid is not None:
        body["invalid_params"] = [p.model_dump() for p in invalid]
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _param_name(loc: tuple[Any, ...]) -> str:
    # FastAPI locates errors as ("query", "limit") or ("path", "id"); the name is what a
    # client typed. A model-level error on a Query() model has no field: name the model.
    parts = (
        [str(p) for p in loc[1:] if not isinstance(p, int)]
        if len(loc) > 1
        else [str(p) for p in loc]
    )
    return ".".join(parts) or "request"


async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    invalid = []
    for error in exc.errors():
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        invalid.append(InvalidParam(name=_param_name(tuple(error.get("loc", ()))), reason=message))
    detail = "; ".join(f"{p.name}: {p.reason}" for p in invalid) or "invalid request"
    return problem(422, detail, kind="invalid-parameters", invalid=invalid)


async def _invalid_parameter(request: Request, exc: InvalidParameter) -> JSONResponse:
    return problem(
        422,
        str(exc),
        kind="invalid-parameters",
        invalid=[InvalidParam(name=exc.parameter, reason=exc.reason)],
    )


async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
    return problem(404, str(exc), kind="not-found")


async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"no route for {request.url.path}"
    if exc.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}; this API is read-only"
    return problem(exc.status_code, detail, headers=getattr(exc, "headers", None))


def _timed_out(exc: Exception) -> bool:
    """A query cancelled by the statement timeout (PostgreSQL) or interrupted (SQLite)."""
    original = getattr(exc, "orig", None)
    return isinstance(exc, OperationalError) and (
        type(original).__name__ == "QueryCanceled" or "interrupted" in str(original)
    )


# Seconds a client is asked to wait when the database cannot be reached: a restart or a
# fail-over takes a few; the pool's pre-ping reconnects on the first request after it.
RETRY_AFTER_SECONDS = 5


_SQLITE_UNAVAILABLE = ("unable to open database file", "database is locked", "disk I/O error")


def _database_unavailable(exc: Exception) -> bool:
    """The database is down, unreachable or out of connections: nothing wrong with the request.

    OperationalError is what drivers raise for a refused or dropped connection ("server closed
    the connection unexpectedly", "connection refused", SQLite's "unable to open database
    file"); a connection SQLAlchemy found broken mid-request is flagged invalidated.
    """
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if not isinstance(exc, OperationalError) or _timed_out(exc):
        return False
    original = getattr(exc, "orig", None)
    if type(original).__module__ == "sqlite3":
        # SQLite reports a broken schema ("no such table") as OperationalError too: that is a
        # bug to log as a 500, not an outage to wait out.
        return any(m in str(original) for m in _SQLITE_UNAVAILABLE)
    return True


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    if _database_unavailable(exc):
        # A load balancer takes the worker out on /health's 503; a client retries later.
        logger.warning("database unavailable on %s %s: %s", request.method, request.url.path, exc)
        return problem(
            503,
            "the database is unavailable; retry in a few seconds",
            kind="database-unavailable",
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )
    if _timed_out(exc):
        # Not a bug and not transient: this request asks for more than the time limit allows.
        logger.warning("query timed out on %s %s", request.method, request.url.path)
        return problem(
            503,
            "the query took longer than the server's time limit; narrow the filters "
            "(actor, type, dates) or sort by date instead of relevance",
            kind="query-timeout",
        )
    # Log the trace for operators; never send it (or SQL, or file paths) to the client.
    logger.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem(500, "an unexpected error occurred; it has been logged", kind="internal-error")


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(InvalidParameter, _invalid_parameter)  # type: ignore[arg-type]
    app.add_exception_handler(NotFound, _not_found)  # type: ignore[arg-type]
    app.add_exception_handler(StarletteHTTPException, _http)  # type: ignore[arg-type]
    # Database errors are answered here rather than as crashes: a database that is down is a
    # 503 the service recovers from by itself, not an error to re-raise into the server's log.
    app.add_exception_handler(DBAPIError, _unexpected)
    app.add_exception_handler(PoolTimeout, _unexpected)
    app.add_exception_handler(Exception, _unexpected)

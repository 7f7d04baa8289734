"""HTML error pages for the pages people read (`/` and `/browse/...`); JSON everywhere else.

The API's problem+json handlers stay as they are: each is wrapped, and a request for a page
gets the same status and the same explanation as an HTML page instead.
"""

from collections.abc import Awaitable, Callable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.templating import Jinja2Templates
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from app.errors import InvalidParameter, NotFound

Handler = Callable[[Request, Any], Response | Awaitable[Response]]


def is_page(path: str) -> bool:
    return path == "/" or path == "/browse" or path.startswith("/browse/")


def _validation_reasons(exc: RequestValidationError) -> list[tuple[str, str]]:
    reasons = []
    for error in exc.errors():
        loc = [str(p) for p in error.get("loc", ()) if not isinstance(p, int)]
        name = ".".join(loc[1:] if len(loc) > 1 else loc) or "request"
        reasons.append((name, str(error.get("msg", "invalid")).removeprefix("Value error, ")))
    return reasons


def _explain(request: Request, exc: Exception) -> tuple[int, str, list[tuple[str, str]]]:
    """(status, what went wrong, [(parameter, reason)]) for an exception on a page."""
    if isinstance(exc, RequestValidationError):
        reasons = _validation_reasons(exc)
        return 422, "Some of the values in this address cannot be used.", reasons
    if isinstance(exc, InvalidParameter):
        return (
            422,
            "Some of the values in this address cannot be used.",
            [(exc.parameter, exc.reason)],
        )
    if isinstance(exc, NotFound):
        return 404, f"There is no {exc.entity} called “{exc.key}”.", []
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            return 404, f"There is no page at {request.url.path}.", []
        if exc.status_code == 405:
            return 405, f"{request.method} is not allowed here: these pages are read-only.", []
        return exc.status_code, HTTPStatus(exc.status_code).phrase, []
    return 500, "Something went wrong on our side; it has been logged.", []


async def _call(handler: Handler, request: Request, exc: Exception) -> Response:
    response = handler(request, exc)
    return response if isinstance(response, Response) else await response


def install(app: FastAPI, templates: Jinja2Templates, headers: dict[str, str]) -> None:
    """Serve pages' errors as HTML; call after the API's handlers are installed."""

    def wrap(json_handler: Handler) -> Handler:
        async def handler(request: Request, exc: Exception) -> Response:
            if not is_page(request.url.path):
                return await _call(json_handler, request, exc)
            retry_after: dict[str, str] = {}
            if type(exc) is Exception or not isinstance(
                exc, (RequestValidationError, InvalidParameter, NotFound, StarletteHTTPException)
            ):
                # Let the API's handler log it (and turn a timeout or a database that is down
                # into 503); keep its status and its Retry-After.
                answer = await _call(json_handler, request, exc)
                status = answer.status_code
                if "retry-after" in answer.headers:
                    retry_after = {"Retry-After": answer.headers["retry-after"]}
            else:
                status = 0
            code, message, reasons = _explain(request, exc)
            code = status or code
            if status == 503:
                message = (
                    "The database is unavailable; try again in a few seconds."
                    if retry_after
                    else "The query took longer than the server allows; narrow the filters."
                )
            return templates.TemplateResponse(
                request,
                "error.html",
                {
                    "status": code,
                    "phrase": HTTPStatus(code).phrase,
                    "message": message,
                    "reasons": reasons,
                    "json_url": None,
                },
                status_code=code,
                headers={**headers, **(getattr(exc, "headers", None) or {}), **retry_after},
            )

        return handler

    for exc_type in (
        RequestValidationError,
        InvalidParameter,
        NotFound,
        StarletteHTTPException,
        DBAPIError,
        PoolTimeout,
        Exception,
    ):
        json_handler = app.exception_handlers.get(exc_type)
        if json_handler is not None:
            app.add_exception_handler(exc_type, wrap(json_handler))

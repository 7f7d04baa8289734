"""What every list route does: one JSON page, or the whole filtered set streamed as a file."""

import inspect
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar, get_args, get_origin, get_type_hints

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, TypeAdapter, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import QueryParams

from app.api import export
from app.api.caching import READ_VERSION
from app.api.direct import direct_route
from app.api.pages import Page, PlainPage
from app.db import versions
from app.db.session import SessionDep, read_sessionmaker
from app.kit.export import CsvShape
from app.settings import Settings

T = TypeVar("T")
M = TypeVar("M")
P = TypeVar("P", bound=BaseModel)


@dataclass(frozen=True)
class ListRequest:
    """What a list route works with: the request, its read session and the app's settings."""

    request: Request
    session: Session
    # The one Settings object create_app() was given: nothing re-reads the environment later.
    settings: Settings


async def _list_request(request: Request, session: SessionDep) -> ListRequest:
    # `async` only so that FastAPI calls it in place: it does no I/O, and a sync dependency
    # costs a thread-pool hop.
    return ListRequest(request, session, request.app.state.settings)


ListRequestDep = Annotated[ListRequest, Depends(_list_request)]


STREAMED = "With `format=csv|ndjson` (or the Accept header) the whole filtered set is streamed."


F = TypeVar("F", bound=BaseModel)


def add_list_route(
    router: APIRouter,
    name: str,
    summary: str,
    page: Callable[[ListRequest, F], P | PlainPage[Any]],
    streamed: Callable[[ListRequest, F], "Export[Any]"],
    *,
    exports: str | None = STREAMED,
) -> None:
    """`GET ""` on `router`: `page(r, f)` as JSON, or the whole set `streamed(r, f)` describes.

    The filters' model and the page's come from the annotations of `page` (a `PlainPage[T]`
    is documented as the `Page[T]` it serialises to), and the route's description from its
    docstring (then `exports`), so a domain's router says only what is its own: how to build
    a page and what an export holds.
    """
    description = inspect.getdoc(page) or ""
    if exports:
        description = f"{description}\n\n{exports}"
    hints = get_type_hints(page)
    filters, page_model = hints["f"], hints["return"]
    if get_origin(page_model) is PlainPage:
        page_model = Page[get_args(page_model)[0]]  # type: ignore[misc]

    as_json = TypeAdapter(page_model)

    def respond(r: ListRequest, f: Any) -> Response:
        result = list_or_export(r, f.format, lambda: page(r, f), lambda: streamed(r, f))
        if isinstance(result, Response):
            return result
        # The bytes FastAPI would make of it (pydantic-core, by alias), made here in the
        # route's thread: a returned model costs FastAPI another thread-pool hop to
        # re-validate the model it was given (profiled: one of four hops per request).
        body = (
            result.json()
            if isinstance(result, PlainPage)
            else as_json.dump_json(result, by_alias=True)
        )
        return Response(body, media_type="application/json")

    def endpoint(r: ListRequestDep, f: Any) -> Response:
        return respond(r, f)

    read_filters = QueryModelReader(filters)

    def direct(request: Request, session: Session) -> Response | None:
        f = read_filters(request.query_params)
        if f is None:
            return None  # FastAPI's own 422
        return respond(ListRequest(request, session, request.app.state.settings), f)

    # The query parameters are the filters' fields, as `f: Annotated[Filters, Query()]`.
    endpoint.__annotations__["f"] = Annotated[filters, Query()]
    router.add_api_route(
        "",
        endpoint,
        methods=["GET"],
        name=name,
        summary=summary,
        description=description,
        responses=export.EXPORT_CONTENT,
        response_model=page_model,
        route_class_override=direct_route(direct, lists=True),
    )


class QueryModelReader:
    """A query-parameter model validated as FastAPI validates `Annotated[Model, Query()]`,
    for a route that answers without FastAPI's request machinery (app/api/direct.py).

    Each field is read by its name: a list field from every value given (none given: its
    default), any other from the last value. A parameter the model does not know, or a value
    it refuses, gives None: the route then lets FastAPI answer, so every 422 stays FastAPI's
    own, word for word. tests/api/test_direct_lists.py compares the two paths.
    """

    def __init__(self, model: type[BaseModel]) -> None:
        self.model = model
        self.repeated = {
            name: get_origin(field.annotation) is list for name, field in model.model_fields.items()
        }

    def __call__(self, params: QueryParams) -> BaseModel | None:
        if not self.repeated.keys() >= params.keys():
            return None
        values: dict[str, Any] = {}
        for name in params:
            if self.repeated[name]:
                values[name] = params.getlist(name)
            else:
                values[name] = params[name]
        try:
            return self.model.model_validate(values)
        except ValidationError:
            return None


@dataclass(frozen=True)
class Export(Generic[T]):
    """How a list streams: its items from a fresh session, as JSON lines or as CSV files."""

    name: str  # file name of the NDJSON export
    items: Callable[[Session], Iterator[T]]
    json: Callable[[T], BaseModel]
    csv: Mapping[str, CsvShape[T]]  # by `format=` value

    @classmethod
    def of_items(
        cls, rows: Callable[[Session], Iterator[M]], read: Callable[[M], P], csv: CsvShape[P]
    ) -> "Export[P]":
        """A list whose NDJSON lines are its JSON items (`read` of each of `rows`) and whose
        one CSV is `csv`; both files are named after it."""

        def items(session: Session) -> Iterator[P]:
            return map(read, rows(session))

        return Export(csv.name, items, json=lambda item: item, csv={"csv": csv})


def export_of(
    query: Callable[[Session, F], Any],
    rows: Callable[[Session, Any], Iterator[M]],
    read: Callable[[M], P],
    csv: CsvShape[P],
) -> Callable[[ListRequest, F], Export[P]]:
    """The export of a list whose filters become one statement (`query`), streamed by `rows`."""

    def streamed(r: ListRequest, f: F) -> Export[P]:
        stmt = query(r.session, f)  # bad filters are a 422 here, before streaming starts
        return Export.of_items(lambda session: rows(session, stmt), read, csv)

    return streamed


def list_or_export(
    r: ListRequest,
    requested_format: str | None,
    page: Callable[[], T],
    streamed: Callable[[], Export[Any]],
) -> T | Response:
    """`page()` as JSON, or (format= or Accept) the whole set `streamed()` describes.

    `streamed()` runs before the response starts, so bad filters are still a 422.
    """
    fmt = export.negotiate(r.request, requested_format)
    if fmt == "json":
        built = page()
        # The version the page was read at, for its ETag (app/api/caching.py versioned_after).
        r.request.scope.setdefault("state", {})[READ_VERSION] = versions.read_version(r.session)
        # Done with the database: release the connection here, in the route's thread, so the
        # session dependency has nothing left to close on the event loop.
        r.session.close()
        return built
    spec = streamed()
    # The stream reads the database the page would have: a replica or the primary.
    factory = read_sessionmaker(r.request)

    def items() -> Iterator[Any]:
        # The request's session closes when the route returns; the stream outlives it.
        with factory() as session:
            yield from spec.items(session)

    if fmt == "ndjson":
        return export.ndjson_response(spec.name, (spec.json(item) for item in items()))
    file = spec.csv[fmt]
    return export.csv_response(file.name, file.columns, (file.row(item) for item in items()))

"""What every list route does: one JSON page, or the whole filtered set streamed as a file."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from app.api import export
from app.settings import Settings

T = TypeVar("T")
P = TypeVar("P", bound=BaseModel)


def _app_settings(request: Request) -> Settings:
    # The one Settings object create_app() was given: nothing re-reads the environment later.
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(_app_settings)]


@dataclass(frozen=True)
class CsvFile(Generic[T]):
    """One CSV shape of a list: its file name, its columns and how an item becomes a row."""

    name: str
    columns: Sequence[str]
    row: Callable[[T], dict[str, Any]]


@dataclass(frozen=True)
class Export(Generic[T]):
    """How a list streams: its items from a fresh session, as JSON lines or as CSV files."""

    name: str  # file name of the NDJSON export
    items: Callable[[Session], Iterator[T]]
    json: Callable[[T], BaseModel]
    csv: Mapping[str, CsvFile[T]]  # by `format=` value


def list_or_export(
    request: Request,
    requested_format: str | None,
    page: Callable[[], P],
    streamed: Callable[[], Export[Any]],
) -> P | Response:
    """`page()` as JSON, or (format= or Accept) the whole set `streamed()` describes.

    `streamed()` runs before the response starts, so bad filters are still a 422.
    """
    fmt = export.negotiate(request, requested_format)
    if fmt == "json":
        return page()
    spec = streamed()
    factory: sessionmaker[Session] = request.app.state.sessionmaker

    def items() -> Iterator[Any]:
        # The request's session closes when the route returns; the stream outlives it.
        with factory() as session:
            yield from spec.items(session)

    if fmt == "ndjson":
        return export.ndjson_response(spec.name, (spec.json(item) for item in items()))
    file = spec.csv[fmt]
    return export.csv_response(file.name, file.columns, (file.row(item) for item in items()))

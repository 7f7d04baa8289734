from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from app.actors import service
from app.actors.schemas import ActorDetail, ActorFilters, ActorRead
from app.api import convert, export
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get("", summary="List actors", responses=export.EXPORT_CONTENT)
def list_actors(
    request: Request, session: SessionDep, f: Annotated[ActorFilters, Query()]
) -> Page[ActorRead]:
    """States, persons and organizations, by name; filter by kind, country or text.

    With `format=csv|ndjson` (or the Accept header) the whole filtered set is streamed.
    """
    fmt = export.negotiate(request, f.format)
    if fmt != "json":
        return _export(request, session, f, fmt)  # type: ignore[return-value]
    window = service.list_actors(session, f)
    return Page[ActorRead].of([convert.actor(a) for a in window.items], window)


def _export(request: Request, session: SessionDep, f: ActorFilters, fmt: str) -> StreamingResponse:
    stmt = service.filtered_query(session, f)
    factory = request.app.state.sessionmaker

    def actors() -> Iterator[ActorRead]:
        with factory() as stream_session:
            for actor in service.iter_actors(stream_session, stmt):
                yield convert.actor(actor)

    if fmt == "ndjson":
        return export.ndjson_response("actors", actors())
    return export.csv_response("actors", convert.ACTOR_COLUMNS, map(convert.actor_row, actors()))


@router.get("/{key}", responses=NOT_FOUND, summary="One actor")
def get_actor(
    session: SessionDep,
    key: Annotated[str, Path(description="Actor id or slug.", examples=["iran"], max_length=200)],
) -> ActorDetail:
    """An actor with its aliases, affiliation and directly affiliated members."""
    return convert.actor_detail(service.get_actor(session, key))

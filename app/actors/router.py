from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.actors import service
from app.actors.schemas import (
    ACTOR_COLUMNS,
    ActorDetail,
    ActorFilters,
    ActorRead,
    actor_detail,
    actor_read,
    actor_row,
)
from app.api.errors import NOT_FOUND
from app.api.export import EXPORT_CONTENT
from app.api.listing import CsvFile, Export, SettingsDep, list_or_export
from app.api.pages import Page
from app.db.session import SessionDep

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get("", summary="List actors", responses=EXPORT_CONTENT, response_model=Page[ActorRead])
def list_actors(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    f: Annotated[ActorFilters, Query()],
) -> Page[ActorRead] | Response:
    """States, persons and organizations, by name; filter by kind, country or text.

    With `format=csv|ndjson` (or the Accept header) the whole filtered set is streamed.
    """

    def page() -> Page[ActorRead]:
        window = service.list_actors(session, f, settings)
        return Page[ActorRead].of([actor_read(a) for a in window.items], window)

    def streamed() -> Export[ActorRead]:
        stmt = service.filtered_query(session, f)
        return Export(
            "actors",
            lambda s: map(actor_read, service.iter_actors(s, stmt)),
            json=lambda item: item,
            csv={"csv": CsvFile("actors", ACTOR_COLUMNS, actor_row)},
        )

    return list_or_export(request, f.format, page, streamed)


@router.get("/{key}", responses=NOT_FOUND, summary="One actor")
def get_actor(
    session: SessionDep,
    key: Annotated[str, Path(description="Actor id or slug.", examples=["iran"], max_length=200)],
) -> ActorDetail:
    """An actor with its aliases, affiliation and directly affiliated members."""
    return actor_detail(service.get_actor(session, key))

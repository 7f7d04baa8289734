from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.actors import schemas, service
from app.api.caching import keep_response
from app.api.errors import NOT_FOUND
from app.api.keys import KEY_LENGTH, NO_NUL
from app.api.links import html_url
from app.api.listing import ListRequest, add_list_route, export_of
from app.api.pages import PlainPage
from app.api.responses import json_response
from app.db.session import SessionDep

router = APIRouter(prefix="/actors", tags=["actors"])

ActorKey = Annotated[
    str,
    Path(description="Actor id or slug.", examples=["iran"], max_length=KEY_LENGTH),
    NO_NUL,
]


def _page(r: ListRequest, f: schemas.ActorFilters) -> PlainPage[schemas.ActorRead]:
    """States, persons and organizations, by name; filter by kind, country or text."""
    window = service.list_actors(r.session, f, r.settings, rows=True)
    return PlainPage(service.list_items(r.session, window.items), window)


_export = export_of(service.filtered_query, service.iter_actors, schemas.actor_read, schemas.CSV)
add_list_route(router, "list_actors", "List actors", _page, _export)


@router.get("/{key}", responses=NOT_FOUND, summary="One actor", response_model=schemas.ActorDetail)
def get_actor(
    request: Request,
    session: SessionDep,
    key: ActorKey,
) -> Response:
    """An actor with its aliases, affiliation and directly affiliated members."""
    keep_response(request)
    found = service.get_actor(session, key)
    detail = schemas.actor_detail(found, html_url=html_url(request, "actors", found.slug))
    return json_response(detail, session)

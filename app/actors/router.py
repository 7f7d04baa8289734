from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.actors import service
from app.actors.schemas import ActorDetail, ActorFilters, ActorRead
from app.api import convert
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep

router = APIRouter(prefix="/actors", tags=["actors"])


@router.get("", summary="List actors")
def list_actors(session: SessionDep, f: Annotated[ActorFilters, Query()]) -> Page[ActorRead]:
    """States, persons and organizations, by name; filter by kind, country or text."""
    window = service.list_actors(session, f)
    return Page[ActorRead](
        items=[convert.actor(a) for a in window.items],
        next_cursor=window.next_cursor,
        total=window.total,
        total_accuracy=window.total_accuracy,
    )


@router.get("/{key}", responses=NOT_FOUND, summary="One actor")
def get_actor(
    session: SessionDep,
    key: Annotated[str, Path(description="Actor id or slug.", examples=["iran"], max_length=200)],
) -> ActorDetail:
    """An actor with its aliases, affiliation and directly affiliated members."""
    return convert.actor_detail(service.get_actor(session, key))

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api import convert
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep
from app.sources import service
from app.sources.schemas import SourceDetail, SourceFilters, SourceRead

router = APIRouter(prefix="/sources", tags=["sources"])


@router.get("", summary="List sources")
def list_sources(session: SessionDep, f: Annotated[SourceFilters, Query()]) -> Page[SourceRead]:
    """Articles, newest first, by publisher, mentioned actor, dates or text."""
    listing = service.list_sources(session, f)
    window = listing.window
    return Page[SourceRead](
        items=[convert.source(s, listing.snippets.get(s.id)) for s in window.items],
        next_cursor=window.next_cursor,
        total=window.total,
        total_accuracy=window.total_accuracy,
    )


@router.get(
    "/{key}", responses=NOT_FOUND, summary="One source, with its text, statements and mentions"
)
def get_source(
    session: SessionDep,
    key: Annotated[
        str,
        Path(description="Source id or slug.", examples=["000_71c336a4ce27892d"], max_length=200),
    ],
) -> SourceDetail:
    """The full text, every statement in it and every actor it mentions, with counts."""
    return convert.source_detail(service.get_source(session, key))

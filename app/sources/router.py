from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.errors import NOT_FOUND
from app.api.export import EXPORT_CONTENT
from app.api.listing import CsvFile, Export, SettingsDep, list_or_export
from app.api.pages import Page
from app.db.session import SessionDep
from app.kit.highlights import NO_HIT, hits
from app.sources import service
from app.sources.schemas import (
    SOURCE_COLUMNS,
    SourceDetail,
    SourceFilters,
    SourceRead,
    VerificationRead,
    source_detail,
    source_read,
    source_row,
    verification_read,
)

router = APIRouter(prefix="/sources", tags=["sources"])

SourceKey = Annotated[
    str, Path(description="Source id or slug.", examples=["000_71c336a4ce27892d"], max_length=200)
]


@router.get("", summary="List sources", responses=EXPORT_CONTENT, response_model=Page[SourceRead])
def list_sources(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    f: Annotated[SourceFilters, Query()],
) -> Page[SourceRead] | Response:
    """Articles, newest first, by publisher, mentioned actor, dates or text.

    With `format=csv|ndjson` (or the Accept header) the whole filtered set is streamed.
    """

    def page() -> Page[SourceRead]:
        listing = service.list_sources(session, f, settings)
        found = hits(f.q, listing.snippets, listing.scores)
        items = [source_read(s, found.get(s.id, NO_HIT)) for s in listing.window.items]
        return Page[SourceRead].of(items, listing.window)

    def streamed() -> Export[SourceRead]:
        stmt = service.filtered_query(session, f)  # bad filters are a 422 before streaming
        return Export(
            "sources",
            lambda s: map(source_read, service.iter_sources(s, stmt)),
            json=lambda item: item,
            csv={"csv": CsvFile("sources", SOURCE_COLUMNS, source_row)},
        )

    return list_or_export(request, f.format, page, streamed)


@router.get(
    "/{key}", responses=NOT_FOUND, summary="One source, with its text, statements and mentions"
)
def get_source(session: SessionDep, key: SourceKey) -> SourceDetail:
    """The full text, every statement in it and every actor it mentions, with counts."""
    return source_detail(service.get_source(session, key))


@router.get("/{key}/verify", responses=NOT_FOUND, summary="Re-check a source's statements")
def verify_source(session: SessionDep, key: SourceKey) -> VerificationRead:
    """Re-checks the stored text against its hash and every statement's offsets against the text."""
    return verification_read(service.verify_source(session, key))

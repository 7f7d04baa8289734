from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from app.api import convert, export
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep
from app.sources import service
from app.sources.schemas import SourceDetail, SourceFilters, SourceRead, VerificationRead

router = APIRouter(prefix="/sources", tags=["sources"])

SourceKey = Annotated[
    str, Path(description="Source id or slug.", examples=["000_71c336a4ce27892d"], max_length=200)
]


@router.get("", summary="List sources", responses=export.EXPORT_CONTENT)
def list_sources(
    request: Request, session: SessionDep, f: Annotated[SourceFilters, Query()]
) -> Page[SourceRead]:
    """Articles, newest first, by publisher, mentioned actor, dates or text.

    With `format=csv|ndjson` (or the Accept header) the whole filtered set is streamed.
    """
    fmt = export.negotiate(request, f.format)
    if fmt != "json":
        return _export(request, session, f, fmt)  # type: ignore[return-value]
    listing = service.list_sources(session, f)
    window = listing.window
    hits = convert.hits(f.q, listing.snippets, listing.scores)
    return Page[SourceRead].of(
        [convert.source(s, hits.get(s.id, convert.NO_HIT)) for s in window.items], window
    )


def _export(request: Request, session: SessionDep, f: SourceFilters, fmt: str) -> StreamingResponse:
    stmt = service.filtered_query(session, f)  # bad filters are a 422 before streaming starts
    factory = request.app.state.sessionmaker

    def sources() -> Iterator[SourceRead]:
        with factory() as stream_session:
            for source in service.iter_sources(stream_session, stmt):
                yield convert.source(source)

    if fmt == "ndjson":
        return export.ndjson_response("sources", sources())
    rows = (convert.source_row(s) for s in sources())
    return export.csv_response("sources", convert.SOURCE_COLUMNS, rows)


@router.get(
    "/{key}", responses=NOT_FOUND, summary="One source, with its text, statements and mentions"
)
def get_source(session: SessionDep, key: SourceKey) -> SourceDetail:
    """The full text, every statement in it and every actor it mentions, with counts."""
    return convert.source_detail(service.get_source(session, key))


@router.get("/{key}/verify", responses=NOT_FOUND, summary="Re-check a source's statements")
def verify_source(session: SessionDep, key: SourceKey) -> VerificationRead:
    """Re-checks the stored text against its hash and every statement's offsets against the text."""
    return convert.verification(service.verify_source(session, key))

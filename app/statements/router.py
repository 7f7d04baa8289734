from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from app.api import convert, export
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep
from app.statements import provenance, service
from app.statements.schemas import StatementDetail, StatementFilters, StatementRead

router = APIRouter(prefix="/statements", tags=["statements"])


@router.get("", summary="List statements", responses=export.EXPORT_CONTENT)
def list_statements(
    request: Request, session: SessionDep, f: Annotated[StatementFilters, Query()]
) -> Page[StatementRead]:
    """Direct quotations, newest first, by speaker, source, incident, dates or text.

    With `format=csv|ndjson` (or the Accept header) the whole filtered set is streamed.
    """
    fmt = export.negotiate(request, f.format)
    if fmt != "json":
        return _export(request, session, f, fmt)  # type: ignore[return-value]
    listing = service.list_statements(session, f)
    window = listing.window
    hits = convert.hits(f.q, listing.snippets, listing.scores)
    return Page[StatementRead].of(
        [convert.statement(s, hits.get(s.id, convert.NO_HIT)) for s in window.items],
        window,
        listing.facets,
    )


def _export(
    request: Request, session: SessionDep, f: StatementFilters, fmt: str
) -> StreamingResponse:
    stmt = service.filtered_query(session, f)  # bad filters are a 422 before streaming starts
    factory = request.app.state.sessionmaker

    def statements() -> Iterator[StatementRead]:
        with factory() as stream_session:
            for statement in service.iter_statements(stream_session, stmt):
                yield convert.statement(statement)

    if fmt == "ndjson":
        return export.ndjson_response("statements", statements())
    rows = (convert.statement_row(s) for s in statements())
    return export.csv_response("statements", convert.STATEMENT_COLUMNS, rows)


@router.get("/{statement_id}", responses=NOT_FOUND, summary="One statement, with its provenance")
def get_statement(
    session: SessionDep,
    statement_id: Annotated[int, Path(description="Statement id.", ge=1, le=2**62)],
) -> StatementDetail:
    """A quotation, its speaker, its exact offsets, the sentence around it and content hashes."""
    statement = service.get_statement(session, statement_id)
    text, content_hash = service.source_text(session, statement)
    sentence = provenance.sentence_around(text, statement.start, statement.end)
    return StatementDetail(
        **convert.statement(statement).model_dump(exclude=convert.SEARCH_FIELDS),
        sentence=sentence.text,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        text_sha256=provenance.sha256(statement.text),
        source_sha256=content_hash,
        verified=text[statement.start : statement.end] == statement.text,
    )

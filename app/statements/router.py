from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from app.api.errors import NOT_FOUND
from app.api.export import EXPORT_CONTENT
from app.api.listing import CsvFile, Export, SettingsDep, list_or_export
from app.api.pages import Page
from app.db.session import SessionDep
from app.kit.highlights import NO_HIT, hits
from app.statements import service
from app.statements.schemas import (
    STATEMENT_COLUMNS,
    StatementDetail,
    StatementFilters,
    StatementRead,
    statement_detail,
    statement_read,
    statement_row,
)

router = APIRouter(prefix="/statements", tags=["statements"])


@router.get(
    "", summary="List statements", responses=EXPORT_CONTENT, response_model=Page[StatementRead]
)
def list_statements(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    f: Annotated[StatementFilters, Query()],
) -> Page[StatementRead] | Response:
    """Direct quotations, newest first, by speaker, source, incident, dates or text.

    With `format=csv|ndjson` (or the Accept header) the whole filtered set is streamed.
    """

    def page() -> Page[StatementRead]:
        listing = service.list_statements(session, f, settings)
        found = hits(f.q, listing.snippets, listing.scores)
        items = [statement_read(s, found.get(s.id, NO_HIT)) for s in listing.window.items]
        return Page[StatementRead].of(items, listing.window, listing.facets)

    def streamed() -> Export[StatementRead]:
        stmt = service.filtered_query(session, f)  # bad filters are a 422 before streaming
        return Export(
            "statements",
            lambda s: map(statement_read, service.iter_statements(s, stmt)),
            json=lambda item: item,
            csv={"csv": CsvFile("statements", STATEMENT_COLUMNS, statement_row)},
        )

    return list_or_export(request, f.format, page, streamed)


@router.get("/{statement_id}", responses=NOT_FOUND, summary="One statement, with its provenance")
def get_statement(
    session: SessionDep,
    statement_id: Annotated[int, Path(description="Statement id.", ge=1, le=2**62)],
) -> StatementDetail:
    """A quotation, its speaker, its exact offsets, the sentence around it and content hashes."""
    statement = service.get_statement(session, statement_id)
    text, content_hash = service.source_text(session, statement)
    return statement_detail(statement, text, content_hash)

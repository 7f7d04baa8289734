from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api import convert
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep
from app.statements import service
from app.statements.schemas import StatementFilters, StatementRead

router = APIRouter(prefix="/statements", tags=["statements"])


@router.get("", summary="List statements")
def list_statements(
    session: SessionDep, f: Annotated[StatementFilters, Query()]
) -> Page[StatementRead]:
    """Direct quotations, newest first, by speaker, source, incident, dates or text."""
    listing = service.list_statements(session, f)
    window = listing.window
    return Page[StatementRead](
        items=[convert.statement(s, listing.snippets.get(s.id)) for s in window.items],
        next_cursor=window.next_cursor,
        total=window.total,
        total_accuracy=window.total_accuracy,
    )


@router.get("/{statement_id}", responses=NOT_FOUND, summary="One statement")
def get_statement(
    session: SessionDep,
    statement_id: Annotated[int, Path(description="Statement id.", ge=1, le=2**62)],
) -> StatementRead:
    """A quotation with its speaker and its exact offsets in the source's text."""
    return convert.statement(service.get_statement(session, statement_id))

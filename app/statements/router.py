from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api.caching import keep_response
from app.api.errors import NOT_FOUND
from app.api.links import html_url
from app.api.listing import ListRequest, add_list_route, export_of
from app.api.pages import PlainPage
from app.api.responses import json_response
from app.db.session import SessionDep
from app.kit.highlights import searched
from app.statements import schemas, service

router = APIRouter(prefix="/statements", tags=["statements"])


def _page(r: ListRequest, f: schemas.StatementFilters) -> PlainPage[schemas.StatementRead]:
    """Direct quotations, newest first, by speaker, source, incident, dates or text."""
    listing = service.list_statements(r.session, f, r.settings, rows=True)
    speakers = service.speakers_of(r.session, listing.window.items)
    items = searched(listing, f.q, lambda row, hit: schemas.statement_list_item(row, speakers, hit))
    return PlainPage(items, listing.window, listing.facets)


_export = export_of(
    service.filtered_query, service.iter_statements, schemas.statement_read, schemas.CSV
)
add_list_route(router, "list_statements", "List statements", _page, _export)


@router.get(
    "/{statement_id}",
    responses=NOT_FOUND,
    summary="One statement, with its provenance",
    response_model=schemas.StatementDetail,
)
def get_statement(
    request: Request,
    session: SessionDep,
    statement_id: Annotated[int, Path(description="Statement id.", ge=1, le=2**62)],
) -> Response:
    """A quotation, its speaker, its exact offsets, the sentence around it and content hashes."""
    keep_response(request)
    statement = service.get_statement(session, statement_id)
    text, content_hash = service.source_text(session, statement)
    detail = schemas.statement_detail(
        statement, text, content_hash, html_url=html_url(request, "statements", statement.id)
    )
    return json_response(detail, session)

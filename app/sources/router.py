from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from app.api.errors import NOT_FOUND
from app.api.links import html_url
from app.api.listing import ListRequest, add_list_route, export_of
from app.api.pages import PlainPage
from app.api.responses import json_response
from app.db.session import SessionDep
from app.kit.highlights import searched
from app.sources import schemas, service

router = APIRouter(prefix="/sources", tags=["sources"])

SourceKey = Annotated[
    str, Path(description="Source id or slug.", examples=["000_71c336a4ce27892d"], max_length=200)
]


def _page(r: ListRequest, f: schemas.SourceFilters) -> PlainPage[schemas.SourceRead]:
    """Articles, newest first, by publisher, mentioned actor, dates or text."""
    listing = service.list_sources(r.session, f, r.settings)
    return PlainPage(searched(listing, f.q, schemas.source_item), listing.window)


_export = export_of(service.filtered_query, service.iter_sources, schemas.source_read, schemas.CSV)
add_list_route(router, "list_sources", "List sources", _page, _export)


@router.get(
    "/{key}",
    responses=NOT_FOUND,
    summary="One source, with its text, statements and mentions",
    response_model=schemas.SourceDetail,
)
def get_source(request: Request, session: SessionDep, key: SourceKey) -> Response:
    """The full text, every statement in it and every actor it mentions, with counts."""
    view = service.get_source(session, key)
    detail = schemas.source_detail(view, html_url=html_url(request, "sources", view.source.slug))
    return json_response(detail, session)


@router.get(
    "/{key}/verify",
    responses=NOT_FOUND,
    summary="Re-check a source's statements",
    response_model=schemas.VerificationRead,
)
def verify_source(session: SessionDep, key: SourceKey) -> Response:
    """Re-checks the stored text against its hash and every statement's offsets against the text."""
    verification = schemas.verification_read(service.verify_source(session, key))
    return json_response(verification, session)

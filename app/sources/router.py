from typing import Annotated

import pydantic_core
from fastapi import APIRouter, Path, Request, Response
from sqlalchemy.orm import Session

from app.api.caching import keep_response
from app.api.direct import by_key, direct_route
from app.api.errors import NOT_FOUND
from app.api.keys import KEY_LENGTH, NO_NUL
from app.api.links import html_url
from app.api.listing import ListRequest, add_list_route, export_of
from app.api.pages import PlainPage
from app.api.responses import json_response
from app.db.session import SessionDep
from app.kit.highlights import searched
from app.sources import schemas, service

router = APIRouter(prefix="/sources", tags=["sources"])

SourceKey = Annotated[
    str,
    Path(
        description="Source id or slug.", examples=["000_71c336a4ce27892d"], max_length=KEY_LENGTH
    ),
    NO_NUL,
]


def _page(r: ListRequest, f: schemas.SourceFilters) -> PlainPage[schemas.SourceRead]:
    """Articles, newest first, by publisher, mentioned actor, dates or text."""
    listing = service.list_sources(r.session, f, r.settings)
    return PlainPage(searched(listing, f.q, schemas.source_item), listing.window)


_export = export_of(service.filtered_query, service.iter_sources, schemas.source_read, schemas.CSV)
add_list_route(router, "list_sources", "List sources", _page, _export)


def get_source(request: Request, session: SessionDep, key: SourceKey) -> Response:
    """The full text, every statement in it and every actor it mentions, with counts."""
    return _detail(request, session, key)


def _detail(request: Request, session: Session, key: str) -> Response:
    keep_response(request)
    view = service.get_source(session, key)
    link = html_url(request, "sources", view.source.slug)
    session.close()  # done with the database before the bytes are made (see json_response)
    return Response(
        pydantic_core.to_json(schemas.source_detail_fields(view, html_url=link)),
        media_type="application/json",
    )


router.add_api_route(
    "/{key}",
    get_source,
    methods=["GET"],
    responses=NOT_FOUND,
    summary="One source, with its text, statements and mentions",
    response_model=schemas.SourceDetail,
    route_class_override=direct_route(by_key(_detail)),
)


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

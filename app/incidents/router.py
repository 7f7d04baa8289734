from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request, Response
from sqlalchemy.orm import Session

from app.api.caching import keep_response
from app.api.direct import by_key, direct_route
from app.api.errors import NOT_FOUND
from app.api.keys import KEY_LENGTH, NO_NUL
from app.api.links import html_url
from app.api.listing import Export, ListRequest, add_list_route
from app.api.pages import PlainPage
from app.db.session import SessionDep
from app.incidents import schemas, service
from app.incidents.vocabulary import INCIDENT_TYPES
from app.kit.export import CsvShape
from app.kit.highlights import found

router = APIRouter(prefix="/incidents", tags=["incidents"])

IncidentKey = Annotated[
    str,
    Path(
        description="Incident id or slug.",
        examples=["tehran-embassy-attack-2023"],
        max_length=KEY_LENGTH,
    ),
    NO_NUL,
]

# An exported incident travels with its batch: event rows add the batch's source URLs.
Exported = tuple[schemas.IncidentRead, service.IncidentBatch]


def _page(r: ListRequest, f: schemas.IncidentFilters) -> PlainPage[schemas.IncidentRead]:
    """Incidents, newest first by default, filtered by actor, type, country, dates or text.

    With `format=csv|ndjson|events` (or `Accept: text/csv`) the whole filtered set is
    streamed instead of one page.
    """
    listing = service.list_incidents(r.session, f, r.settings)
    items = schemas.incident_items(
        listing.window.items, listing.participants, listing.source_ids, found(listing, f.q)
    )
    return PlainPage(items, listing.window, listing.facets)


def _export(r: ListRequest, f: schemas.IncidentFilters) -> Export[Exported]:
    stmt = service.export_query(r.session, f)  # bad filters are a 422 before streaming

    def items(session: Session) -> Iterator[Exported]:
        events = f.format == "events"
        for batch in service.iter_incident_batches(session, stmt, f, with_sources=events):
            for row in batch.rows:
                participants, source_ids = batch.participants[row.id], batch.source_ids[row.id]
                yield schemas.incident_read_from_row(row, participants, source_ids), batch

    def event(exported: Exported) -> dict[str, Any]:
        item, batch = exported
        return schemas.event_row(item, batch.sources[item.id])

    csv: dict[str, CsvShape[Exported]] = {
        "csv": CsvShape(
            "incidents", schemas.INCIDENT_COLUMNS, lambda e: schemas.incident_row(e[0])
        ),
        "events": CsvShape("incidents-events", schemas.EVENT_COLUMNS, event),
    }
    return Export("incidents", items, json=lambda exported: exported[0], csv=csv)


# The docstring of _page already says how incidents export (they add `events`).
add_list_route(router, "list_incidents", "List incidents", _page, _export, exports=None)


@router.get("/types", summary="The incident type vocabulary")
def list_incident_types() -> list[schemas.IncidentType]:
    """Every incident type with its CAMEO root code and PLOVER event type."""
    return [schemas.IncidentType(**vars(t)) for t in INCIDENT_TYPES.values()]


def get_incident(
    request: Request,
    session: SessionDep,
    key: IncidentKey,
) -> Response:
    """An incident with its participants, the sources that report it and its statements."""
    return _detail(request, session, key)


def _detail(request: Request, session: Session, key: str) -> Response:
    keep_response(request)
    view = service.get_incident(session, key)
    link = html_url(request, "incidents", view.incident.slug)
    session.close()  # done with the database before the bytes are made (see json_response)
    body = schemas.incident_detail_json(view, html_url=link)
    return Response(body, media_type="application/json")


router.add_api_route(
    "/{key}",
    get_incident,
    methods=["GET"],
    responses=NOT_FOUND,
    summary="One incident, with its sources and statements",
    response_model=schemas.IncidentDetail,
    route_class_override=direct_route(by_key(_detail)),
)

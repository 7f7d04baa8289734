from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import StreamingResponse

from app.api import convert, export
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep
from app.incidents import service
from app.incidents.schemas import IncidentDetail, IncidentFilters, IncidentRead, IncidentType
from app.incidents.vocabulary import INCIDENT_TYPES

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", summary="List incidents", responses=export.EXPORT_CONTENT)
def list_incidents(
    request: Request, session: SessionDep, f: Annotated[IncidentFilters, Query()]
) -> Page[IncidentRead]:
    """Incidents, newest first by default, filtered by actor, type, country, dates or text.

    With `format=csv|ndjson|events` (or `Accept: text/csv`) the whole filtered set is
    streamed instead of one page.
    """
    fmt = export.negotiate(request, f.format)
    if fmt != "json":
        return _export(request, session, f, fmt)  # type: ignore[return-value]
    listing = service.list_incidents(session, f)
    window = listing.window
    hits = convert.hits(f.q, listing.snippets, listing.scores)
    return Page[IncidentRead].of(
        [
            convert.incident_from_row(
                row,
                listing.participants[row.id],
                listing.source_ids[row.id],
                hits.get(row.id, convert.NO_HIT),
            )
            for row in window.items
        ],
        window,
        listing.facets,
    )


def _export(
    request: Request, session: SessionDep, f: IncidentFilters, fmt: str
) -> StreamingResponse:
    stmt = service.export_query(session, f)  # bad filters are a 422 before streaming starts
    factory = request.app.state.sessionmaker

    def batches() -> Iterator[service.IncidentBatch]:
        with factory() as stream_session:
            yield from service.iter_incident_batches(
                stream_session, stmt, f, with_sources=fmt == "events"
            )

    def items() -> Iterator[tuple[IncidentRead, service.IncidentBatch]]:
        for batch in batches():
            for row in batch.rows:
                participants, source_ids = batch.participants[row.id], batch.source_ids[row.id]
                yield convert.incident_from_row(row, participants, source_ids), batch

    if fmt == "ndjson":
        return export.ndjson_response("incidents", (item for item, _ in items()))
    if fmt == "events":
        rows = (convert.event_row(item, batch.sources[item.id]) for item, batch in items())
        return export.csv_response("incidents-events", convert.EVENT_COLUMNS, rows)
    rows = (convert.incident_row(item) for item, _ in items())
    return export.csv_response("incidents", convert.INCIDENT_COLUMNS, rows)


@router.get("/types", summary="The incident type vocabulary")
def list_incident_types() -> list[IncidentType]:
    """Every incident type with its CAMEO root code and PLOVER event type."""
    return [IncidentType(**vars(t)) for t in INCIDENT_TYPES.values()]


@router.get("/{key}", responses=NOT_FOUND, summary="One incident, with its sources and statements")
def get_incident(
    session: SessionDep,
    key: Annotated[
        str,
        Path(
            description="Incident id or slug.",
            examples=["tehran-embassy-attack-2023"],
            max_length=200,
        ),
    ],
) -> IncidentDetail:
    """An incident with its participants, the sources that report it and its statements."""
    incident, statements = service.get_incident(session, key)
    return convert.incident_detail(incident, statements)

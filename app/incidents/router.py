from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response
from sqlalchemy.orm import Session

from app.api.errors import NOT_FOUND
from app.api.export import EXPORT_CONTENT
from app.api.listing import CsvFile, Export, SettingsDep, list_or_export
from app.api.pages import Page
from app.db.session import SessionDep
from app.incidents import service
from app.incidents.schemas import (
    EVENT_COLUMNS,
    INCIDENT_COLUMNS,
    IncidentDetail,
    IncidentFilters,
    IncidentRead,
    IncidentType,
    event_row,
    incident_detail,
    incident_read_from_row,
    incident_row,
)
from app.incidents.vocabulary import INCIDENT_TYPES
from app.kit.highlights import NO_HIT, hits

router = APIRouter(prefix="/incidents", tags=["incidents"])

# An exported incident travels with its batch: event rows add the batch's source URLs.
Exported = tuple[IncidentRead, service.IncidentBatch]


@router.get(
    "", summary="List incidents", responses=EXPORT_CONTENT, response_model=Page[IncidentRead]
)
def list_incidents(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    f: Annotated[IncidentFilters, Query()],
) -> Page[IncidentRead] | Response:
    """Incidents, newest first by default, filtered by actor, type, country, dates or text.

    With `format=csv|ndjson|events` (or `Accept: text/csv`) the whole filtered set is
    streamed instead of one page.
    """

    def page() -> Page[IncidentRead]:
        listing = service.list_incidents(session, f, settings)
        found = hits(f.q, listing.snippets, listing.scores)
        items = [
            incident_read_from_row(
                row,
                listing.participants[row.id],
                listing.source_ids[row.id],
                found.get(row.id, NO_HIT),
            )
            for row in listing.window.items
        ]
        return Page[IncidentRead].of(items, listing.window, listing.facets)

    def streamed() -> Export[Exported]:
        stmt = service.export_query(session, f)  # bad filters are a 422 before streaming

        def items(stream_session: Session) -> Iterator[Exported]:
            batches = service.iter_incident_batches(
                stream_session, stmt, f, with_sources=f.format == "events"
            )
            for batch in batches:
                for row in batch.rows:
                    participants, source_ids = batch.participants[row.id], batch.source_ids[row.id]
                    yield incident_read_from_row(row, participants, source_ids), batch

        return Export(
            "incidents",
            items,
            json=lambda exported: exported[0],
            csv={
                "csv": CsvFile("incidents", INCIDENT_COLUMNS, lambda e: incident_row(e[0])),
                "events": CsvFile(
                    "incidents-events",
                    EVENT_COLUMNS,
                    lambda e: event_row(e[0], e[1].sources[e[0].id]),
                ),
            },
        )

    return list_or_export(request, f.format, page, streamed)


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
    return incident_detail(incident, statements)

from typing import Annotated

from fastapi import APIRouter, Path, Query

from app.api import convert
from app.api.errors import NOT_FOUND
from app.api.pagination import Page
from app.db.session import SessionDep
from app.incidents import service
from app.incidents.schemas import IncidentDetail, IncidentFilters, IncidentRead, IncidentType
from app.incidents.vocabulary import INCIDENT_TYPES

router = APIRouter(prefix="/incidents", tags=["incidents"])


@router.get("", summary="List incidents")
def list_incidents(
    session: SessionDep, f: Annotated[IncidentFilters, Query()]
) -> Page[IncidentRead]:
    """Incidents, newest first by default, filtered by actor, type, country, dates or text."""
    listing = service.list_incidents(session, f)
    window = listing.window
    return Page[IncidentRead](
        items=[convert.incident(i, listing.snippets.get(i.id)) for i in window.items],
        next_cursor=window.next_cursor,
        total=window.total,
        total_accuracy=window.total_accuracy,
    )


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

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app import search
from app.actors import service as actors_service
from app.api.pagination import SortKey, Window, paginate
from app.errors import NotFound
from app.incidents.models import Incident
from app.incidents.repository import IncidentRepository
from app.incidents.schemas import IncidentFilters
from app.settings import get_settings
from app.statements import service as statements_service
from app.statements.models import Statement


@dataclass(frozen=True)
class IncidentListing:
    window: Window[Incident]
    snippets: dict[int, str] = field(default_factory=dict)


def list_incidents(session: Session, f: IncidentFilters) -> IncidentListing:
    actor_sets = [actors_service.resolve_with_members(session, name, "actor") for name in f.actor]
    stmt = IncidentRepository(session).filtered(f, actor_sets)
    window = paginate(
        session,
        stmt,
        scope=f"incidents:{f.sort}",
        key=SortKey(Incident.date_start, descending=f.sort == "-date"),
        id_column=Incident.id,
        cursor=f.cursor,
        limit=f.limit,
        exact_count_threshold=get_settings().exact_count_threshold,
    )
    snippets = search.snippets(session, Incident, f.q, [i.id for i in window.items]) if f.q else {}
    return IncidentListing(window, snippets)


def get_incident(session: Session, key: str) -> tuple[Incident, list[Statement]]:
    incident = IncidentRepository(session).by_id_or_slug(key)
    if incident is None:
        raise NotFound("incident", key)
    return incident, statements_service.for_incident(session, incident.id)

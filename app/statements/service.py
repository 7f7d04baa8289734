from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from app import search
from app.actors import service as actors_service
from app.api.pagination import SortKey, Window, paginate
from app.errors import InvalidParameter, NotFound
from app.incidents.repository import IncidentRepository
from app.settings import get_settings
from app.sources.repository import SourceRepository
from app.statements.models import Statement
from app.statements.repository import StatementRepository
from app.statements.schemas import StatementFilters


@dataclass(frozen=True)
class StatementListing:
    window: Window[Statement]
    snippets: dict[int, str] = field(default_factory=dict)


def list_statements(session: Session, f: StatementFilters) -> StatementListing:
    speaker_ids = None
    if f.speaker:
        # The contract says a state matches its officials' statements, so "Iran" has to
        # resolve to Iran plus everyone affiliated with it.
        speaker_ids = set().union(
            *(actors_service.resolve_with_members(session, s, "speaker") for s in f.speaker)
        )
    source_ids = None
    if f.source is not None:
        source_ids = SourceRepository(session).ids_by_id_or_slug(f.source)
        if not source_ids:
            raise InvalidParameter("source", f"no source with id or slug {f.source!r}")
    incident_ids = None
    if f.incident is not None:
        incident_ids = IncidentRepository(session).ids_by_id_or_slug(f.incident)
        if not incident_ids:
            raise InvalidParameter("incident", f"no incident with id or slug {f.incident!r}")
    stmt = StatementRepository(session).filtered(f, speaker_ids, source_ids, incident_ids)
    window = paginate(
        session,
        stmt,
        scope="statements:-said_on",
        key=SortKey(Statement.said_on, descending=True, nullable=True),
        id_column=Statement.id,
        cursor=f.cursor,
        limit=f.limit,
        exact_count_threshold=get_settings().exact_count_threshold,
    )
    snippets = search.snippets(session, Statement, f.q, [s.id for s in window.items]) if f.q else {}
    return StatementListing(window, snippets)


def get_statement(session: Session, statement_id: int) -> Statement:
    statement = StatementRepository(session).by_id(statement_id)
    if statement is None:
        raise NotFound("statement", statement_id)
    return statement


def for_incident(session: Session, incident_id: int) -> list[Statement]:
    return StatementRepository(session).for_incident(incident_id)


def for_source(session: Session, source_id: int) -> list[Statement]:
    return StatementRepository(session).for_source(source_id)

from sqlalchemy import ColumnElement, Select, exists, select
from sqlalchemy.orm import Session, defer, selectinload

from app import search
from app.incidents.models import Incident, IncidentParticipant, IncidentSource
from app.incidents.schemas import IncidentFilters
from app.matching import as_id
from app.sources.models import Source


class IncidentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def with_participants(self) -> Select[Incident]:
        return select(Incident).options(
            # Responses never show search_text or a source's text; an article can weigh
            # megabytes, and a page of 50 incidents loaded every one of them (profiled).
            defer(Incident.search_text),
            selectinload(Incident.participants).selectinload(IncidentParticipant.actor),
            selectinload(Incident.sources).options(
                defer(Source.text), defer(Source.extraction_key)
            ),
        )

    def filtered(self, f: IncidentFilters, actor_sets: list[set[int]]) -> Select[Incident]:
        stmt = self.with_participants()
        actor_id: ColumnElement[int] = IncidentParticipant.actor_id.expression
        if self.session.get_bind().dialect.name == "sqlite":
            # `actor_id + 0` keeps SQLite on the primary key (incident_id) for the 2-5 rows of
            # one incident, instead of one probe per member id: 4x faster (profiled).
            actor_id = IncidentParticipant.actor_id + 0
        for ids in actor_sets:
            # One EXISTS per named actor: every one of them must take part.
            stmt = stmt.where(
                exists().where(
                    IncidentParticipant.incident_id == Incident.id,
                    actor_id.in_(ids),
                )
            )
        if f.type:
            stmt = stmt.where(Incident.type.in_(f.type))
        if f.country:
            stmt = stmt.where(Incident.location_country == f.country)
        # An incident overlapping the window counts, even if it started before it.
        if f.date_from:
            stmt = stmt.where(Incident.date_end >= f.date_from)
        if f.date_to:
            stmt = stmt.where(Incident.date_start <= f.date_to)
        if f.q:
            stmt = stmt.where(search.matches(self.session, Incident, f.q))
        return stmt

    def by_id_or_slug(self, key: str) -> Incident | None:
        stmt = self.with_participants()
        if (incident_id := as_id(key)) is not None:
            return self.session.scalars(stmt.where(Incident.id == incident_id)).first()
        return self.session.scalars(stmt.where(Incident.slug == key)).first()

    def ids_by_id_or_slug(self, key: str) -> list[int]:
        incident_id = as_id(key)
        match = Incident.slug == key if incident_id is None else Incident.id == incident_id
        return list(self.session.scalars(select(Incident.id).where(match)))

    def source_ids(self, incident_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(IncidentSource.source_id).where(IncidentSource.incident_id == incident_id)
            )
        )

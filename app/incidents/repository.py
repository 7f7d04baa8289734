from sqlalchemy import Select, exists, select
from sqlalchemy.orm import Session, selectinload

from app import search
from app.incidents.models import Incident, IncidentParticipant, IncidentSource
from app.incidents.schemas import IncidentFilters


class IncidentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def with_participants(self) -> Select[Incident]:
        return select(Incident).options(
            selectinload(Incident.participants).selectinload(IncidentParticipant.actor),
            selectinload(Incident.sources),
        )

    def filtered(self, f: IncidentFilters, actor_sets: list[set[int]]) -> Select[Incident]:
        stmt = self.with_participants()
        for ids in actor_sets:
            # One EXISTS per named actor: every one of them must take part.
            stmt = stmt.where(
                exists().where(
                    IncidentParticipant.incident_id == Incident.id,
                    IncidentParticipant.actor_id.in_(ids),
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
        if key.isdigit():
            return self.session.scalars(stmt.where(Incident.id == int(key))).first()
        return self.session.scalars(stmt.where(Incident.slug == key)).first()

    def ids_by_id_or_slug(self, key: str) -> list[int]:
        column = Incident.id if key.isdigit() else Incident.slug
        value: int | str = int(key) if key.isdigit() else key
        return list(self.session.scalars(select(Incident.id).where(column == value)))

    def source_ids(self, incident_id: int) -> list[int]:
        return list(
            self.session.scalars(
                select(IncidentSource.source_id).where(IncidentSource.incident_id == incident_id)
            )
        )

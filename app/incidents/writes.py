"""Writing incidents: curated upserts, their participants and sources, their search text.

Called by ingest inside its one transaction: these add and flush, never commit.
"""

from collections.abc import Collection, Mapping, Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from app.actors.models import Actor
from app.incidents.models import (
    Incident,
    IncidentEvidence,
    IncidentParticipant,
    IncidentSource,
    ParticipantRole,
)
from app.kit.writes import assign
from app.sources.models import Source


def by_slugs(session: Session, slugs: Collection[str]) -> dict[str, Incident]:
    """The incidents among `slugs`, participants, sources and evidence loaded, by slug."""
    incidents = session.scalars(
        select(Incident)
        .where(Incident.slug.in_(slugs))
        .options(
            selectinload(Incident.participants),
            selectinload(Incident.sources),
            selectinload(Incident.evidence),
        )
    )
    return {i.slug: i for i in incidents}


def create(session: Session, slug: str) -> Incident:
    incident = Incident(slug=slug, participants=[], sources=[], evidence=[])
    session.add(incident)
    return incident


def set_fields(incident: Incident, values: Mapping[str, object]) -> bool:
    changed = assign(incident, values)
    # Each participant row carries its incident's date_start (an actor's incidents are read
    # in date order from the actor index): a new date moves them too, or pages go out of order.
    for participant in incident.participants:
        assign(participant, {"date_start": incident.date_start})
    return changed


def set_participants(
    session: Session, incident: Incident, wanted: Sequence[tuple[Actor, ParticipantRole]]
) -> bool:
    """Make the participants exactly `wanted`, in order; whether anything changed."""
    have = [(p.actor_id, p.role, p.position) for p in incident.participants]
    if have == [(a.id, role, i) for i, (a, role) in enumerate(wanted)]:
        return False
    if have:
        # The old rows go first: a new row may take an old one's key.
        incident.participants.clear()
        session.flush()
    incident.participants.extend(
        IncidentParticipant(actor=a, role=role, position=i, date_start=incident.date_start)
        for i, (a, role) in enumerate(wanted)
    )
    return True


def set_sources(incident: Incident, sources: list[Source]) -> bool:
    # The API lists an incident's sources by id, so their order in the YAML is not data.
    if {s.slug for s in incident.sources} == {s.slug for s in sources}:
        return False
    incident.sources[:] = sources
    return True


def set_evidence(
    session: Session, incident: Incident, wanted: Sequence[tuple[Source, int, int, str]]
) -> bool:
    """Make the evidence exactly `wanted` (source, start, end, text); whether it changed."""
    have = [(e.source_id, e.start, e.end, e.text) for e in incident.evidence]
    # A source new in this run has no id yet, so its spans always count as changed.
    if have == [(source.id, start, end, text) for source, start, end, text in wanted]:
        return False
    if have:
        # The old rows go first: a new row may take an old one's key.
        incident.evidence.clear()
        session.flush()
    incident.evidence.extend(
        IncidentEvidence(position=i, source=source, start=start, end=end, text=text)
        for i, (source, start, end, text) in enumerate(wanted)
    )
    return True


def reported_by_sources(session: Session, source_ids: Collection[int]) -> dict[int, list[Incident]]:
    """For each of `source_ids` that reports any, its incidents (as `reported_by`)."""
    links = list(
        session.execute(
            select(IncidentSource.source_id, IncidentSource.incident_id).where(
                IncidentSource.source_id.in_(source_ids)
            )
        )
    )
    if not links:
        return {}
    incidents = {
        i.id: i
        for i in session.scalars(
            select(Incident)
            .where(Incident.id.in_({incident_id for _, incident_id in links}))
            .options(
                selectinload(Incident.participants).selectinload(IncidentParticipant.actor),
                selectinload(Incident.sources),
            )
        )
    }
    by_source: dict[int, list[Incident]] = {}
    for source_id, incident_id in sorted(links):
        by_source.setdefault(source_id, []).append(incidents[incident_id])
    return by_source


def refresh_search_text(session: Session, slugs: list[str], actor_ids: list[int]) -> None:
    """What `q=` searches for the incidents `slugs` and those `actor_ids` take part in:
    title, summary and every participant's names."""
    incidents = session.scalars(
        select(Incident)
        .where(
            Incident.slug.in_(slugs)
            | Incident.id.in_(
                select(IncidentParticipant.incident_id).where(
                    IncidentParticipant.actor_id.in_(actor_ids)
                )
            )
        )
        .options(
            selectinload(Incident.participants)
            .selectinload(IncidentParticipant.actor)
            .selectinload(Actor.aliases)
        )
    )
    for incident in incidents:
        names = [alias.alias for p in incident.participants for alias in p.actor.aliases]
        assign(incident, {"search_text": " ".join([incident.title, incident.summary, *names])})


def delete_by_ids(session: Session, ids: list[int]) -> None:
    """Delete incidents by id; cascades take their participants and source links."""
    for start in range(0, len(ids), 10_000):  # bounded IN lists
        chunk = ids[start : start + 10_000]
        session.execute(delete(Incident).where(Incident.id.in_(chunk)))

"""ORM objects -> response schemas. Kept in one place so the JSON shape has one definition."""

from app.actors.models import Actor, AliasKind
from app.actors.schemas import ActorDetail, ActorRead, ActorRef, Affiliation
from app.incidents.models import Incident
from app.incidents.schemas import IncidentDetail, IncidentRead, Location, Participant
from app.incidents.vocabulary import INCIDENT_TYPES
from app.sources.models import Source
from app.sources.schemas import MentionRead, SourceDetail, SourceRead
from app.sources.service import SourceView
from app.statements.models import Statement
from app.statements.schemas import StatementRead


def actor_ref(actor: Actor) -> ActorRef:
    return ActorRef(
        id=actor.id, slug=actor.slug, name=actor.name, kind=actor.kind, country=actor.country
    )


def actor(a: Actor) -> ActorRead:
    by_kind: dict[AliasKind, list[str]] = {k: [] for k in AliasKind}
    for alias in a.aliases:
        by_kind[alias.kind].append(alias.alias)
    return ActorRead(
        id=a.id,
        slug=a.slug,
        name=a.name,
        kind=a.kind,
        country=a.country,
        title=a.title,
        aliases=by_kind[AliasKind.alias],
        demonyms=by_kind[AliasKind.demonym],
        metonyms=by_kind[AliasKind.metonym],
        affiliation=Affiliation.model_validate(a.affiliation) if a.affiliation else None,
        origin=a.origin.value,
    )


def actor_detail(a: Actor) -> ActorDetail:
    return ActorDetail(**actor(a).model_dump(), members=[actor_ref(m) for m in a.members])


def statement(s: Statement, snippet: str | None = None) -> StatementRead:
    return StatementRead(
        id=s.id,
        text=s.text,
        speaker=actor_ref(s.speaker) if s.speaker else None,
        speaker_text=s.speaker_text,
        source_id=s.source_id,
        incident_id=s.incident_id,
        said_on=s.said_on,
        start=s.start,
        end=s.end,
        snippet=snippet,
    )


def source(s: Source, snippet: str | None = None) -> SourceRead:
    return SourceRead(
        id=s.id,
        slug=s.slug,
        title=s.title,
        publisher=s.publisher,
        url=s.url,
        published_on=s.published_on,
        content_hash=s.content_hash,
        snippet=snippet,
    )


def source_detail(view: SourceView) -> SourceDetail:
    return SourceDetail(
        **source(view.source).model_dump(exclude={"snippet"}),
        text=view.source.text,
        statements=[statement(s) for s in view.statements],
        mentions=[
            MentionRead(actor=actor_ref(m.actor), count=m.count, spans=m.spans)
            for m in view.mentions
        ],
    )


def incident(i: Incident, snippet: str | None = None) -> IncidentRead:
    kind = INCIDENT_TYPES[i.type]
    return IncidentRead(
        id=i.id,
        slug=i.slug,
        title=i.title,
        summary=i.summary,
        type=i.type,
        cameo_code=kind.cameo_root,
        plover_type=kind.plover,
        date_start=i.date_start,
        date_end=i.date_end,
        date_precision=i.date_precision,
        location=Location(country=i.location_country, place=i.location_place),
        severity=i.severity,
        participants=[Participant(actor=actor_ref(p.actor), role=p.role) for p in i.participants],
        source_ids=[s.id for s in i.sources],
        snippet=snippet,
    )


def incident_detail(i: Incident, statements: list[Statement]) -> IncidentDetail:
    return IncidentDetail(
        **incident(i).model_dump(exclude={"snippet", "participants", "location"}),
        location=Location(country=i.location_country, place=i.location_place),
        participants=[Participant(actor=actor_ref(p.actor), role=p.role) for p in i.participants],
        sources=[source(s) for s in i.sources],
        statements=[statement(s) for s in statements],
    )

"""ORM objects -> response schemas. Kept in one place so the JSON shape has one definition."""

from dataclasses import dataclass, field
from typing import Any

from app import search
from app.actors.models import Actor, AliasKind
from app.actors.schemas import ActorDetail, ActorRead, ActorRef, Affiliation
from app.api.common import Highlight
from app.incidents.models import Incident
from app.incidents.schemas import IncidentDetail, IncidentRead, Location, Participant
from app.incidents.vocabulary import INCIDENT_TYPES
from app.sources.models import Source
from app.sources.schemas import (
    DriftRead,
    MentionRead,
    SourceDetail,
    SourceRead,
    VerificationRead,
)
from app.sources.service import SourceView
from app.sources.service import Verification as SourceVerification
from app.statements.models import Statement
from app.statements.schemas import StatementRead


@dataclass(frozen=True)
class Hit:
    """What a search adds to a list item: snippet, score and the terms to highlight."""

    snippet: str | None = None
    score: float | None = None
    terms: list[str] = field(default_factory=list)

    def spans(self, **fields: str | None) -> list[Highlight] | None:
        if not self.terms:
            return None
        return [
            Highlight(field=name, start=start, end=end)
            for name, value in fields.items()
            if value
            for start, end in search.highlight_spans(value, self.terms)
        ]


NO_HIT = Hit()
SEARCH_FIELDS = {"snippet", "score", "highlights"}


def hits(q: str | None, snippets: dict[int, str], scores: dict[int, float]) -> dict[int, Hit]:
    """One Hit per item id of a searched page (empty without q)."""
    if not q:
        return {}
    terms = search.query_terms(q)
    ids = set(snippets) | set(scores)
    return {i: Hit(snippets.get(i), scores.get(i), terms) for i in ids}


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


def statement(s: Statement, hit: Hit = NO_HIT) -> StatementRead:
    highlights = hit.spans(text=s.text)
    for h in highlights or []:
        # The quote sits at s.start in its source: the same words, checkable there.
        h.source_start, h.source_end = s.start + h.start, s.start + h.end
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
        snippet=hit.snippet,
        score=hit.score,
        highlights=highlights,
    )


def source(s: Source, hit: Hit = NO_HIT) -> SourceRead:
    return SourceRead(
        id=s.id,
        slug=s.slug,
        title=s.title,
        publisher=s.publisher,
        url=s.url,
        published_on=s.published_on,
        content_hash=s.content_hash,
        snippet=hit.snippet,
        score=hit.score,
        highlights=hit.spans(title=s.title),
    )


def source_detail(view: SourceView) -> SourceDetail:
    return SourceDetail(
        **source(view.source).model_dump(exclude=SEARCH_FIELDS),
        text=view.source.text,
        statements=[statement(s) for s in view.statements],
        mentions=[
            MentionRead(actor=actor_ref(m.actor), count=m.count, spans=m.spans)
            for m in view.mentions
        ],
    )


def incident(i: Incident, hit: Hit = NO_HIT) -> IncidentRead:
    """An incident from its ORM object (detail views): the same shape as a list item."""
    participants = [Participant(actor=actor_ref(p.actor), role=p.role) for p in i.participants]
    return _incident(i, participants, [s.id for s in i.sources], hit)


def incident_from_row(
    row: Any, participants: list[Any], source_ids: list[int], hit: Hit = NO_HIT
) -> IncidentRead:
    """A list item from plain rows (see IncidentRepository.filtered_rows)."""
    refs = [
        Participant(
            actor=ActorRef(id=p.id, slug=p.slug, name=p.name, kind=p.kind, country=p.country),
            role=p.role,
        )
        for p in participants
    ]
    return _incident(row, refs, source_ids, hit)


def _incident(
    row: Any, participants: list[Participant], source_ids: list[int], hit: Hit
) -> IncidentRead:
    kind = INCIDENT_TYPES[row.type]
    return IncidentRead(
        id=row.id,
        slug=row.slug,
        title=row.title,
        summary=row.summary,
        type=row.type,
        cameo_code=kind.cameo_root,
        plover_type=kind.plover,
        date_start=row.date_start,
        date_end=row.date_end,
        date_precision=row.date_precision,
        location=Location(country=row.location_country, place=row.location_place),
        severity=row.severity,
        participants=participants,
        source_ids=source_ids,
        snippet=hit.snippet,
        score=hit.score,
        highlights=hit.spans(title=row.title, summary=row.summary),
    )


def incident_detail(i: Incident, statements: list[Statement]) -> IncidentDetail:
    return IncidentDetail(
        **incident(i).model_dump(exclude={*SEARCH_FIELDS, "participants", "location"}),
        location=Location(country=i.location_country, place=i.location_place),
        participants=[Participant(actor=actor_ref(p.actor), role=p.role) for p in i.participants],
        sources=[source(s) for s in i.sources],
        statements=[statement(s) for s in statements],
    )


def verification(v: SourceVerification) -> VerificationRead:
    return VerificationRead(
        source_id=v.source.id,
        slug=v.source.slug,
        content_hash_ok=v.content_hash_ok,
        statements_checked=v.checked,
        drifted=[DriftRead(**vars(d)) for d in v.drifted],
        ok=v.content_hash_ok and not v.drifted,
    )


# -- flat rows for CSV exports ------------------------------------------------------------

INCIDENT_COLUMNS = [
    "id",
    "slug",
    "title",
    "type",
    "cameo_code",
    "plover_type",
    "date_start",
    "date_end",
    "date_precision",
    "location_country",
    "location_place",
    "severity",
    "participants",
    "source_ids",
    "summary",
]
EVENT_COLUMNS = [
    "event_id",
    "event_slug",
    "event_date",
    "event_date_end",
    "date_precision",
    "actor1_code",
    "actor1_slug",
    "actor1_name",
    "actor1_kind",
    "actor1_role",
    "actor2_code",
    "actor2_slug",
    "actor2_name",
    "actor2_kind",
    "actor2_role",
    "event_type",
    "cameo_root_code",
    "plover_type",
    "severity",
    "location_country",
    "location_place",
    "source_slugs",
    "source_urls",
]
STATEMENT_COLUMNS = [
    "id",
    "said_on",
    "speaker_slug",
    "speaker_name",
    "speaker_country",
    "speaker_text",
    "text",
    "source_id",
    "start",
    "end",
    "incident_id",
]
SOURCE_COLUMNS = ["id", "slug", "title", "publisher", "url", "published_on", "content_hash"]
ACTOR_COLUMNS = ["id", "slug", "name", "kind", "country", "title", "aliases", "affiliation_slug"]


def incident_row(item: Any) -> dict[str, Any]:
    row = item.model_dump(mode="json", exclude=SEARCH_FIELDS)
    row["location_country"] = row["location"]["country"]
    row["location_place"] = row["location"]["place"]
    row["participants"] = ";".join(f"{p['actor']['slug']}:{p['role']}" for p in row["participants"])
    row["source_ids"] = ";".join(str(i) for i in row["source_ids"])
    return dict(row)


def event_row(item: Any, sources: list[Any]) -> dict[str, Any]:
    """One incident as an event-data row: who did what to whom, coded like GDELT/POLECAT."""
    participants = list(item.participants)
    first = next((p for p in participants if p.role == "initiator"), None) or (
        participants[0] if participants else None
    )
    rest = [p for p in participants if p is not first]
    second = next((p for p in rest if p.role == "target"), None) or (rest[0] if rest else None)
    row: dict[str, Any] = {
        "event_id": item.id,
        "event_slug": item.slug,
        "event_date": item.date_start.isoformat(),
        "event_date_end": item.date_end.isoformat(),
        "date_precision": item.date_precision.value,
        "event_type": item.type,
        "cameo_root_code": item.cameo_code,
        "plover_type": item.plover_type,
        "severity": item.severity,
        "location_country": item.location.country,
        "location_place": item.location.place,
        "source_slugs": ";".join(s.slug for s in sources),
        "source_urls": ";".join(s.url for s in sources if s.url),
    }
    for n, p in ((1, first), (2, second)):
        # CAMEO actor codes begin with the ISO 3166-1 alpha-3 country: the join key.
        row[f"actor{n}_code"] = p.actor.country if p else None
        row[f"actor{n}_slug"] = p.actor.slug if p else None
        row[f"actor{n}_name"] = p.actor.name if p else None
        row[f"actor{n}_kind"] = p.actor.kind.value if p else None
        row[f"actor{n}_role"] = p.role.value if p else None
    return row


def statement_row(item: Any) -> dict[str, Any]:
    row = item.model_dump(mode="json", exclude=SEARCH_FIELDS)
    speaker = row.pop("speaker") or {}
    row["speaker_slug"] = speaker.get("slug")
    row["speaker_name"] = speaker.get("name")
    row["speaker_country"] = speaker.get("country")
    return dict(row)


def source_row(item: Any) -> dict[str, Any]:
    return dict(item.model_dump(mode="json", exclude=SEARCH_FIELDS))


def actor_row(item: Any) -> dict[str, Any]:
    row = item.model_dump(mode="json")
    row["aliases"] = ";".join(row["aliases"])
    row["affiliation_slug"] = (row["affiliation"] or {}).get("slug")
    return dict(row)

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

import pydantic_core
from pydantic import BaseModel, ConfigDict, Field, field_validator

from app.actors.schemas import ActorRef
from app.incidents.models import DatePrecision, DateSource, ParticipantRole
from app.incidents.vocabulary import INCIDENT_TYPES
from app.kit.highlights import NO_HIT, SEARCH_FIELDS, Found, Hit
from app.kit.params import (
    MAX_REPEATS,
    CountryCode,
    DateWindow,
    ListFilters,
    Name,
    SearchSort,
    SearchText,
)
from app.kit.schemas import (
    HIGHLIGHTS_DESCRIPTION,
    HTML_URL_DESCRIPTION,
    SCORE_DESCRIPTION,
    Highlight,
)
from app.sources.schemas import SourceRead
from app.statements.schemas import StatementRead, statement_item_from_row


class Location(BaseModel):
    country: str | None = Field(description="ISO 3166-1 alpha-3.", examples=["IRN"])
    place: str | None = Field(examples=["Tehran"])


class Participant(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    actor: ActorRef
    role: ParticipantRole = Field(
        description=(
            "`initiator`, `target`, `mediator`, `participant`, or `unknown` (the sources name "
            "the actor but do not state its role)."
        )
    )


class IncidentRead(BaseModel):
    """Something that happened between actors, with its sources."""

    id: int = Field(examples=[3])
    slug: str = Field(description="Stable identifier.", examples=["tehran-embassy-attack-2023"])
    title: str
    summary: str
    type: str = Field(description="Incident type; see /incidents/types.", examples=["attack"])
    cameo_code: str = Field(
        description="CAMEO root code of the type (GDELT, ICEWS).", examples=["18"]
    )
    plover_type: str | None = Field(
        description="PLOVER event type (POLECAT); null where PLOVER has none.",
        examples=["ASSAULT"],
    )
    date_start: date
    date_end: date = Field(description="Last day; equal to date_start for a single day.")
    date_precision: DatePrecision = Field(description="How precisely the date is known.")
    location: Location
    severity: int | None = Field(description="1 (routine diplomacy) to 5 (lethal violence).")
    participants: list[Participant]
    source_ids: list[int]
    snippet: str | None = Field(default=None, description="With `q`: matching words, highlighted.")
    score: float | None = Field(default=None, description=SCORE_DESCRIPTION)
    highlights: list[Highlight] | None = Field(default=None, description=HIGHLIGHTS_DESCRIPTION)


class EvidenceRead(BaseModel):
    """Words of a source that back the incident: `source.text[start:end] == text`."""

    model_config = ConfigDict(from_attributes=True)

    source_id: int = Field(examples=[4])
    start: int = Field(description="Character offset of `text` in the source's text.")
    end: int
    text: str = Field(description="The quoted words, exactly as in the source.")


class IncidentDetail(IncidentRead):
    html_url: str = Field(
        description=HTML_URL_DESCRIPTION,
        examples=["http://localhost:8000/browse/incidents/tehran-embassy-attack-2023"],
    )
    sources: list[SourceRead]
    statements: list[StatementRead]
    evidence: list[EvidenceRead] = Field(
        description=(
            "The verbatim words of the sources that support the incident, with their offsets. "
            "Every participant is named in them."
        )
    )
    date_source: DateSource = Field(
        description=(
            "`evidence`: the evidence states the date to this precision; `record`: a finer "
            "date taken from public record."
        )
    )


class IncidentType(BaseModel):
    name: str = Field(examples=["attack"])
    cameo_root: str = Field(examples=["18"])
    cameo_label: str = Field(examples=["Assault"])
    plover: str | None = Field(
        description="PLOVER event type; null where PLOVER has none (CAMEO 017).",
        examples=["ASSAULT"],
    )
    description: str
    cameo_codes: str = Field(description="The CAMEO codes the type covers.", examples=["180-186"])


class IncidentFilters(SearchSort, ListFilters, DateWindow):
    actor: list[Name] = Field(
        default_factory=list,
        max_length=MAX_REPEATS,
        description=(
            "Participant by name, alias, slug or id (case- and accent-insensitive). Repeat it: "
            "every named actor must take part. A state matches its own officials and bodies."
        ),
        examples=[["Iran", "Azerbaijan"]],
    )
    type: list[Annotated[str, Field(json_schema_extra={"enum": list(INCIDENT_TYPES)})]] = Field(
        default_factory=list,
        max_length=MAX_REPEATS,
        description="Incident type; repeat for any of several. See /incidents/types.",
        examples=[["attack"]],
    )
    country: CountryCode | None = Field(
        None, description="Where it happened: ISO 3166-1 alpha-3, e.g. IRN."
    )
    q: SearchText | None = Field(
        None, description="Full-text search in title, summary and participants' names."
    )
    sort: Literal["date", "-date", "relevance"] | None = Field(
        None,
        description=(
            "`date` (oldest first), `-date` (newest first) or `relevance` (best match first, "
            "needs `q`); ties by id. Default: `relevance` with `q`, else `-date`."
        ),
    )
    facet: list[Literal["type", "actor", "country", "year", "month"]] = Field(
        default_factory=list,
        max_length=MAX_REPEATS,
        description=(
            "Counts per value over the whole filtered set, e.g. `facet=actor` for the actors "
            "that take part most often. Repeatable."
        ),
    )
    format: Literal["json", "csv", "ndjson", "events"] | None = Field(  # type: ignore[assignment]
        None,
        description=(
            "`json` (one page), or the whole filtered set streamed as `csv`, `ndjson` or "
            "`events` (CSV in GDELT/POLECAT-style columns: actor codes, CAMEO root code, "
            "PLOVER type, source URLs). Also chosen by the Accept header."
        ),
    )

    @field_validator("type")
    @classmethod
    def _known_types(cls, value: list[str]) -> list[str]:
        unknown = [t for t in value if t not in INCIDENT_TYPES]
        if unknown:
            raise ValueError(f"unknown type {unknown[0]!r}; one of: {', '.join(INCIDENT_TYPES)}")
        return value


# -- building items ---------------------------------------------------------------------


def incident_read_from_row(
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


def incident_items(
    rows: Sequence[Any],
    participants: dict[int, list[dict[str, Any]]],
    source_ids: dict[int, list[int]],
    found: Found,
) -> list[dict[str, Any]]:
    """A page's list items from its plain rows, each one's participants already as items
    (`{"actor": actor_ref_item(...), "role": ...}`, as the page's links query gives them)
    and source ids, and what its search found, in IncidentRead's JSON shape (see
    app.api.pages.PlainPage): the same fields, in the same order, as
    `incident_read_from_row` makes a model of.

    The search's fields are set on each item's dict directly: through a Hit per item and
    `hit_fields` (keyword arguments, a dict merged in) they were ~2 us an item, a tenth of
    what a searched page of 50 cost above its SQL (profiled at 1M)."""
    snippets, scores = found.snippets, found.scores
    items = []
    for row in rows:
        row_id = row.id
        item = _incident_fields(row, participants[row_id], source_ids[row_id])
        snippet, score = snippets.get(row_id), scores.get(row_id)
        item["snippet"] = snippet
        item["score"] = None if score is None else float(score)
        if snippet is None and score is None:  # not found by a search (NO_HIT)
            item["highlights"] = None
        else:
            item["highlights"] = found.highlights(("title", row.title), ("summary", row.summary))
        items.append(item)
    return items


# What an item without a search adds (hit_fields of NO_HIT), written once.
_NO_HIT_FIELDS: dict[str, Any] = {"snippet": None, "score": None, "highlights": None}


def incident_read_from_item(
    row: Any, participants: list[dict[str, Any]], source_ids: list[int], hit: Hit = NO_HIT
) -> IncidentRead:
    """An item's model (`incident_items`; the HTML pages' items): the participants validated from
    their item dicts."""
    return _incident(row, participants, source_ids, hit)  # type: ignore[arg-type]


def _incident_fields(
    row: Any, participants: Sequence[Any], source_ids: list[int]
) -> dict[str, Any]:
    """An incident's fields in IncidentRead's order: plain values (the location as a dict,
    which IncidentRead validates into a Location), so list items are written from them as
    they are and models are built from them."""
    kind = INCIDENT_TYPES[row.type]
    return {
        "id": row.id,
        "slug": row.slug,
        "title": row.title,
        "summary": row.summary,
        "type": row.type,
        "cameo_code": kind.cameo_root,
        "plover_type": kind.plover,
        "date_start": row.date_start,
        "date_end": row.date_end,
        "date_precision": row.date_precision,
        "location": {"country": row.location_country, "place": row.location_place},
        "severity": row.severity,
        "participants": participants,
        "source_ids": source_ids,
    }


def _incident(
    row: Any, participants: list[Participant], source_ids: list[int], hit: Hit
) -> IncidentRead:
    return IncidentRead(
        **_incident_fields(row, participants, source_ids),
        snippet=hit.snippet,
        score=hit.score,
        highlights=hit.spans(title=row.title, summary=row.summary),
    )


@dataclass(frozen=True)
class IncidentView:
    """What an incident's detail shows, as the service reads it."""

    incident: Any  # a row: the list item's columns and date_source
    participants: Sequence[dict[str, Any]]  # {"actor": ActorRef's fields, "role"}, in order
    sources: Sequence[dict[str, Any]]  # a SourceRead's columns
    evidence: Sequence[dict[str, Any]]  # source_id, start, end, text
    statements: Sequence[Any]  # rows: a statement's columns and its speaker's


def incident_detail(view: IncidentView, *, html_url: str) -> IncidentDetail:
    return IncidentDetail(
        html_url=html_url,
        # Participants and sources as the detail query gives them: dicts in their models'
        # shapes, validated here (see IncidentRepository.detail_rows).
        **_incident_fields(view.incident, view.participants, [s["id"] for s in view.sources]),
        sources=[SourceRead.model_validate(s) for s in view.sources],
        statements=[statement_item_from_row(s) for s in view.statements],
        evidence=[EvidenceRead.model_validate(e) for e in view.evidence],
        date_source=view.incident.date_source,
    )


def incident_detail_json(view: IncidentView, *, html_url: str) -> bytes:
    """`incident_detail(view).model_dump_json()`'s bytes, from plain dicts in the models'
    field order (as list pages are: app.api.pages.PlainPage), without building and
    validating the detail's nested models: the participants, sources and evidence come as
    the detail query's JSON already in their models' shapes (a source's day as its ISO
    text, which is how its model writes it). tests/api/test_detail_bytes.py compares the
    two."""
    fields = _incident_fields(view.incident, view.participants, [s["id"] for s in view.sources])
    fields.update(_NO_HIT_FIELDS)
    fields["html_url"] = html_url
    fields["sources"] = [s | _NO_HIT_FIELDS for s in view.sources]
    fields["statements"] = [statement_item_from_row(s) for s in view.statements]
    fields["evidence"] = view.evidence
    fields["date_source"] = view.incident.date_source
    return pydantic_core.to_json(fields)


# -- CSV export -------------------------------------------------------------------------

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

from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.actors.schemas import ActorRef, actor_ref
from app.kit.export import CsvShape
from app.kit.highlights import NO_HIT, SEARCH_FIELDS, Hit, hit_fields
from app.kit.params import MAX_REPEATS, DateWindow, ListFilters, Name, SearchSort, SearchText
from app.kit.schemas import (
    HIGHLIGHTS_DESCRIPTION,
    HTML_URL_DESCRIPTION,
    SCORE_DESCRIPTION,
    Highlight,
)
from app.statements import provenance
from app.statements.models import Statement


class EvidenceSpan(BaseModel):
    """Words of the source that show who speaks; `source.text[start:end] == text`."""

    start: int
    end: int
    text: str = Field(examples=["he said"])


class Attribution(BaseModel):
    """How the speaker was decided, how far to trust it, and where the source shows it."""

    method: str = Field(
        description=(
            "The extraction pass that decided the speaker (see the README's per-pass table); "
            "`none` when no speaker was found, `curated` for curated data."
        ),
        examples=["reporting_clause"],
    )
    confidence: float = Field(
        ge=0.0,
        le=1.0,
        description=(
            "How often a speaker decided this way is right: the precision of the pass, for the "
            "kind of words that named the speaker (a name, a role, a pronoun, a body, ...), "
            "measured on the held-out evaluation corpora (rounded). Not a per-statement guess."
        ),
        examples=[0.98],
    )
    evidence: list[EvidenceSpan] = Field(
        description=(
            "Spans of the source that show the attribution: the reporting phrase, and for a "
            "pronoun or a role the mention it refers back to."
        )
    )


class StatementRead(BaseModel):
    """A direct quotation and who said it; `text` is exactly `source.text[start:end]`."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[7])
    text: str = Field(
        description="The quoted words, exactly as in the source.",
        examples=["the expansion of relations between the two countries is very valuable to us."],
    )
    speaker: ActorRef | None = Field(description="Who said it, when attributed.")
    speaker_text: str | None = Field(
        description="The words the source uses for the speaker.", examples=["Pezeşkian"]
    )
    source_id: int = Field(examples=[4])
    incident_id: int | None = Field(description="The incident the words belong to, if known.")
    said_on: date | None = Field(description="When the words were said.", examples=["2024-10-14"])
    start: int = Field(description="Character offset of `text` in the source's text.")
    end: int = Field(description="Character offset just past `text` in the source's text.")
    attribution: Attribution = Field(description="How `speaker` was decided, with evidence.")
    snippet: str | None = Field(
        default=None, description="With `q`: the matching words, highlighted with <mark>."
    )
    score: float | None = Field(default=None, description=SCORE_DESCRIPTION)
    highlights: list[Highlight] | None = Field(default=None, description=HIGHLIGHTS_DESCRIPTION)


class StatementFilters(SearchSort, ListFilters, DateWindow):
    speaker: list[Name] = Field(
        default_factory=list,
        max_length=MAX_REPEATS,
        description=(
            "Speaker by name, alias, slug or id (case- and accent-insensitive); a state "
            "matches its officials' and bodies' statements. Repeat to accept any of several."
        ),
        examples=[["Iran"]],
    )
    source: Name | None = Field(None, description="Source id or slug.")
    incident: Name | None = Field(None, description="Incident id or slug.")
    q: SearchText | None = Field(
        None, description="Full-text search in the quoted words and speaker."
    )
    min_confidence: float | None = Field(
        None,
        ge=0.0,
        le=1.0,
        description=(
            "Only statements whose `attribution.confidence` is at least this (0–1), e.g. 0.9 "
            "for speakers decided by passes that are right at least 90 % of the time."
        ),
        examples=[0.9],
    )
    sort: Literal["-date", "relevance"] | None = Field(
        None,
        description=(
            "`-date` (newest `said_on` first, undated last) or `relevance` (needs `q`); "
            "ties by id. Default: `relevance` with `q`, else `-date`."
        ),
    )
    facet: list[Literal["speaker", "source", "year", "month"]] = Field(
        default_factory=list,
        max_length=MAX_REPEATS,
        description="Counts per value over the whole filtered set. Repeatable.",
    )
    include_duplicates: bool = Field(
        False,
        description=(
            "Also statements of sources marked as near-duplicates of an earlier source "
            "(`duplicate_of`), which are hidden from the list and its facets by default. "
            "Naming a `source` always shows its statements."
        ),
    )


class StatementDetail(StatementRead):
    """A statement with what it takes to check it against its source."""

    html_url: str = Field(
        description=HTML_URL_DESCRIPTION, examples=["http://localhost:8000/browse/statements/1"]
    )
    sentence: str = Field(description="The sentence(s) of the source that contain the quote.")
    sentence_start: int = Field(description="Offset of `sentence` in the source's text.")
    sentence_end: int
    text_sha256: str = Field(description="SHA-256 of `text` (UTF-8): cite it with the quote.")
    source_sha256: str = Field(description="SHA-256 of the source text this quote indexes.")
    verified: bool = Field(description="`source.text[start:end] == text`, checked just now.")


# -- building items ---------------------------------------------------------------------


def statement_read(s: Statement, hit: Hit = NO_HIT) -> StatementRead:
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
        attribution=attribution_read(s),
        snippet=hit.snippet,
        score=hit.score,
        highlights=highlights,
    )


def statement_list_item(
    row: Any, speakers: dict[int, dict[str, Any]], hit: Hit = NO_HIT
) -> dict[str, Any]:
    """A list item from a plain row (StatementRepository.LIST_COLUMNS) and its page's
    speakers' ActorRef items by id (StatementRepository.speakers_of), shared, not copied."""
    speaker = None if row.speaker_id is None else speakers[row.speaker_id]
    return _statement_fields(row, speaker, hit)


def statement_item_from_row(row: Any) -> dict[str, Any]:
    """StatementRead's fields from a plain row (StatementRepository.rows_for_incident)."""
    speaker = None
    if row.speaker_id is not None:
        speaker = {
            "id": row.speaker_id,
            "slug": row.speaker_slug,
            "name": row.speaker_name,
            "kind": row.speaker_kind,
            "country": row.speaker_country,
        }
    return _statement_fields(row, speaker, NO_HIT)


def _statement_fields(s: Any, speaker: dict[str, Any] | None, hit: Hit) -> dict[str, Any]:
    # The quote sits at s.start in its source: its highlights there too, checkable.
    fields = hit_fields(hit, offset=s.start, text=s.text)
    return {
        "id": s.id,
        "text": s.text,
        "speaker": speaker,
        "speaker_text": s.speaker_text,
        "source_id": s.source_id,
        "incident_id": s.incident_id,
        "said_on": s.said_on,
        "start": s.start,
        "end": s.end,
        "attribution": {
            "method": s.attribution_method,
            # A float field serialises a stored integer (1) as 1.0: the same here.
            "confidence": float(s.attribution_confidence),
            # Only EvidenceSpan's fields, in its order, whatever the stored JSON holds.
            "evidence": [
                {"start": span["start"], "end": span["end"], "text": span["text"]}
                for span in s.attribution_evidence
            ],
        },
        **fields,
    }


def attribution_read(s: Statement) -> Attribution:
    return Attribution(
        method=s.attribution_method,
        confidence=s.attribution_confidence,
        evidence=[EvidenceSpan(**span) for span in s.attribution_evidence],
    )


def statement_detail(
    statement: Statement, text: str, content_hash: str, *, html_url: str
) -> StatementDetail:
    """A statement checked against `text`, the source it quotes (hashed `content_hash`)."""
    sentence = provenance.sentence_around(text, statement.start, statement.end)
    return StatementDetail(
        html_url=html_url,
        **statement_read(statement).model_dump(exclude=SEARCH_FIELDS),
        sentence=sentence.text,
        sentence_start=sentence.start,
        sentence_end=sentence.end,
        text_sha256=provenance.sha256(statement.text),
        source_sha256=content_hash,
        verified=text[statement.start : statement.end] == statement.text,
    )


# -- CSV export -------------------------------------------------------------------------

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
    "attribution_method",
    "attribution_confidence",
]


def statement_row(item: Any) -> dict[str, Any]:
    row = item.model_dump(mode="json", exclude=SEARCH_FIELDS)
    speaker = row.pop("speaker") or {}
    row["speaker_slug"] = speaker.get("slug")
    row["speaker_name"] = speaker.get("name")
    row["speaker_country"] = speaker.get("country")
    attribution = row.pop("attribution")
    row["attribution_method"] = attribution["method"]
    row["attribution_confidence"] = attribution["confidence"]
    return dict(row)


CSV: CsvShape[StatementRead] = CsvShape("statements", STATEMENT_COLUMNS, statement_row)

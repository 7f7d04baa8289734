from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.actors.schemas import ActorRef
from app.db.base import AnyRow
from app.incidents import evidence as incident_evidence
from app.kit.export import CsvShape
from app.kit.highlights import NO_HIT, SEARCH_FIELDS, Hit, hit_fields
from app.kit.params import MAX_REPEATS, DateWindow, ListFilters, Name, SearchSort, SearchText
from app.kit.schemas import (
    HIGHLIGHTS_DESCRIPTION,
    HTML_URL_DESCRIPTION,
    SCORE_DESCRIPTION,
    Highlight,
)
from app.sources.models import Source
from app.statements import provenance
from app.statements.schemas import StatementRead, statement_item_from_row


class SourceRead(BaseModel):
    """An article the database was built from."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    slug: str = Field(
        description="Stable identifier (the article's file name).",
        examples=["000_71c336a4ce27892d"],
    )
    title: str | None = Field(
        description="The headline: as given with the article (front matter, sources.yaml, a "
        "bulk record, the page's own title), else where the text has one."
    )
    publisher: str | None = Field(
        description="Who published it: as given with the article, else from cues in the text.",
        examples=["Trend"],
    )
    url: str | None = Field(description="Where it was published, when the input gives it.")
    published_on: date | None = Field(
        description="Publication day: as given with the article, else from the text.",
        examples=["2022-11-21"],
    )
    language: str | None = Field(
        default=None,
        description="Language tag (BCP 47) when the input gives one.",
        examples=["en"],
    )
    duplicate_of: int | None = Field(
        default=None,
        description="Id of the first copy ingested of this near-identical story (a syndicated "
        "copy under another header, byline or footer, or with small edits); null for an "
        "original. Its statements are hidden from /statements unless include_duplicates=true.",
    )
    content_hash: str = Field(description="SHA-256 of the stored text (UTF-8).")
    snippet: str | None = Field(default=None, description="With `q`: matching words, highlighted.")
    score: float | None = Field(default=None, description=SCORE_DESCRIPTION)
    highlights: list[Highlight] | None = Field(default=None, description=HIGHLIGHTS_DESCRIPTION)


class MentionRead(BaseModel):
    actor: ActorRef
    count: int = Field(description="How many times the source names this actor.", examples=[12])
    spans: list[tuple[int, int]] = Field(description="[start, end] of each mention in `text`.")


class SourceDetail(SourceRead):
    html_url: str = Field(
        description=HTML_URL_DESCRIPTION,
        examples=["http://localhost:8000/browse/sources/trend-2023-01-27-embassy"],
    )
    text: str = Field(description="The full text as ingested; statement offsets index it.")
    statements: list[StatementRead]
    mentions: list[MentionRead] = Field(
        description="Actors named in the text, most frequent first."
    )


class SourceFilters(SearchSort, ListFilters, DateWindow):
    publisher: Name | None = Field(
        None, description="Publisher name (case-insensitive).", examples=["Trend"]
    )
    actor: list[Name] = Field(
        default_factory=list,
        max_length=MAX_REPEATS,
        description=(
            "Only sources that mention every named actor (name, alias, slug or id); a state "
            "matches mentions of its officials and bodies."
        ),
    )
    q: SearchText | None = Field(None, description="Full-text search in title and text.")
    sort: Literal["-date", "relevance"] | None = Field(
        None,
        description=(
            "`-date` (newest `published_on` first, undated last) or `relevance` (needs `q`); "
            "ties by id. Default: `relevance` with `q`, else `-date`."
        ),
    )


class DriftRead(BaseModel):
    statement_id: int
    start: int
    end: int
    stored: str = Field(description="The statement's text as stored.")
    found: str = Field(description="What the source's text now holds at [start, end).")
    part: Literal["text", "attribution_evidence"] = Field(
        "text",
        description=(
            "`text`: the quotation's own offsets; `attribution_evidence`: one of the spans "
            "that show who said it."
        ),
    )


class EvidenceDriftRead(BaseModel):
    incident_id: int
    start: int
    end: int
    stored: str = Field(description="The evidence quote as stored.")
    found: str = Field(description="What the source's text now holds at [start, end).")


class VerificationRead(BaseModel):
    """Whether a source's text and every statement and incident evidence quoting it agree."""

    source_id: int
    slug: str
    content_hash_ok: bool = Field(description="SHA-256 of the text equals the stored hash.")
    statements_checked: int
    attribution_evidence_checked: int = Field(
        description="Attribution evidence spans of those statements, checked too."
    )
    drifted: list[DriftRead] = Field(description="Statements whose offsets no longer match.")
    evidence_checked: int = Field(description="Incident evidence spans quoting this source.")
    evidence_drifted: list[EvidenceDriftRead] = Field(
        description="Incident evidence spans whose offsets no longer match."
    )
    ok: bool


# -- what the service returns, before it becomes JSON ------------------------------------


@dataclass(frozen=True)
class SourceView:
    """A source's detail as plain rows and items (see `source_detail_fields`)."""

    source: AnyRow  # SourceRepository.DETAIL_COLUMNS
    statements: list[AnyRow]  # StatementRepository.rows_for_source
    mentions: list[dict[str, Any]]  # in MentionRead's shape, most frequent first


@dataclass(frozen=True)
class Verification:
    source: Source
    content_hash_ok: bool
    checked: int
    drifted: list[provenance.Drift]
    attribution_evidence_checked: int
    evidence_checked: int = 0
    evidence_drifted: list[incident_evidence.Drift] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.content_hash_ok and not self.drifted and not self.evidence_drifted


# -- building items ---------------------------------------------------------------------


def source_read(s: Source, hit: Hit = NO_HIT) -> SourceRead:
    return SourceRead(
        id=s.id,
        slug=s.slug,
        title=s.title,
        publisher=s.publisher,
        url=s.url,
        published_on=s.published_on,
        language=s.language,
        duplicate_of=s.duplicate_of,
        content_hash=s.content_hash,
        snippet=hit.snippet,
        score=hit.score,
        highlights=hit.spans(title=s.title),
    )


def source_item(s: Any, hit: Hit = NO_HIT) -> dict[str, Any]:
    """A list item in SourceRead's JSON shape (see app.api.pages.PlainPage) from any row or
    object with its columns (SourceRepository.LIST_COLUMNS)."""
    return {
        "id": s.id,
        "slug": s.slug,
        "title": s.title,
        "publisher": s.publisher,
        "url": s.url,
        "published_on": s.published_on,
        "language": s.language,
        "duplicate_of": s.duplicate_of,
        "content_hash": s.content_hash,
        **hit_fields(hit, title=s.title),
    }


def source_detail_fields(view: SourceView, *, html_url: str) -> dict[str, Any]:
    """SourceDetail's fields in its order, as plain dicts with the values validation would
    give them (as list pages are: app.api.pages.PlainPage): the JSON is their bytes, and a
    page of the site validates them as a SourceDetail. tests/api/test_source_detail.py
    compares the two."""
    return {
        **source_item(view.source),
        "html_url": html_url,
        "text": view.source.text,
        "statements": [statement_item_from_row(s) for s in view.statements],
        "mentions": view.mentions,
    }


def verification_read(v: Verification) -> VerificationRead:
    return VerificationRead(
        source_id=v.source.id,
        slug=v.source.slug,
        content_hash_ok=v.content_hash_ok,
        statements_checked=v.checked,
        attribution_evidence_checked=v.attribution_evidence_checked,
        drifted=[DriftRead(**vars(d)) for d in v.drifted],
        evidence_checked=v.evidence_checked,
        evidence_drifted=[
            EvidenceDriftRead(
                incident_id=d.incident_id, start=d.start, end=d.end, stored=d.stored, found=d.found
            )
            for d in v.evidence_drifted
        ],
        ok=v.ok,
    )


# -- CSV export -------------------------------------------------------------------------

SOURCE_COLUMNS = [
    "id", "slug", "title", "publisher", "url", "published_on", "language", "duplicate_of",
    "content_hash",
]  # fmt: skip


def source_row(item: Any) -> dict[str, Any]:
    return dict(item.model_dump(mode="json", exclude=SEARCH_FIELDS))


CSV: CsvShape[SourceRead] = CsvShape("sources", SOURCE_COLUMNS, source_row)

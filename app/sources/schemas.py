from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from app.actors.models import Actor
from app.actors.schemas import ActorRef, actor_ref
from app.kit.export import CsvShape
from app.kit.highlights import NO_HIT, SEARCH_FIELDS, Hit
from app.kit.params import DateWindow, ListFilters, Name, SearchSort, SearchText
from app.kit.schemas import HIGHLIGHTS_DESCRIPTION, SCORE_DESCRIPTION, Highlight
from app.sources.models import Source
from app.statements import provenance
from app.statements.models import Statement
from app.statements.schemas import StatementRead, statement_read


class SourceRead(BaseModel):
    """An article the database was built from."""

    model_config = ConfigDict(from_attributes=True)

    id: int = Field(examples=[1])
    slug: str = Field(
        description="Stable identifier (the article's file name).",
        examples=["000_71c336a4ce27892d"],
    )
    title: str | None = Field(description="The headline, where the text has one.")
    publisher: str | None = Field(
        description="Who published it, from cues in the text.", examples=["Trend"]
    )
    url: str | None = Field(description="Where it was published, when known.")
    published_on: date | None = Field(
        description="Publication day, from the text.", examples=["2022-11-21"]
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


class VerificationRead(BaseModel):
    """Whether a source's text and every statement quoting it still agree."""

    source_id: int
    slug: str
    content_hash_ok: bool = Field(description="SHA-256 of the text equals the stored hash.")
    statements_checked: int
    evidence_checked: int = Field(
        description="Attribution evidence spans of those statements, checked too."
    )
    drifted: list[DriftRead] = Field(description="Statements whose offsets no longer match.")
    ok: bool


# -- what the service returns, before it becomes JSON ------------------------------------


@dataclass(frozen=True)
class MentionCount:
    actor: Actor
    spans: list[tuple[int, int]]

    @property
    def count(self) -> int:
        return len(self.spans)


@dataclass(frozen=True)
class SourceView:
    source: Source
    statements: list[Statement]
    mentions: list[MentionCount]


@dataclass(frozen=True)
class Verification:
    source: Source
    content_hash_ok: bool
    checked: int
    drifted: list[provenance.Drift]
    evidence_checked: int


# -- building items ---------------------------------------------------------------------


def source_read(s: Source, hit: Hit = NO_HIT) -> SourceRead:
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
        **source_read(view.source).model_dump(exclude=SEARCH_FIELDS),
        text=view.source.text,
        statements=[statement_read(s) for s in view.statements],
        mentions=[
            MentionRead(actor=actor_ref(m.actor), count=m.count, spans=m.spans)
            for m in view.mentions
        ],
    )


def verification_read(v: Verification) -> VerificationRead:
    return VerificationRead(
        source_id=v.source.id,
        slug=v.source.slug,
        content_hash_ok=v.content_hash_ok,
        statements_checked=v.checked,
        evidence_checked=v.evidence_checked,
        drifted=[DriftRead(**vars(d)) for d in v.drifted],
        ok=v.content_hash_ok and not v.drifted,
    )


# -- CSV export -------------------------------------------------------------------------

SOURCE_COLUMNS = ["id", "slug", "title", "publisher", "url", "published_on", "content_hash"]


def source_row(item: Any) -> dict[str, Any]:
    return dict(item.model_dump(mode="json", exclude=SEARCH_FIELDS))


CSV: CsvShape[SourceRead] = CsvShape("sources", SOURCE_COLUMNS, source_row)

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.actors.schemas import ActorRef
from app.api.common import HIGHLIGHTS_DESCRIPTION, SCORE_DESCRIPTION, Highlight
from app.api.params import DateWindow, ListFilters, Name, SearchSort, SearchText
from app.statements.schemas import StatementRead


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


class VerificationRead(BaseModel):
    """Whether a source's text and every statement quoting it still agree."""

    source_id: int
    slug: str
    content_hash_ok: bool = Field(description="SHA-256 of the text equals the stored hash.")
    statements_checked: int
    drifted: list[DriftRead] = Field(description="Statements whose offsets no longer match.")
    ok: bool

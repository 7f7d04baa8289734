"""The input schema: what actors.yaml, incidents.yaml, sources.yaml and articles may state."""

import re
from datetime import date
from typing import Annotated, Self
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from app.actors.models import ActorKind
from app.incidents.models import DatePrecision, DateSource, ParticipantRole
from app.incidents.vocabulary import INCIDENT_TYPES
from app.kit.validators import country_code, no_nul

SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN, max_length=200)]


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(no_nul)
]


def _incident_type(value: str) -> str:
    if value not in INCIDENT_TYPES:
        raise ValueError(f"unknown incident type {value!r}; one of: {', '.join(INCIDENT_TYPES)}")
    return value


def _iso_date(value: object) -> object:
    # Only YYYY-MM-DD: pydantic would otherwise read an integer as a Unix timestamp.
    if isinstance(value, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form")
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not a real date ({exc})") from None
    if isinstance(value, date):
        return value
    raise ValueError(f"{value!r} is not a date in YYYY-MM-DD form")


CountryCode = Annotated[str, AfterValidator(country_code)]
IsoDate = Annotated[date, BeforeValidator(_iso_date)]


class _Record(BaseModel):
    # A misspelt key must be an error, not silently dropped data.
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActorRecord(_Record):
    slug: Slug
    name: Text
    kind: ActorKind
    country: CountryCode | None = None
    title: Text | None = None
    aliases: list[Text] = Field(default_factory=list)
    demonyms: list[Text] = Field(default_factory=list)
    metonyms: list[Text] = Field(default_factory=list)
    affiliation: Slug | None = None

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.kind is ActorKind.state and self.country is None:
            raise ValueError("a state needs its country code")
        if self.affiliation == self.slug:
            raise ValueError("an actor cannot be affiliated to itself")
        return self


class LocationRecord(_Record):
    country: CountryCode | None = None
    place: Text | None = None


class ParticipantRecord(_Record):
    actor: Slug
    role: ParticipantRole


# A quote is matched character for character against its source, so it is never stripped.
Quote = Annotated[str, StringConstraints(min_length=1, max_length=5000), AfterValidator(no_nul)]


class EvidenceRecord(_Record):
    source: Slug
    quote: Quote
    # Which of several identical passages in the source (1 = the first); needed only then.
    occurrence: int | None = Field(default=None, ge=1)


class IncidentRecord(_Record):
    slug: Slug
    title: Text
    summary: Text
    type: Annotated[str, AfterValidator(_incident_type)]
    date_start: IsoDate
    date_end: IsoDate | None = None
    date_precision: DatePrecision = DatePrecision.day
    date_source: DateSource = DateSource.evidence
    location: LocationRecord = Field(default_factory=LocationRecord)
    severity: int | None = Field(default=None, ge=1, le=5)
    participants: list[ParticipantRecord] = Field(min_length=1)
    sources: list[Slug] = Field(default_factory=list)
    evidence: list[EvidenceRecord] = Field(default_factory=list)

    @model_validator(mode="after")
    def _coherent(self) -> Self:
        if self.date_end is not None and self.date_end < self.date_start:
            raise ValueError("date_end is before date_start")
        actors = [p.actor for p in self.participants]
        if len(actors) != len(set(actors)):
            raise ValueError("an actor is listed twice among the participants")
        return self


def _web_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in value):
        raise ValueError(f"{value!r} is not an absolute http(s) URL")
    return value


def _article_text(value: str) -> str:
    # Offsets index this string exactly as given: it is checked, never stripped or normalised.
    if not value.strip():
        raise ValueError("article is empty")
    return no_nul(value)


WebUrl = Annotated[str, StringConstraints(max_length=2000), AfterValidator(_web_url)]
LanguageTag = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")]
ArticleText = Annotated[str, AfterValidator(_article_text)]


class SourceMetaRecord(_Record):
    """What an input may state about an article; it wins over cues found in the text."""

    slug: Slug | None = None
    url: WebUrl | None = None
    title: Annotated[str, StringConstraints(max_length=1000)] | None = None
    publisher: Annotated[str, StringConstraints(max_length=300)] | None = None
    published_on: IsoDate | None = None
    language: LanguageTag | None = None

    @model_validator(mode="after")
    def _no_blank_or_nul(self) -> Self:
        for name in ("title", "publisher"):
            value = getattr(self, name)
            if value is not None:
                if not value.strip():
                    raise ValueError(f"{name}: must not be blank")
                no_nul(value)
        return self

    def given(self) -> dict[str, str]:
        """The stated fields other than the slug, JSON-ready (dates in ISO form)."""
        fields = set(SourceMetaRecord.model_fields) - {"slug"}
        return self.model_dump(mode="json", exclude_none=True, include=fields)


class SourceEntryRecord(SourceMetaRecord):
    """One entry of sources.yaml: metadata for the article with this slug."""

    slug: Slug


class BulkArticleRecord(SourceMetaRecord):
    """One line of a .jsonl file or one row of a .csv file."""

    text: ArticleText


SOURCE_META_FIELDS = tuple(SourceMetaRecord.model_fields)
BULK_FIELDS = ("text", *SOURCE_META_FIELDS)

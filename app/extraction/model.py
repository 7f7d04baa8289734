"""The extraction's vocabulary: frozen dataclasses shared by every extractor and the pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class KnownActor:
    """A curated actor (seeds/actors.yaml), as the pipeline hands it to the extraction."""

    slug: str
    name: str
    kind: str  # "state" | "person" | "organization"
    country: str | None  # ISO 3166-1 alpha-3
    title: str | None
    aliases: tuple[str, ...] = ()
    demonyms: tuple[str, ...] = ()  # states only: "Iranian", "Azerbaijani"
    metonyms: tuple[str, ...] = ()  # states only: "Tehran", "Baku"
    affiliation: str | None = None  # slug of the parent actor (minister -> ministry -> state)


@dataclass(frozen=True)
class KnownIncident:
    """A curated incident (seeds/incidents.yaml)."""

    slug: str
    date_start: date
    date_end: date | None
    participants: tuple[str, ...]  # actor slugs
    sources: tuple[str, ...]  # source slugs (article file stems) that report it


@dataclass(frozen=True)
class Evidence:
    """A span of the article that shows who speaks; invariant: article[start:end] == text."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class SpeakerAttribution:
    """How a statement's speaker was decided: the sieve pass (`method`), the precision
    measured on the held-out corpora for that pass and calibration bucket (`confidence`,
    0..1; attribution/buckets.py), and the spans that show it."""

    method: str
    confidence: float
    evidence: tuple[Evidence, ...] = ()
    # the calibration bucket (app/extraction/attribution/buckets.py): measured, never stored
    bucket: str = "none/far"


NO_SPEAKER_ATTRIBUTION = SpeakerAttribution("none", 0.0)


@dataclass(frozen=True)
class ExtractedStatement:
    """A direct quotation; invariant: article[start:end] == text."""

    text: str
    start: int
    end: int
    speaker_text: str | None  # the words nearest the quote that name the speaker, as written
    speaker: str | None  # slug of a KnownActor or of a NewActor
    said_on: date | None
    incident: str | None  # KnownIncident slug
    attribution: SpeakerAttribution = NO_SPEAKER_ATTRIBUTION


@dataclass(frozen=True)
class Mention:
    """One place where the article names an actor; invariant: article[start:end] == text."""

    actor: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class NewActor:
    """A speaker the curated data does not know, described from the article alone."""

    slug: str
    name: str
    kind: str  # "person" | "organization"
    country: str | None
    title: str | None
    affiliation: str | None


@dataclass(frozen=True)
class ArticleExtraction:
    """Everything extracted from one article."""

    title: str | None
    publisher: str | None
    published_on: date | None
    statements: tuple[ExtractedStatement, ...]
    mentions: tuple[Mention, ...]
    new_actors: tuple[NewActor, ...]

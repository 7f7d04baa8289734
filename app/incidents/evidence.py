"""Evidence for curated incidents: every curated fact is backed by the words of a source.

An incident quotes its sources verbatim. Here each quote is placed in its source's text (the
offsets are stored, so `source.text[start:end] == quote` can be re-checked later), and each
participant must be named in those quotes: by name, alias, surname, demonym or capital, or
through one of its members (a minister names the ministry and the state). Pure functions over
plain data; the ingest pipeline turns their findings into `PATH:LINE` errors.
"""

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.incidents.models import IncidentEvidence
from app.kit.names import match_key

Loc = tuple[str | int, ...]


@dataclass(frozen=True)
class Quote:
    """What the curator wrote: words of `source`, and which occurrence when they repeat."""

    source: str
    text: str
    occurrence: int | None = None


@dataclass(frozen=True)
class Span:
    source: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """A problem with one incident's evidence, at `loc` in its record."""

    loc: Loc
    reason: str


def _starts(text: str, quote: str) -> list[int]:
    # Overlapping matches count: "aa" occurs twice in "aaa", and either may be the one meant.
    starts, at = [], text.find(quote)
    while at >= 0:
        starts.append(at)
        at = text.find(quote, at + 1)
    return starts


def place_quotes(
    quotes: Sequence[Quote], cited: Sequence[str], texts: Mapping[str, str]
) -> tuple[list[Span], list[Finding]]:
    """Each quote's offsets in its source, and findings for what cannot be placed exactly."""
    # `cited` are the incident's source slugs and `texts` the text of each known one (an
    # unknown source is reported by the caller). Every cited source needs a quote.
    spans: list[Span] = []
    findings: list[Finding] = []
    for index, quote in enumerate(quotes):
        if quote.source not in cited:
            reason = f"evidence source {quote.source!r} is not one of the incident's sources"
            findings.append(Finding(("evidence", index, "source"), reason))
            continue
        text = texts.get(quote.source)
        if text is None:
            continue
        starts = _starts(text, quote.text)
        where: Loc = ("evidence", index, "quote")
        if not starts:
            findings.append(Finding(where, f"quote not found in source {quote.source!r}"))
            continue
        if quote.occurrence is None and len(starts) > 1:
            reason = (
                f"quote occurs {len(starts)} times in source {quote.source!r}; "
                f"say which with occurrence: 1 to {len(starts)}"
            )
            findings.append(Finding(where, reason))
            continue
        if quote.occurrence is not None and quote.occurrence > len(starts):
            times = "once" if len(starts) == 1 else f"{len(starts)} times"
            reason = f"occurrence {quote.occurrence}: the quote occurs {times} in {quote.source!r}"
            findings.append(Finding(("evidence", index, "occurrence"), reason))
            continue
        start = starts[(quote.occurrence or 1) - 1]
        spans.append(Span(quote.source, start, start + len(quote.text), quote.text))
    quoted = {q.source for q in quotes}
    for index, slug in enumerate(cited):
        if slug in texts and slug not in quoted:
            reason = f"source {slug!r} has no evidence: quote the words that report the incident"
            findings.append(Finding(("sources", index), reason))
    return spans, findings


def name_keys(name: str, others: Iterable[str], *, person: bool) -> set[str]:
    """Folded forms that name an actor in running text."""
    # `others` are its aliases, demonyms and metonyms. A person is also named by the last
    # word of the canonical name; spelling variants of a surname are aliases already, and
    # taking the last word of every alias would add fragments such as "ani" (Kan'ani).
    keys = {key for n in (name, *others) if (key := match_key(n))}
    if person and (full := match_key(name)):
        keys.add(full.rsplit(" ", 1)[-1])
    return keys


def named_actors(
    quotes: Iterable[str], names: Mapping[str, Collection[str]], parents: Mapping[str, str | None]
) -> set[str]:
    """Slugs of the actors the quotes name, directly or through one of their members."""
    folded = [f" {match_key(quote)} " for quote in quotes]
    named = {
        slug
        for slug, keys in names.items()
        if any(f" {key} " in text for key in keys for text in folded)
    }
    for slug in list(named):
        parent = parents.get(slug)
        seen = {slug}
        while parent is not None and parent not in seen:
            named.add(parent)
            seen.add(parent)
            parent = parents.get(parent)
    return named


def unnamed_participants(
    participants: Sequence[str],
    quotes: Iterable[str],
    names: Mapping[str, Collection[str]],
    parents: Mapping[str, str | None],
) -> list[Finding]:
    """A finding for each participant the quotes do not name."""
    named = named_actors(quotes, names, parents)
    return [
        Finding(
            ("participants", index, "actor"), f"participant {slug!r} is not named in the evidence"
        )
        for index, slug in enumerate(participants)
        if slug in names and slug not in named  # an unknown actor is reported elsewhere
    ]


@dataclass(frozen=True)
class Drift:
    incident_id: int
    position: int
    start: int
    end: int
    stored: str
    found: str


def in_source(session: Session, source_id: int) -> list[IncidentEvidence]:
    """Every evidence span quoting the source, in text order."""
    stmt = (
        select(IncidentEvidence)
        .where(IncidentEvidence.source_id == source_id)
        .order_by(IncidentEvidence.start, IncidentEvidence.incident_id)
    )
    return list(session.scalars(stmt))


def drifted(text: str, spans: Iterable[IncidentEvidence]) -> list[Drift]:
    """Evidence spans whose offsets no longer point at their words."""
    return [
        Drift(s.incident_id, s.position, s.start, s.end, s.text, text[s.start : s.end])
        for s in spans
        if text[s.start : s.end] != s.text
    ]

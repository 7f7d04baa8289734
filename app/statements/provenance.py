"""Checking a quotation against its source: the sentence around it and content hashes."""

import hashlib
import re
from dataclasses import dataclass
from typing import Any

# A sentence ends at . ! ? (optionally closed by a quote mark or bracket) before whitespace,
# or at a blank line. Quotes often run over several sentences; the window covers them all.
_SENTENCE_END = re.compile(r"[.!?][\"'”’»)\]]*(?=\s)|\n\s*\n")


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def sentence_around(text: str, start: int, end: int) -> Span:
    """The sentence(s) of `text` containing [start, end): what a reader checks a quote in."""
    sentence_start = 0
    for match in _SENTENCE_END.finditer(text, 0, start):
        sentence_start = match.end()
    following = _SENTENCE_END.search(text, max(end, start))
    sentence_end = following.end() if following else len(text)
    while sentence_start < start and text[sentence_start].isspace():
        sentence_start += 1
    while sentence_end > end and text[sentence_end - 1].isspace():
        sentence_end -= 1
    return Span(text[sentence_start:sentence_end], sentence_start, sentence_end)


@dataclass(frozen=True)
class Drift:
    statement_id: int
    start: int
    end: int
    stored: str
    found: str
    part: str = (
        "text"  # "text": the quotation itself; "attribution_evidence": a span showing its speaker
    )


def drifted(text: str, quotes: list[tuple[int, int, int, str]]) -> list[Drift]:
    """Quotes (id, start, end, text) whose offsets no longer point at their words."""
    return [
        Drift(statement_id, start, end, quoted, text[start:end])
        for statement_id, start, end, quoted in quotes
        if text[start:end] != quoted
    ]


def drifted_evidence(text: str, evidence: list[tuple[int, list[dict[str, Any]]]]) -> list[Drift]:
    """Attribution evidence spans (statement id, [{start, end, text}]) that no longer point at
    their words."""
    return [
        Drift(
            statement_id,
            span["start"],
            span["end"],
            span["text"],
            text[span["start"] : span["end"]],
            "attribution_evidence",
        )
        for statement_id, spans in evidence
        for span in spans
        if text[span["start"] : span["end"]] != span["text"]
    ]

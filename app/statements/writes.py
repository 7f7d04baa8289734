"""Writing statements: the quotations found in one source, and their search text.

Called by ingest inside its one transaction: these add and flush, never commit.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, selectinload

from app.kit.writes import assign
from app.statements.models import Statement


@dataclass(frozen=True)
class Found:
    """A quotation as extraction found it, its speaker and incident resolved to ids."""

    start: int
    end: int
    text: str
    speaker_text: str | None
    speaker_id: int | None
    said_on: date | None
    incident_id: int | None
    attribution_method: str = "none"
    attribution_confidence: float = 0.0
    # [{"start", "end", "text"}]: spans of the source that show who speaks
    attribution_evidence: tuple[dict[str, Any], ...] = ()


def sync_for_source(
    session: Session, source_id: int, found: list[Found], *, stored: bool = True
) -> int:
    """Make the source's statements exactly `found`; how many changes.

    `stored=False` says the source has no statements yet, which saves reading them.
    """
    existing = (
        {
            (s.start, s.end, s.text): s
            for s in session.scalars(select(Statement).where(Statement.source_id == source_id))
        }
        if stored
        else {}
    )
    changes = 0
    kept: set[tuple[int, int, str]] = set()
    for quote in found:
        key = (quote.start, quote.end, quote.text)
        statement = existing.get(key)
        if statement is None:
            # Unchanged quotes keep their ids across re-ingests, so citations stay valid.
            statement = Statement(
                source_id=source_id, start=quote.start, end=quote.end, text=quote.text
            )
            session.add(statement)
            changes += 1
        kept.add(key)
        changes += assign(
            statement,
            {
                "speaker_text": quote.speaker_text,
                "speaker_id": quote.speaker_id,
                "said_on": quote.said_on,
                "incident_id": quote.incident_id,
                "attribution_method": quote.attribution_method,
                "attribution_confidence": quote.attribution_confidence,
                "attribution_evidence": list(quote.attribution_evidence),
            },
        )
    for key, statement in existing.items():
        if key not in kept:
            session.delete(statement)
            changes += 1
    return changes


def sources_with_statements(session: Session, ids: Collection[int]) -> set[int]:
    """Those of `ids` with at least one stored statement."""
    return set(
        session.scalars(select(Statement.source_id).where(Statement.source_id.in_(ids)).distinct())
    )


def refresh_search_text(
    session: Session, source_ids: Collection[int], speaker_ids: Collection[int]
) -> None:
    """What `q=` searches for statements of `source_ids` or by `speaker_ids`: the quoted
    words, the speaker as written and the speaker's name."""
    ids = sorted(source_ids)
    # A slice at a time, flushed: bounded IN lists, and statements not held all at once.
    for start in range(0, len(ids), _SLICE):
        _refresh_where(session, Statement.source_id.in_(ids[start : start + _SLICE]))
    if speaker_ids:
        _refresh_where(session, Statement.speaker_id.in_(speaker_ids))


_SLICE = 5_000


def _refresh_where(session: Session, where: ColumnElement[bool]) -> None:
    statements = session.scalars(
        select(Statement).where(where).options(selectinload(Statement.speaker))
    )
    for statement in statements:
        parts = [statement.text, statement.speaker_text or ""]
        if statement.speaker is not None:
            parts.append(statement.speaker.name)
        assign(statement, {"search_text": " ".join(p for p in parts if p)})
    session.flush()

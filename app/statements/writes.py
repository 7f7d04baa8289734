"""Writing statements: the quotations found in one source, and their search text.

Called by ingest inside its one transaction: these add and flush, never commit.
"""

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, insert, select
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
    # The speaker's stored name, for the search text of a statement written by StatementWriter.
    speaker_name: str | None = None


def _attribution_of(quote: Found) -> dict[str, Any]:
    """The columns a re-extraction may change on a statement at the same place."""
    return {
        "speaker_text": quote.speaker_text,
        "speaker_id": quote.speaker_id,
        "said_on": quote.said_on,
        "incident_id": quote.incident_id,
        "attribution_method": quote.attribution_method,
        "attribution_confidence": quote.attribution_confidence,
        "attribution_evidence": list(quote.attribution_evidence),
    }


def search_text(text: str, speaker_text: str | None, speaker_name: str | None) -> str:
    """What `q=` searches for one statement: the quoted words, the speaker as written and
    the speaker's name."""
    return " ".join(p for p in (text, speaker_text or "", speaker_name or "") if p)


class StatementWriter:
    """The statements of sources that have none stored yet, as Core executemany inserts.

    Statements are the second most numerous rows of an ingest; as ORM objects each cost a
    unit-of-work pass at flush and a second UPDATE for its search text. A new source has
    nothing to compare against, so its rows are written complete, many sources at a time.
    """

    BATCH = 5_000

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: list[dict[str, Any]] = []

    def add(self, source_id: int, found: list[Found]) -> list[int]:
        """Queue the source's statements; the ids of those written so far (when a batch is
        full), for the change feed. Counts as sync_for_source would: two changes a row."""
        self.rows.extend(
            {
                "source_id": source_id,
                "start": quote.start,
                "end": quote.end,
                "text": quote.text,
                **_attribution_of(quote),
                "search_text": search_text(quote.text, quote.speaker_text, quote.speaker_name),
            }
            for quote in found
        )
        return self.flush() if len(self.rows) >= self.BATCH else []

    def flush(self) -> list[int]:
        """Insert the queued rows; their new ids."""
        if not self.rows:
            return []
        # insertmanyvalues: one multi-row INSERT ... RETURNING per batch on SQLite and
        # PostgreSQL; sorted by parameter order, so ids follow the order the rows were added.
        result = self.session.connection().execute(
            insert(Statement).returning(Statement.id, sort_by_parameter_order=True), self.rows
        )
        self.rows = []
        return list(result.scalars())


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
        changes += assign(statement, _attribution_of(quote))
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
        name = statement.speaker.name if statement.speaker is not None else None
        assign(
            statement, {"search_text": search_text(statement.text, statement.speaker_text, name)}
        )
    session.flush()

from collections.abc import Set as AbstractSet
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, exists, select
from sqlalchemy.orm import Session, selectinload

from app.actors.models import Actor
from app.actors.repository import actor_ref_items
from app.db.base import AnyRow
from app.db.versions import KeptPerDataVersion
from app.kit import search
from app.kit.names import MAX_ID
from app.sources.models import Source
from app.statements.models import Statement
from app.statements.schemas import StatementFilters

# A statement's own columns, for plain rows (a list item or a detail's part).
STATEMENT_COLUMNS = (
    Statement.id,
    Statement.text,
    Statement.speaker_text,
    Statement.source_id,
    Statement.incident_id,
    Statement.said_on,
    Statement.start,
    Statement.end,
    Statement.attribution_method,
    Statement.attribution_confidence,
    Statement.attribution_evidence,
)
# A list page's columns: its rows' speakers are read after, for the page alone
# (`speakers_of`, kept per data version), not joined, so the filters' plans stay those of the
# statement table. As ORM objects with a selectin of their speakers they were ~17 % of a page
# (profiled).
LIST_COLUMNS = (*STATEMENT_COLUMNS, Statement.speaker_id)


def _with_speakers(where: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    """Some statements with their speakers' columns, by source, then offset."""
    return (
        select(
            *STATEMENT_COLUMNS,
            Statement.speaker_id,
            Actor.slug.label("speaker_slug"),
            Actor.name.label("speaker_name"),
            Actor.kind.label("speaker_kind"),
            Actor.country.label("speaker_country"),
        )
        .outerjoin(Actor, Actor.id == Statement.speaker_id)
        .where(where)
        .order_by(Statement.source_id, Statement.start)
    )


_FOR_INCIDENT = _with_speakers(Statement.incident_id == bindparam("id"))
_FOR_SOURCE = _with_speakers(Statement.source_id == bindparam("id"))


# SQLite: a `min_confidence` filter kept by at most this many statements is given as their
# ids, listed off ix_statement_attribution_confidence alone. SQLite keeps no distribution of
# the confidences, so it walked the page's order (every statement newest first, or each of
# the speakers') testing each row's confidence: an empty answer to `min_confidence=0.9` read
# all 600,000 statements (0.6-0.7 s of CPU at 1M), `speaker=Iran&min_confidence=0.9` Iran's
# 92,544 (0.16-0.19 s). Above the cap at least 1 statement in 300 is kept and the walk in the
# page's order is left to find them. PostgreSQL's planner has the confidences' histogram and
# reads the index itself (6-8 ms for both). An index (speaker_id, attribution_confidence) was
# tried and left: SQLite then read `speaker=Iran` pages through it (same cost as its
# (speaker_id, said_on) for the speaker, chosen over it) and sorted all 92,544 (4 -> 280 ms).
LISTED_CONFIDENT = 2_000
# Filters and words -> a page's statement (see `StatementRepository.filtered`).
_KEPT_PAGES: KeptPerDataVersion[Select[Any]] = KeptPerDataVersion(1_000)


class StatementRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def with_speaker(self) -> Select[Statement]:
        return select(Statement).options(selectinload(Statement.speaker))

    def filtered(
        self,
        f: StatementFilters,
        speaker_ids: AbstractSet[int] | None,
        source_ids: list[int] | None,
        incident_ids: list[int] | None,
        *,
        rows: bool = False,
    ) -> Select[Any]:
        """`rows`: plain LIST_COLUMNS rows (a list page), else ORM objects with speakers."""
        if not rows:
            return self._filtered(f, speaker_ids, source_ids, incident_ids, rows=rows)
        # A page's statement, kept: the same object again, whose SQLAlchemy cache key is kept
        # on it (building the select, its conditions and the key was ~0.2 ms of a
        # `speaker=Iran` page's CPU, profiled at 1M). Per data version: `confident` lists ids.
        # A search's too, by its words (its condition differs per database: kept per database).
        key = (
            f.q,
            frozenset(speaker_ids) if speaker_ids is not None else None,
            tuple(source_ids) if source_ids is not None else None,
            tuple(incident_ids) if incident_ids is not None else None,
            f.include_duplicates,
            f.date_from,
            f.date_to,
            f.min_confidence,
        )
        return _KEPT_PAGES.get(
            self.session,
            key,
            lambda: self._filtered(f, speaker_ids, source_ids, incident_ids, rows=True),
        )

    def _filtered(
        self,
        f: StatementFilters,
        speaker_ids: AbstractSet[int] | None,
        source_ids: list[int] | None,
        incident_ids: list[int] | None,
        *,
        rows: bool,
    ) -> Select[Any]:
        stmt: Select[Any] = select(*LIST_COLUMNS) if rows else self.with_speaker()
        if speaker_ids is not None:
            stmt = stmt.where(Statement.speaker_id.in_(speaker_ids))
        if source_ids is not None:
            stmt = stmt.where(Statement.source_id.in_(source_ids))
        elif not f.include_duplicates:
            # A syndicated copy repeats its first copy's quotes: count them once.
            stmt = stmt.where(self._not_from_a_copy())
        if incident_ids is not None:
            stmt = stmt.where(Statement.incident_id.in_(incident_ids))
        if f.date_from:
            stmt = stmt.where(Statement.said_on >= f.date_from)
        if f.date_to:
            stmt = stmt.where(Statement.said_on <= f.date_to)
        if f.min_confidence is not None:
            stmt = stmt.where(self.confident(f.min_confidence))
        if f.q:
            stmt = stmt.where(search.matches(self.session, Statement, f.q))
        return stmt

    def _not_from_a_copy(self) -> ColumnElement[bool]:
        """The statement's source is not a syndicated copy (`duplicate_of`)."""
        if self.session.get_bind().dialect.name == "sqlite":
            # The copies' ids, listed once off ix_source_duplicate_of, then each statement's
            # source tested against that list: probing each statement's source row instead
            # cost a `speaker=Iran` page 0.82 ms of SQL, against 0.22 (1M, profiled). The
            # same rows (a statement's source_id is never NULL). PostgreSQL keeps NOT EXISTS:
            # its anti-join stays fast for any number of copies, and its estimated totals
            # are those of this shape.
            return Statement.source_id.not_in(
                select(Source.id).where(Source.duplicate_of.is_not(None))
            )
        return ~exists().where(Source.id == Statement.source_id, Source.duplicate_of.is_not(None))

    def confident(self, at: float) -> ColumnElement[bool]:
        """`attribution_confidence >= at`, on SQLite in the shape that reads fewest rows: with
        the ids of the statements it keeps when at most LISTED_CONFIDENT (listed off the
        index alone); else with the column wrapped (`+ 0`) so that no index serves it and the
        page's order is walked, whatever the planner would guess of the range."""
        column = Statement.attribution_confidence
        if self.session.get_bind().dialect.name != "sqlite":
            return column >= at
        listed = select(Statement.id).where(column >= at).limit(LISTED_CONFIDENT + 1)
        ids = list(self.session.connection().execute(listed).scalars())
        if len(ids) > LISTED_CONFIDENT:
            return column + 0 >= at
        return and_(column >= at, Statement.id.in_(ids))

    def speakers_of(self, speaker_ids: set[int]) -> dict[int, dict[str, Any]]:
        """The ActorRef items of these speakers, by id (kept per data version)."""
        if not speaker_ids:
            return {}
        return actor_ref_items(self.session, speaker_ids)

    def by_id(self, statement_id: int) -> Statement | None:
        if statement_id > MAX_ID:
            return None  # no such row, and PostgreSQL would refuse to cast it to integer
        return self.session.scalars(self.with_speaker().where(Statement.id == statement_id)).first()

    def rows_for_incident(self, incident_id: int) -> list[AnyRow]:
        """An incident's statements as plain rows, by source, then offset: STATEMENT_COLUMNS and
        the speaker's (speaker_slug, ...; NULL without a speaker). Through the ORM (identity map,
        the joined speaker's loading) they cost a detail more than its four other queries
        (profiled at 1M)."""
        return list(self.session.connection().execute(_FOR_INCIDENT, {"id": incident_id}).all())

    def rows_for_source(self, source_id: int) -> list[AnyRow]:
        """A source's statements as plain rows, as `rows_for_incident` gives an incident's."""
        return list(self.session.connection().execute(_FOR_SOURCE, {"id": source_id}).all())

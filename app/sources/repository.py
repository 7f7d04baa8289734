from collections.abc import Iterator
from typing import Any

from sqlalchemy import ColumnElement, Select, exists, func, intersect, select
from sqlalchemy.orm import Session

from app.actors.models import Actor
from app.kit import search
from app.kit.names import as_id
from app.sources.models import Mention, Source
from app.sources.schemas import SourceFilters
from app.statements.models import Statement

# A list item's columns: select(Source) read every source's whole article text (and what
# ingest keeps: `given`, hashes) for a page that shows none of it.
LIST_COLUMNS: tuple[Any, ...] = (
    Source.id,
    Source.slug,
    Source.title,
    Source.publisher,
    Source.url,
    Source.published_on,
    Source.language,
    Source.duplicate_of,
    Source.content_hash,
)


class SourceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def filtered(
        self, f: SourceFilters, actor_sets: list[set[int]], *, rows: bool = False
    ) -> Select[Any]:
        """`rows`: plain LIST_COLUMNS rows (a list page), else Source objects."""
        selected: Select[Any] = select(*LIST_COLUMNS) if rows else select(Source)
        stmt = self._where(selected, f)
        actor_id: ColumnElement[int] = Mention.actor_id.expression
        if actor_sets and self.session.get_bind().dialect.name == "sqlite":
            # `actor_id + 0` keeps SQLite on (source_id, start) for the source's ~8 mentions,
            # instead of one probe of (actor_id, source_id) per member id: the page of
            # `date_from=1987-01-13&actor=Azerbaijan&actor=France` at 1M (two sets of 13
            # ids, ~4,000 sources walked) 56 -> 35 ms in the shell.
            actor_id = Mention.actor_id + 0
        for ids in actor_sets:
            # A page stops after `limit` matches: walking sources newest first and probing
            # each one's mentions finds them first.
            stmt = stmt.where(exists().where(Mention.source_id == Source.id, actor_id.in_(ids)))
        return stmt

    def counted(
        self, f: SourceFilters, actor_sets: list[set[int]], *, window_first: bool = False
    ) -> Select[tuple[int]]:
        """The same rows as `filtered`, shaped for counting every match rather than a page.

        Counting visits every match: probing each of 300,000 sources' mentions took 2-5 s at
        1M incidents for two actors that rarely meet (profiled); the sources that mention
        each actor, read off the (actor_id, source_id) index and intersected, take 80 ms.
        `window_first`: the date window holds few sources (`window_has_fewer_than`); each
        one's mentions are probed instead, where every source of a large state was read by
        id for its date (130 ms for Israel in a two-day window of 80 sources, profiled).
        """
        if window_first:
            return self.filtered(f, actor_sets).with_only_columns(Source.id)
        stmt = self._where(select(Source.id), f)
        if actor_sets:
            mentioning = [
                select(Mention.source_id).where(Mention.actor_id.in_(ids)) for ids in actor_sets
            ]
            both = mentioning[0] if len(mentioning) == 1 else intersect(*mentioning)
            stmt = stmt.where(Source.id.in_(both))
        return stmt

    def window_has_fewer_than(self, f: SourceFilters, n: int) -> bool:
        """Whether the date window holds fewer than `n` sources; False without one.

        Index-only on (published_on), and stops after `n`.
        """
        if f.date_from is None and f.date_to is None:
            return False
        in_window = select(Source.id)
        if f.date_from:
            in_window = in_window.where(Source.published_on >= f.date_from)
        if f.date_to:
            in_window = in_window.where(Source.published_on <= f.date_to)
        found = self.session.scalar(select(func.count()).select_from(in_window.limit(n).subquery()))
        return int(found or 0) < n

    def _where(self, stmt: Select[Any], f: SourceFilters) -> Select[Any]:
        if f.publisher:
            stmt = stmt.where(func.lower(Source.publisher) == f.publisher.lower())
        if f.date_from:
            stmt = stmt.where(Source.published_on >= f.date_from)
        if f.date_to:
            stmt = stmt.where(Source.published_on <= f.date_to)
        if f.q:
            stmt = stmt.where(search.matches(self.session, Source, f.q))
        return stmt

    def by_id_or_slug(self, key: str) -> Source | None:
        if (source_id := as_id(key)) is not None:
            return self.session.scalars(select(Source).where(Source.id == source_id)).first()
        return self.session.scalars(select(Source).where(Source.slug == key)).first()

    def ids_by_id_or_slug(self, key: str) -> list[int]:
        source_id = as_id(key)
        match = Source.slug == key if source_id is None else Source.id == source_id
        return list(self.session.scalars(select(Source.id).where(match)))

    def text_and_hash(self, source_id: int) -> tuple[str, str]:
        row = self.session.execute(
            select(Source.text, Source.content_hash).where(Source.id == source_id)
        ).one()
        return row[0], row[1]

    def quotes(self, source_id: int) -> list[tuple[int, int, int, str]]:
        rows = self.session.execute(
            select(Statement.id, Statement.start, Statement.end, Statement.text)
            .where(Statement.source_id == source_id)
            .order_by(Statement.start)
        )
        return [(i, start, end, text) for i, start, end, text in rows]

    def attribution_evidence(self, source_id: int) -> list[tuple[int, list[dict[str, Any]]]]:
        rows = self.session.execute(
            select(Statement.id, Statement.attribution_evidence)
            .where(Statement.source_id == source_id)
            .order_by(Statement.start)
        )
        return [(i, list(evidence or [])) for i, evidence in rows]

    def all_in_order(self) -> Iterator[Source]:
        return iter(self.session.scalars(select(Source).order_by(Source.id)))

    def mentions(self, source_id: int) -> list[tuple[Actor, int, int]]:
        stmt = (
            select(Actor, Mention.start, Mention.end)
            .join(Mention, Mention.actor_id == Actor.id)
            .where(Mention.source_id == source_id)
            .order_by(Mention.start)
        )
        return [(actor, start, end) for actor, start, end in self.session.execute(stmt)]

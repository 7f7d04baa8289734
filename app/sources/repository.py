from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Select,
    bindparam,
    exists,
    func,
    intersect,
    literal_column,
    select,
)
from sqlalchemy.orm import Session

from app.db import kept_sql
from app.db.base import AnyRow, AnySelect, json_ids
from app.db.versions import KeptIds, KeptPerDataVersion
from app.kit import counting, search
from app.kit.background_reads import BackgroundRead
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
# A source's detail in one statement: its list item's columns and its text, by id or by slug,
# its mentions as one JSON array of [actor id, start, end] in the text's order (built by the
# database in the source's own row, as an incident's detail is), and whether it has
# statements to read. Through the ORM (the source, each mention's actor and each statement an
# object, three statements) a detail cost ~1.5 ms of CPU above its SQL; as three plain
# statements, PostgreSQL still spent a round trip on each (1.40 ms above its floor, at 1M).
_MENTIONS_JSON = {
    "sqlite": """(SELECT json_group_array(json_array(m.actor_id, m.start, m."end"))
                   FROM (SELECT actor_id, start, "end" FROM mention
                          WHERE mention.source_id = source.id
                          ORDER BY start, actor_id) AS m)""",
    "postgresql": """(SELECT json_agg(json_build_array(actor_id, start, "end")
                                      ORDER BY start, actor_id)
                       FROM mention WHERE mention.source_id = source.id)""",
}
DETAIL_COLUMNS = (*LIST_COLUMNS, Source.text)


def _detail_statements(dialect: str) -> tuple[AnySelect, AnySelect]:
    detail = select(
        *DETAIL_COLUMNS,
        literal_column(_MENTIONS_JSON[dialect]).label("mentions_json"),
        literal_column(
            "EXISTS (SELECT 1 FROM statement WHERE statement.source_id = source.id)"
        ).label("has_statements"),
    )
    return detail.where(Source.id == bindparam("key")), detail.where(
        Source.slug == bindparam("key")
    )


# dialect -> (by id, by slug)
_DETAIL = {dialect: _detail_statements(dialect) for dialect in _MENTIONS_JSON}


# SQLite: how many of an actor set's mentions are listed (off (actor_id, source_id), ~0.11 us
# each) in the time one source of a date window is probed for its mentions (its ~8 entries of
# (source_id, start, actor_id), ~3.7 us; 6.9 when each mention's row was read; at 1M).
_MENTIONS_PER_PROBED_SOURCE = 35
# SQLite: how many sources of a date window are listed off (published_on) (~0.08 us each) in
# the time one listed source is read by id to test the window on it (~12 us: a source row
# holds its article, and listed sources lie far apart; measured at 1M).
_WINDOW_SOURCES_PER_READ = 150
# SQLite: up to how many mentions an actor set is named rarely enough for the other sets'
# mentions to be sought among its sources (see `_mentioning_all`).
_FEW_MENTIONS = 20_000
# The first cap of `_in_window_listed`'s counts.
_FIRST_CAP = 1_024
# From which cap `_in_window_listed` reads every source's date rather than count on (a
# window of a few months, ~3,000 sources at 1M, is listed in a few ms: not worth the ~45 ms
# of reading them).
_DAYS_FROM_CAP = 8 * _FIRST_CAP
# Ids up to which sources' ids are intersected as marks (see `counting.common_ids`).
_MARKED_IDS_LIMIT = 64_000_000
# How many mentions actor sets have ([counted, exact], see `_mentions`): they choose a
# count's shape.
_KEPT_MENTIONS: KeptPerDataVersion[list[Any]] = KeptPerDataVersion(10_000)
# Filters -> a list's statements (`SourceRepository.filtered` and `counted`).
_KEPT_STATEMENTS: KeptPerDataVersion[Select[Any]] = KeptPerDataVersion(1_000)


def _filters_key(f: SourceFilters, actor_sets: list[set[int]]) -> tuple[Any, ...]:
    """What of a list's filters its statements are built from."""
    return (
        f.publisher,
        f.date_from,
        f.date_to,
        f.q,
        tuple(frozenset(ids) for ids in actor_sets),
    )


# From how many mentions an actor set's sources are kept (`_mentioned_by`), and up to how
# many source ids are kept in all (8 bytes each: 32 MB).
_KEPT_FROM_MENTIONS = 20_000
_MENTIONED: KeptIds = KeptIds(4_000_000)


# SQLite: every source's id and date (`published_days`), one scan of ix_source_published_on.
_READ_PUBLISHED = (
    "SELECT group_concat(id), group_concat(ifnull(published_on, '0000-00-00')) FROM source"
)
# Every source's date by id, per data version (1.2 MB at 1M incidents: 300,105 sources; in
# all at most 8,000,000 entries, 32 MB).
_PUBLISHED: KeptIds = KeptIds(8_000_000)


def _read_published(connection: Connection) -> Any:
    """Every source's date as YYYYMMDD by id (`SourceRepository.published_days`), or None."""
    ids, days = connection.exec_driver_sql(_READ_PUBLISHED).one()
    if not ids:
        return None
    listed = np.fromstring(ids, dtype=np.int64, sep=",")
    written = (days + ",").encode()
    if len(written) != 11 * len(listed):
        return None
    chars = np.frombuffer(written, dtype=np.uint8).reshape(-1, 11)
    if not (chars[:, [4, 7, 10]] == np.frombuffer(b"--,", dtype=np.uint8)).all():
        return None
    digits = chars[:, [0, 1, 2, 3, 5, 6, 8, 9]].astype(np.int64) - ord("0")
    by_id = np.zeros(int(listed.max()) + 1, dtype=np.int32)
    by_id[listed] = digits @ (10 ** np.arange(7, -1, -1, dtype=np.int64))
    by_id.setflags(write=False)
    return by_id


# Read as the service starts, where the first request to test a date window off them read
# them itself (35-65 ms at 1M); a request that comes first still does.
_DATE_READS: BackgroundRead[Any] = BackgroundRead(
    "source-dates",
    _read_published,
    wait_seconds=0.0,
    retry_seconds=60.0,
    dialects=frozenset({"sqlite"}),
)


def prepare_dates(engine: Engine) -> None:
    """Start reading every source's date as the service starts (SQLite)."""
    _DATE_READS.prepare(engine)


def _in_window_days(days: Any, common: Any, f: SourceFilters) -> Any:
    """Which of the sources `common` (int64, ascending) the date window of `f` holds, by
    `days` (read in the same transaction: it holds every source `common` can name)."""
    of = days[common]
    within = of >= _yyyymmdd(f.date_from) if f.date_from is not None else of > 0
    if f.date_to is not None:
        within &= of <= _yyyymmdd(f.date_to)
    return within


def _yyyymmdd(day: Any) -> int:
    return int(day.year) * 10_000 + int(day.month) * 100 + int(day.day)


class SourceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def _sqlite(self) -> bool:
        return self.session.get_bind().dialect.name == "sqlite"

    def filtered(
        self, f: SourceFilters, actor_sets: list[set[int]], *, rows: bool = False
    ) -> Select[Any]:
        """`rows`: plain LIST_COLUMNS rows (a list page), else Source objects."""
        if not rows:
            return self._filtered(f, actor_sets, rows=False)
        # A page's statement, kept per database and data version: the same object again,
        # whose SQLAlchemy cache key and the pages' kept forms are kept on it (built for each
        # request, with `counted`'s, they were a tenth of a search page's CPU, as the
        # incidents' were: app/incidents/repository.py).
        return _KEPT_STATEMENTS.get(
            self.session,
            ("filtered", *_filters_key(f, actor_sets)),
            lambda: self._filtered(f, actor_sets, rows=True),
        )

    def _filtered(self, f: SourceFilters, actor_sets: list[set[int]], *, rows: bool) -> Select[Any]:
        selected: Select[Any] = select(*LIST_COLUMNS) if rows else select(Source)
        stmt = self._where(selected, f)
        actor_id: ColumnElement[int] = Mention.actor_id.expression
        sqlite = actor_sets and self._sqlite()
        if sqlite:
            # `actor_id + 0` keeps SQLite on (source_id, start, actor_id) for the source's ~8
            # mentions, instead of one probe of (actor_id, source_id) per member id: the page
            # of `date_from=1987-01-13&actor=Azerbaijan&actor=France` at 1M (two sets of 13
            # ids, ~4,000 sources walked) 56 -> 35 ms in the shell.
            actor_id = Mention.actor_id + 0
        for ids in actor_sets:
            # A page stops after `limit` matches: walking sources newest first and probing
            # each one's mentions finds them first. SQLite reads the index alone for
            # `SELECT 1`, where `SELECT *` read each mention's row (`actor=China&
            # actor=Azerbaijan`'s page, 22 -> 15 ms at 1M in the shell).
            probe = (
                select(literal_column("1"))
                .where(Mention.source_id == Source.id, actor_id.in_(ids))
                .exists()
                if sqlite
                else exists().where(Mention.source_id == Source.id, actor_id.in_(ids))
            )
            stmt = stmt.where(probe)
        return stmt

    def counted(
        self, f: SourceFilters, actor_sets: list[set[int]], *, window_first: bool = False
    ) -> Select[tuple[int]]:
        """The same rows as `filtered`, shaped for counting every match rather than a page.

        Counting visits every match: probing each of 300,000 sources' mentions took 2-5 s at
        1M incidents for two actors that rarely meet (profiled); the sources that mention
        each actor, read off the (actor_id, source_id) index and intersected, take 80 ms.
        `window_first`: the date window holds few sources (`probes_window`); each
        one's mentions are probed instead, where every source of a large state was read by
        id for its date (130 ms for Israel in a two-day window of 80 sources, profiled).
        """
        return _KEPT_STATEMENTS.get(
            self.session,
            ("counted", window_first, *_filters_key(f, actor_sets)),
            lambda: self._narrowed(f, self._counted(f, actor_sets, window_first=window_first)),
        )

    def _narrowed(self, f: SourceFilters, stmt: Select[Any]) -> Select[Any]:
        """SQLite: `stmt`, whose rows are ruled in or out by their date window in memory
        first (`counting.narrowed_by`), where a date window is part of other filters. A
        sample's thousand probes each read a source's row for its date: 320-410 ms of a
        week's sources under an actor, read from disk at 1M, where a week holds ~150 of
        300,000."""
        windowed = f.date_from is not None or f.date_to is not None
        if not windowed or not self._sqlite() or counting.tester_of(stmt) is not None:
            return stmt
        return counting.narrowed_by(
            stmt, lambda session, ids: SourceRepository(session).in_window_by_date(f, ids)
        )

    def in_window_by_date(self, f: SourceFilters, ids: Any) -> Any:
        """SQLite: `in_window` off every source's date; None where the dates are not all
        YYYY-MM-DD (in SQL, testing them would cost what it saves)."""
        if self.published_days() is None:
            return None
        return self.in_window(f, ids)

    def _counted(
        self, f: SourceFilters, actor_sets: list[set[int]], *, window_first: bool
    ) -> Select[tuple[int]]:
        if window_first:
            return self._filtered(f, actor_sets, rows=False).with_only_columns(Source.id)
        stmt = self._where(select(Source.id), f)
        if self._window_alone_in_memory(f, actor_sets):
            # A date window alone, told apart off every source's date kept in memory: a
            # search under it listed the window's ids in SQL for its total and places
            # (`/sources?q=ghana&date_from=2013-01-01` at 1M: 198,925 ids, ~20 ms of each
            # request), or tested its matches there.
            stmt = counting.tested_by(
                stmt, lambda session, ids: SourceRepository(session).in_window(f, ids)
            )
            return counting.listed_by(
                stmt, lambda session: SourceRepository(session).listed_in_window(f)
            )
        if actor_sets:
            mentioning = [
                select(Mention.source_id).where(Mention.actor_id.in_(ids)) for ids in actor_sets
            ]
            both = mentioning[0] if len(mentioning) == 1 else intersect(*mentioning)
            stmt = stmt.where(Source.id.in_(both))
            if not f.q and self._sqlite():
                # SQLite put each actor set's sources in a temporary B-tree to intersect them
                # (`actor=Iran&actor=Brazil` at 1M: 90-125 ms); listed as one string each and
                # intersected as marks, 50 (`listed_mentioning`).
                stmt = counting.listed_by(
                    stmt, lambda session: SourceRepository(session).listed_mentioning(f, actor_sets)
                )
        return stmt

    def listed_mentioning(self, f: SourceFilters, actor_sets: list[set[int]]) -> list[int]:
        """SQLite, filters without `q`: the ids of the sources that mention every actor set
        and meet the other filters (`counted`'s rows), each once, ascending. Each set's
        mentions listed off (actor_id, source_id) and intersected in memory; then the date
        window, off (published_on) and intersected too, or tested on each listed source by id
        when they are few against the window (and the publisher always so)."""
        common = self._mentioning_all(actor_sets)
        dated = f.date_from is not None or f.date_to is not None
        if len(common) == 0 or not (dated or f.publisher):
            return [int(i) for i in common.tolist()]
        if f.publisher is None:
            common = self._in_window_listed(f, common)
        else:
            common = self._kept_by_id(common, lambda stmt: self._where(stmt, f))
        return [int(i) for i in common.tolist()]

    def _mentioning_all(self, actor_sets: list[set[int]]) -> Any:
        """SQLite: the sources that mention every actor set (int64, each once, ascending).

        Each set's mentions listed and intersected as marks; but when one set is named
        rarely against the others, only its sources are listed and the others' mentions
        sought among them on (source_id, start, actor_id) (~3.7 us a source, where listing
        costs ~0.11 us a mention): `actor=Iran&actor=Brazil` at 1M, Iran's 429,951 mentions
        listed in 50-65 ms, Brazil's 3,118 sources probed for them in 13."""
        counts = [self._mentions(ids, _FEW_MENTIONS) for ids in actor_sets]
        rarest = min(range(len(actor_sets)), key=counts.__getitem__)
        probed_cost = counts[rarest] * _MENTIONS_PER_PROBED_SOURCE
        others = [ids for i, ids in enumerate(actor_sets) if i != rarest]
        if counts[rarest] < _FEW_MENTIONS and others:
            listed_cost = sum(self._mentions(ids, probed_cost) for ids in others)
            if listed_cost >= probed_cost:
                rare = counting.distinct_ids(self._mentioned_by(actor_sets[rarest]))
                for ids in others:
                    each = func.json_each(bindparam("rare_json", json_ids(rare.tolist())))
                    among = select(each.table_valued("value").c.value)
                    found = select(Mention.source_id).where(
                        Mention.source_id.in_(among), (Mention.actor_id + 0).in_(ids)
                    )
                    rare = counting.common_ids(
                        [rare, counting.listed_column(self.session, found)], _MARKED_IDS_LIMIT
                    )
                return rare
        listed = [self._mentioned_by(ids) for ids in actor_sets]
        return counting.common_ids(listed, _MARKED_IDS_LIMIT)

    def _mentioned_by(self, ids: set[int]) -> Any:
        """The sources of every mention of these actors (int64; a source once per mention,
        or once each, ascending, when kept). A set named in many sources is kept per data
        version (`_MENTIONED`): listing a large state's mentions is most of these counts
        (Azerbaijan's 224,876, 25-34 ms at 1M), and the same states come back."""
        mentions = select(Mention.source_id).where(Mention.actor_id.in_(ids))
        key = ("mentioned", frozenset(ids))
        kept = _MENTIONED.get(self.session, key)
        if kept is not None:
            return kept
        listed = counting.listed_column(self.session, mentions)
        if len(listed) >= _KEPT_FROM_MENTIONS:
            _MENTIONED.keep(self.session, key, counting.distinct_ids(listed))
        return listed

    def _kept_by_id(self, common: Any, where: Callable[[Select[Any]], Select[Any]]) -> Any:
        """Those of the sources `common` (int64) that `where`'s conditions keep, each read by
        id, ascending."""
        each = func.json_each(bindparam("listed_json", json_ids(common.tolist())))
        listed = select(each.table_valued("value").c.value)
        kept = where(select(Source.id).where(Source.id.in_(listed)))
        return np.sort(counting.listed_column(self.session, kept))

    def _in_window_listed(self, f: SourceFilters, common: Any) -> Any:
        """SQLite: those of the sources `common` (int64, ascending, each once) that the date
        window of `f` holds. The window's sources listed off (published_on) and intersected,
        or those outside it (earlier, later, undated) listed and taken away, whichever are
        fewer; each read by id when both are many against them (a read by id costs ~12 us,
        an index entry listed ~0.08: 3,519 sources 45 ms by id; all 300,105 listed, 23 ms;
        the 0 outside `date_from=1987-01-13`, nothing; measured at 1M)."""
        outside_parts: list[ColumnElement[bool]] = [Source.published_on.is_(None)]
        if f.date_from:
            outside_parts.append(Source.published_on < f.date_from)
        if f.date_to:
            outside_parts.append(Source.published_on > f.date_to)
        outside = [select(Source.id).where(part) for part in outside_parts]
        days = _PUBLISHED.get(self.session, "published")
        if days is not None:
            return common[_in_window_days(days, common, f)]
        enough = len(common) * _WINDOW_SOURCES_PER_READ
        # Each side counted up to a cap that grows until one is found short of it: the
        # counts read about as many entries as the fewer side holds.
        cap = _FIRST_CAP
        while True:
            cap = min(cap, enough)
            if cap > _DAYS_FROM_CAP:
                # Both sides hold more than the second cap: every source's date, read once
                # per data version, tests the listed ones in memory (the window of
                # `date_from=2021-11-04&date_to=2031-11-02&actor=Israel&q=border` at 1M: a
                # fifth of the sources in it, the rest before it; 16 counts and 45,000 ids
                # listed, 60-130 ms of CPU, profiled; the dates read in ~45 ms, once).
                days = self.published_days()
                if days is not None:
                    return common[_in_window_days(days, common, f)]
            if sum(self._size(stmt, cap) for stmt in outside) < cap:
                removed = np.concatenate([counting.listed_column(self.session, s) for s in outside])
                return common[~np.isin(common, removed)]
            if self._window_size(f, cap) < cap:
                window = self._in_window(select(Source.id), f)
                in_window = counting.listed_column(self.session, window)
                return counting.common_ids([common, in_window], _MARKED_IDS_LIMIT)
            if cap >= enough:
                break
            cap *= 8
        return self._kept_by_id(common, lambda stmt: self._in_window(stmt, f))

    def _window_alone_in_memory(self, f: SourceFilters, actor_sets: list[set[int]]) -> bool:
        """SQLite: whether the filters are a date window alone, its sources listed and
        tested off every source's date (`listed_in_window`, `in_window`)."""
        dated = f.date_from is not None or f.date_to is not None
        return dated and not (actor_sets or f.publisher or f.q) and self._sqlite()

    def listed_in_window(self, f: SourceFilters) -> list[int]:
        """SQLite: the ids of the sources the date window of `f` holds, ascending: off every
        source's date (`published_days`), or in SQL where a date is not YYYY-MM-DD."""
        days = self.published_days()
        if days is None:
            window = self._in_window(select(Source.id), f)
            listed = counting.distinct_ids(counting.listed_column(self.session, window))
            return listed.tolist()  # type: ignore[no-any-return]
        every = np.arange(len(days), dtype=np.int64)
        return every[_in_window_days(days, every, f)].tolist()  # type: ignore[no-any-return]

    def in_window(self, f: SourceFilters, ids: Any) -> Any:
        """SQLite: which of the source `ids` (int64, any order) the date window of `f` holds,
        as a boolean vector (`counting.tested_by`)."""
        ids = np.asarray(ids, dtype=np.int64)
        days = self.published_days()
        if days is None:
            return np.isin(ids, self._kept_by_id(ids, lambda stmt: self._in_window(stmt, f)))
        known = (ids > 0) & (ids < len(days))
        within = np.zeros(len(ids), dtype=bool)
        within[known] = _in_window_days(days, ids[known], f)
        return within

    def published_days(self) -> Any:
        """SQLite: every source's date as YYYYMMDD by id (int32; 0: none, or no source), kept
        per data version; None when a date is not written as YYYY-MM-DD. Read as the service
        starts (`prepare_dates`), else by the first request that wants them."""
        if (kept := _PUBLISHED.get(self.session, "published")) is not None:
            return kept
        by_id = _DATE_READS.read_already(self.session)
        if by_id is None:
            by_id = _read_published(self.session.connection())
        if by_id is not None:
            _PUBLISHED.keep(self.session, "published", by_id)
        return by_id

    def probes_window(self, f: SourceFilters, actor_sets: list[set[int]], n: int) -> bool:
        """Whether a count of these filters probes each source of the date window for the
        actors' mentions (`counted`'s `window_first`): the window holds fewer than `n`
        sources, and on SQLite without `q` the actor sets have more mentions than listing
        them (`listed_mentioning`) costs against probing that many sources: Turkey's 77,132
        mentions in a year of ~7,500 sources, 28 ms probed, 7 listed (measured at 1M)."""
        if f.date_from is None and f.date_to is None:
            return False
        in_window = self._window_size(f, n)
        if in_window >= n:
            return False
        if f.q or not self._sqlite():
            return True
        budget = in_window * _MENTIONS_PER_PROBED_SOURCE
        mentions = 0
        for ids in actor_sets:
            mentions += self._mentions(ids, budget - mentions)
            if mentions >= budget:
                return True
        return False

    def _mentions(self, ids: set[int], cap: int) -> int:
        """How many mentions these actors have, counted up to `cap`. Kept per data version
        as the most counted so far (exact, or at least that many): a later question under
        another cap is answered from it when it can be."""
        known = _KEPT_MENTIONS.get(self.session, ("mentions", frozenset(ids)), lambda: [0, False])
        counted, exact = int(known[0]), bool(known[1])
        if exact or counted >= cap:
            return min(counted, cap)
        probe = select(Mention.id).where(Mention.actor_id.in_(ids)).limit(cap).subquery()
        found = int(self.session.scalar(select(func.count()).select_from(probe)) or 0)
        known[:] = [found, found < cap]  # the kept entry itself: a list, updated in place
        return found

    def _window_size(self, f: SourceFilters, n: int) -> int:
        """How many sources the date window holds, counted up to `n`: index-only on
        (published_on), and stops after `n`."""
        return self._size(self._in_window(select(Source.id), f), n)

    def _size(self, stmt: Select[Any], n: int) -> int:
        """How many rows `stmt` selects, counted up to `n`."""
        if n <= 0:
            return 0
        limited = stmt.limit(n).subquery()
        return int(self.session.scalar(select(func.count()).select_from(limited)) or 0)

    def _in_window(self, stmt: Select[Any], f: SourceFilters) -> Select[Any]:
        if f.date_from:
            stmt = stmt.where(Source.published_on >= f.date_from)
        if f.date_to:
            stmt = stmt.where(Source.published_on <= f.date_to)
        return stmt

    def _where(self, stmt: Select[Any], f: SourceFilters) -> Select[Any]:
        if f.publisher:
            stmt = stmt.where(func.lower(Source.publisher) == f.publisher.lower())
        stmt = self._in_window(stmt, f)
        if f.q:
            stmt = stmt.where(search.matches(self.session, Source, f.q))
        return stmt

    def by_id_or_slug(self, key: str) -> Source | None:
        if (source_id := as_id(key)) is not None:
            return self.session.scalars(select(Source).where(Source.id == source_id)).first()
        return self.session.scalars(select(Source).where(Source.slug == key)).first()

    def detail_row(self, key: str) -> AnyRow | None:
        """A source by id or slug as a plain row (see _detail_statements): DETAIL_COLUMNS,
        `mentions_json` and `has_statements`."""
        connection = self.session.connection()
        by_id, by_slug = _DETAIL[connection.dialect.name]
        source_id = as_id(key)
        stmt, value = (by_slug, key) if source_id is None else (by_id, source_id)
        # On the DBAPI cursor (app/db/kept_sql.py), as an incident's detail is read.
        rows = kept_sql.named_rows(connection, stmt, {"key": value})
        if rows is None:
            rows = list(connection.execute(stmt, {"key": value}).all())
        return rows[0] if rows else None

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

"""Honest totals: exact while cheap, an estimate (and said so) above a threshold."""

import json
import weakref
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, TypeVar

import numpy as np
from sqlalchemy import (
    Integer,
    Select,
    String,
    Table,
    Text,
    bindparam,
    cast,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.db import kept_sql
from app.db.base import json_ids
from app.db.versions import KeptPerDataVersion, data_version, database_key
from app.settings import Settings

S = TypeVar("S", bound=Select[Any])


class TotalAccuracy(StrEnum):
    exact = "exact"
    estimated = "estimated"
    at_least = "at_least"  # count=none: what this walk has seen, plus one if there is more


class CountMode(StrEnum):
    exact = "exact"  # always count every match
    estimated = "estimated"  # exact while cheap, an estimate above the threshold (default)
    none = "none"  # do not count: total is a lower bound


@dataclass(frozen=True)
class CountLimits:
    """Up to how many matches a total is exact, per backend (see Settings)."""

    postgresql: int  # by the planner's estimate
    sqlite: int  # by a sample of ids

    @classmethod
    def of(cls, settings: Settings) -> "CountLimits":
        return cls(settings.exact_count_threshold, settings.sqlite_exact_count_threshold)


def total_for(
    session: Session,
    stmt: Select[Any],
    mode: CountMode,
    limits: CountLimits,
    id_column: InstrumentedAttribute[int],
    count_stmt: Select[Any] | None = None,
) -> tuple[int, TotalAccuracy]:
    """The total the caller asked for; with count=none a placeholder the caller replaces."""
    total, accuracy, _ = total_and_ids(session, stmt, mode, limits, id_column, count_stmt)
    return total, accuracy


def total_and_ids(
    session: Session,
    stmt: Select[Any],
    mode: CountMode,
    limits: CountLimits,
    id_column: InstrumentedAttribute[int],
    count_stmt: Select[Any] | None = None,
    *,
    list_ids: bool = False,
) -> tuple[int, TotalAccuracy, list[int] | None]:
    """`total_for`, and with `list_ids` every match's id when the total was estimated small
    and counted exactly in `count_stmt`'s shape: the ids are listed instead of counted, at
    the same cost, for a caller that would list them next (see `pagination.paginate`)."""
    if mode is CountMode.exact:
        total, accuracy = count(session, stmt, CountLimits(2**62, 2**62), None, count_stmt)
        return total, accuracy, None
    if mode is CountMode.estimated:
        if not list_ids:
            total, accuracy = count(session, stmt, limits, id_column, count_stmt)
            return total, accuracy, None
        key = _kept_key(session, stmt, limits, id_column, count_stmt)
        found = _counts.get(key) if key is not None else None
        if found is not None:
            return *found, None  # kept: the caller lists the page itself
        total, accuracy, listed = _count(
            session, stmt, limits, id_column, count_stmt, list_ids=True
        )
        _keep(key, (total, accuracy))
        return total, accuracy, listed
    return 0, TotalAccuracy.at_least, None


# (database, data version, what is counted) -> the total. A list's filters asked again (the
# next client, the same page with another cursor) were counted again: on SQLite the sampled
# estimate of `statements?speaker=Iran` was half of the request's SQL (profiled at 1M), on
# PostgreSQL an EXPLAIN round trip per request. Only an ingest changes a total.
_counts: dict[tuple[Any, ...], tuple[int, TotalAccuracy]] = {}
_COUNTS_LIMIT = 10_000


def count(
    session: Session,
    stmt: Select[Any],
    limits: CountLimits,
    id_column: InstrumentedAttribute[int] | None = None,
    count_stmt: Select[Any] | None = None,
) -> tuple[int, TotalAccuracy]:
    """Exact up to `limits` matches; above it an estimate (planner's, or sampled on SQLite).

    Probes and estimates use `stmt`; an exact count uses `count_stmt` when given: the same
    rows, in a shape that is cheaper to visit in full. Kept per data version.
    """
    key = _kept_key(session, stmt, limits, id_column, count_stmt)
    found = _counts.get(key) if key is not None else None
    if found is not None:
        return found
    total, accuracy, _ = _count(session, stmt, limits, id_column, count_stmt, list_ids=False)
    _keep(key, (total, accuracy))
    return total, accuracy


def _kept_key(
    session: Session,
    stmt: Select[Any],
    limits: CountLimits,
    id_column: InstrumentedAttribute[int] | None,
    count_stmt: Select[Any] | None,
) -> tuple[Any, ...] | None:
    """Where `count` keeps this total: None when it cannot be kept (no data version, or a
    statement without a cache key)."""
    version = data_version(session)
    if version is None:
        return None
    counted = _statement_key(stmt), _statement_key(count_stmt)
    if counted[0] is None or (count_stmt is not None and counted[1] is None):
        return None
    url = database_key(session)
    return (url, version, limits, id_column is not None, *counted)


def _keep(key: tuple[Any, ...] | None, total: tuple[int, TotalAccuracy]) -> None:
    if key is None:
        return
    if len(_counts) >= _COUNTS_LIMIT:
        _counts.clear()  # older data versions, or a flood of distinct filters
    _counts[key] = total


class _StatementKey:
    """A statement's key (`_statement_key`) with its hash worked out once: hashing the
    nested tuples of a cache key again for every lookup cost as much as generating it."""

    __slots__ = ("key", "_hash")

    def __init__(self, key: tuple[Any, ...]) -> None:
        self.key = key
        self._hash = hash(key)

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, _StatementKey) and self.key == other.key)


# By statement object (a select is immutable; the lists' statements are kept, so the same
# objects come back each request): generating a statement's cache key walks all of it,
# ~0.1 ms of a 1.2 ms `type=arrest` page's CPU (measured at 1M).
_STATEMENT_KEYS: "weakref.WeakKeyDictionary[Select[Any], _StatementKey | None]" = (
    weakref.WeakKeyDictionary()
)


def _statement_key(stmt: Select[Any] | None) -> _StatementKey | None:
    """What identifies a statement's rows: SQLAlchemy's cache key (its structure, the one
    its compiled-SQL cache uses) and its parameters' values; None when it has none."""
    if stmt is None:
        return None
    try:
        return _STATEMENT_KEYS[stmt]
    except KeyError:
        pass
    # A statement made around another with options only (`with_options`, `counted_by`) has
    # that one's key: worked out once for both, and only when asked.
    alike = _ESTIMATED_ALIKE.get(stmt)
    key = _STATEMENT_KEYS[stmt] = (
        _statement_key(alike) if alike is not None else _statement_key_of(stmt)
    )
    return key


def _statement_key_of(stmt: Select[Any]) -> _StatementKey | None:
    cache_key = stmt._generate_cache_key()
    if cache_key is None:
        return None
    try:
        values = tuple(_frozen(b.effective_value) for b in cache_key.bindparams)
        return _StatementKey((cache_key.key, values))
    except TypeError:
        return None  # a parameter value that cannot be a key: not kept


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(value)
    return value


def _count(
    session: Session,
    stmt: Select[Any],
    limits: CountLimits,
    id_column: InstrumentedAttribute[int] | None,
    count_stmt: Select[Any] | None,
    *,
    list_ids: bool,
) -> tuple[int, TotalAccuracy, list[int] | None]:
    exact = count_stmt if count_stmt is not None else stmt
    counter = exact.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    dialect = session.get_bind().dialect.name
    if stmt.whereclause is None and dialect == "sqlite":
        # No filter: counting the table is one pass over its smallest index, cheaper than
        # any estimate on SQLite (0.2 ms at 100,000 incidents). PostgreSQL has no such
        # shortcut (80 ms at 5,000,000): there the planner's estimate below answers.
        return _whole_table_count(session, counter), TotalAccuracy.exact, None
    estimated_small = False
    if dialect == "postgresql":
        planned = _planner_estimate(session, stmt)
        if planned > limits.postgresql:
            return planned, TotalAccuracy.estimated, None
        estimated_small = True
    elif dialect == "sqlite" and id_column is not None:
        # An exact count is a pass over every match: 1.7 s for `actor=Iran` at a million
        # incidents (profiled). A sample of ids says first whether the match set is large.
        bound = limits.sqlite
        ids = stmt.with_only_columns(id_column, maintain_column_froms=True).order_by(None)
        sampled = _sampled_estimate(session, ids, id_column, bound, count_stmt)
        if sampled is not None and sampled > bound:
            return sampled, TotalAccuracy.estimated, None
        estimated_small = True
    listing = _listing(exact)
    if list_ids and estimated_small and count_stmt is not None and stmt.whereclause is not None:
        # The same pass as the count, keeping the ids: a page cut from them would otherwise
        # walk the count's shape a second time (0.28 s of CPU counted, then as much listed,
        # for `actor=Turkey&actor=Iran&type=arrest` at 1M, profiled). Not without filters:
        # there the page is the first rows of the walk, and the count is what is asked.
        if listing is not None:
            listed = listing(session)
        else:
            listed = [int(row_id) for row_id in session.scalars(count_stmt.order_by(None))]
        return len(listed), TotalAccuracy.exact, listed
    if listing is not None:
        return listed_size(session, exact), TotalAccuracy.exact, None
    return int(session.scalar(counter) or 0), TotalAccuracy.exact, None


Listing = Callable[[Session], list[int]]


def listed_by(stmt: S, listing: Listing, size: Callable[[], int] | None = None) -> S:
    """`stmt`, whose rows' ids (each once) `listing` lists more cheaply than the statement
    itself: an exact count of `stmt`, or the ids it lists to cut a page from, ask `listing`;
    `size`, how many it lists without listing them (a Python list of a window's million ids
    took 30-40 ms to build, at 1M)."""
    if size is None:
        return with_options(stmt, listed_by=listing)
    return with_options(stmt, listed_by=listing, listed_size=size)


def listed_size(session: Session, stmt: Select[Any]) -> int:
    """How many ids `stmt`'s listing (`listed_by`) lists."""
    size: Callable[[], int] | None = stmt.get_execution_options().get("listed_size")
    if size is not None:
        return size()
    listing = _listing(stmt)
    assert listing is not None, "a statement listed_by something"
    return len(listing(session))


def with_options(stmt: S, **options: Any) -> S:
    """`stmt` with execution options, and the same key for what is kept of it: options are
    no part of SQLAlchemy's cache key, and the key of a statement made for each request was
    worked out again for each (~1 ms of an actor's list in a window at 1M, measured)."""
    return _estimated_alike(stmt.execution_options(**options), stmt)


# Which of some ids (int64, any order) a statement selects, as a boolean vector, found without
# SQL (the incident columns).
Tester = Callable[[Session, Any], Any]


def tested_by(stmt: S, tester: Tester) -> S:
    """`stmt` (a list's ids), whose rows `tester` tells apart from others by id without
    SQL: a search's relevance walk tests each batch of its ranking with it."""
    return with_options(stmt, tested_by=tester)


def tester_of(stmt: Select[Any]) -> Tester | None:
    """What tests ids against `stmt` (`tested_by`), if anything."""
    tester: Tester | None = stmt.get_execution_options().get("tested_by")
    return tester


# Which of some ids (int64, any order) may be among a statement's rows, as a boolean vector
# found without SQL: a condition every row meets (a date window tested off kept dates), so
# only the ids it keeps need testing in SQL; None when it cannot tell without SQL.
Narrower = Callable[[Session, Any], Any | None]


def narrowed_by(stmt: S, narrower: Narrower) -> S:
    """`stmt` (a list's rows or ids), each of whose rows `narrower` keeps: a sample's probes
    are tested in SQL only where it keeps them (`_hits_in_memory`)."""
    return with_options(stmt, narrowed_by=narrower)


def narrower_of(stmt: Select[Any]) -> Narrower | None:
    """What rules out ids of `stmt`'s rows without SQL (`narrowed_by`), if anything."""
    narrower: Narrower | None = stmt.get_execution_options().get("narrowed_by")
    return narrower


def listing_of(stmt: Select[Any]) -> Listing | None:
    """What lists `stmt`'s ids (`listed_by`), if anything."""
    return _listing(stmt)


def _listing(stmt: Select[Any]) -> Listing | None:
    listing: Listing | None = stmt.get_execution_options().get("listed_by")
    return listing


def listed_column(session: Session, stmt: Select[Any]) -> Any:
    """Every value of `stmt`'s one integer column, as an int64 vector: the database joins
    them into one string and numpy parses it, where the driver built a tuple and an int for
    each row (a word's 277,655 matches at 1M on SQLite: 90 -> 23 ms of CPU, measured)."""
    inner = stmt.subquery("listed")
    column = list(inner.c)[0]
    if session.get_bind().dialect.name == "postgresql":
        joined = session.scalar(select(func.string_agg(cast(column, Text), literal(","))))
    else:
        joined = session.scalar(select(func.group_concat(column)))
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def distinct_ids(ids: Any) -> Any:
    """Each of the int64 `ids` once, ascending: sorted, then each kept where it differs from
    the one before. `np.unique` (numpy 2: a hash table, then a sort) took 20 ms for 104,735
    ids where this takes 4 (measured)."""
    ordered = np.sort(ids)
    if len(ordered) < 2:
        return ordered
    kept = np.empty(len(ordered), dtype=bool)
    kept[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=kept[1:])
    return ordered[kept]


def common_ids(listed: list[Any], marked_up_to: int) -> Any:
    """The ids found in every int64 vector of `listed` (each may repeat an id), each once,
    ascending. Sorting a large state's 88,144 entries to intersect them took 16-31 ms of CPU
    (`np.unique`, PostgreSQL at 1M); marking them in an array of the ids' range takes ~1.
    Ids past `marked_up_to` (or negative) are sorted instead."""
    if not listed:
        return np.empty(0, dtype=np.int64)
    if any(len(found) == 0 for found in listed):
        return np.empty(0, dtype=np.int64)
    top = max(int(found.max()) for found in listed)
    if min(int(found.min()) for found in listed) < 0 or top >= marked_up_to:
        common = np.unique(listed[0])
        for found in listed[1:]:
            common = np.intersect1d(common, np.unique(found), assume_unique=True)
        return common
    marked = np.zeros(top + 1, dtype=bool)
    marked[listed[0]] = True
    for found in listed[1:]:
        also = np.zeros(top + 1, dtype=bool)
        also[found] = True
        marked &= also
    return np.flatnonzero(marked)


# (database, statement) -> (data version, count). Only ingest changes the data, and every
# ingest that changes something bumps the data version.
_whole_table_counts: dict[tuple[str, str], tuple[int, int]] = {}


def _whole_table_count(session: Session, counter: Select[Any]) -> int:
    """`counter` (an unfiltered count) as of the data version this transaction sees.

    Counting a million-row table is a pass over its smallest index: ~18% of a list
    request's samples under load (py-spy), for a number that changes only with an ingest.
    """
    version = data_version(session)
    # Unfiltered and without joins, the count depends on its tables alone: named by them,
    # not by compiling the statement on every request (0.7 ms, a quarter of a list page's
    # service time, profiled; get_final_froms() compiles it too).
    froms = counter._from_obj
    tables = [f.name for f in froms if isinstance(f, Table)]
    simple = not counter._setup_joins and tables and len(tables) == len(froms)
    what = ",".join(tables) if simple else str(counter)
    key = (database_key(session), what)
    cached = _whole_table_counts.get(key)
    if version is not None and cached is not None and cached[0] == version:
        return cached[1]
    total = int(session.scalar(counter) or 0)
    if version is not None:
        _whole_table_counts[key] = (version, total)
    return total


# Ids probed for a SQLite estimate: about ±5% on a filter matching 40% of the rows.
_SAMPLE_SIZE = 1000


def _sampled_estimate(
    session: Session,
    ids: Select[Any],
    id_column: InstrumentedAttribute[int],
    bound: int,
    known: Select[Any] | None = None,
) -> int | None:
    """How many rows `ids` selects, from how many of ~1,000 evenly spaced ids it selects.

    None when the table spans no more than `bound` ids: counting it exactly is as cheap.
    `known`: a statement of the same rows, which may say how to test them in memory.
    """
    probes = _probes(session, id_column, bound)
    if probes is None:
        return None
    hits = _hits_in_memory(session, ids, id_column, probes, known)
    if hits is not None:
        return probes.span.estimate(len(hits))
    cte = probes.cte()
    counted = session.scalar(
        select(func.count()).select_from(cte).where(_selects_probe(ids, id_column, cte))
    )
    return probes.span.estimate(int(counted or 0))


def _selects_probe(ids: Select[Any], id_column: InstrumentedAttribute[int], probes: Any) -> Any:
    """The condition that `ids` selects the probe, tested once per probe.

    As a join of the rows with the probes, SQLite (no statistics) drove from any index the
    filters name and scanned the thousand probes for each row in it: 100 ms for an actor,
    a type and a decade at 1M, where a probe each (a row by id, the filters tested on it)
    takes 2 (profiled). A correlated EXISTS keeps the probes outside.
    """
    return ids.where(id_column == probes.c.probe).exists()


@dataclass(frozen=True)
class Span:
    """What one probe of a sample stands for."""

    ids: int  # how many ids the table spans
    probes: int  # how many probes cover them

    def estimate(self, hits: int) -> int:
        return round(hits * self.ids / self.probes)


class _CountsIn(Protocol):
    def count_in(self, row_ids: list[int]) -> int: ...


# How many match lists' counts one sample keeps (one per search word tested on it).
_KEPT_HITS = 256


@dataclass(frozen=True)
class Sample:
    """The evenly spaced ids a statement selects (see `_sampled_estimate`)."""

    ids: list[int]
    span: Span
    # id(listed) -> (a weak reference to it, how many of `ids` it holds): see `hits_in`.
    _hits: dict[int, tuple["weakref.ref[Any]", int]] = field(
        default_factory=dict, compare=False, repr=False
    )
    # A search's key -> how many of `ids` match it: see `hits_of_search`.
    _search_hits: dict[Hashable, int] = field(default_factory=dict, compare=False, repr=False)

    def hits_in(self, listed: _CountsIn) -> int:
        """How many of the probes are in `listed` (a search's matches, kept per data version
        as this sample is), counted once per list: a relevance page's total tested its ~1,000
        probes against the word's matches on every request, ~0.1 ms of a search's 1.1 ms of
        Python on SQLite at 1M (measured)."""
        kept = self._hits.get(id(listed))
        if kept is not None and kept[0]() is listed:
            return kept[1]
        count = listed.count_in(self.ids)
        if len(self._hits) >= _KEPT_HITS:
            self._hits.clear()
        self._hits[id(listed)] = (weakref.ref(listed), count)
        return count

    def hits_of_search(self, key: Hashable, count_in: Callable[[list[int]], int]) -> int:
        """How many of the probes match a search whose matches are not listed (`key`: its
        table and words; `count_in` tests rows in SQL), counted once: a sample holds for one
        data version, as a search's matches do. A broad word under an actor tested its
        sample's probes in FTS5 on every request (`/incidents?q=talks&actor=Iran`: 3.6 ms of
        a 6.4 ms page on SQLite at 1M, measured)."""
        kept = self._search_hits.get(key)
        if kept is not None:
            return kept
        count = count_in(self.ids)
        if len(self._search_hits) >= _KEPT_HITS:
            self._search_hits.clear()
        self._search_hits[key] = count
        return count


def sample(
    session: Session,
    ids: Select[Any],
    id_column: InstrumentedAttribute[int],
    bound: int,
    known: Select[Any] | None = None,
) -> Sample | None:
    """The probes of `_sampled_estimate` that `ids` selects, for a caller that tests a further
    condition on them in memory; None when the table spans no more than `bound` ids."""
    probes = _probes(session, id_column, bound)
    if probes is None:
        return None
    hits = _hits_in_memory(session, ids, id_column, probes, known)
    if hits is None:
        cte = probes.cte()
        selected = select(cte.c.probe).where(_selects_probe(ids, id_column, cte))
        hits = [int(probe) for probe in session.scalars(selected)]
    return Sample(hits, probes.span)


@dataclass(frozen=True)
class _Probes:
    """The evenly spaced ids of a sample: from `first` to `last`, `stride` apart."""

    first: int
    stride: int
    last: int
    span: Span

    def ids(self) -> Any:
        return np.arange(self.first, self.last + 1, self.stride, dtype=np.int64)

    def cte(self) -> Any:
        # The probe ids come from a recursive CTE joined to the rows: three integers instead
        # of a thousand bound values. They are inlined (our own ints, never user input): with
        # them as parameters SQLite's planner scanned every row first (34 ms instead of 2 ms,
        # profiled).
        first, stride, last = (
            literal_column(str(int(v)), Integer) for v in (self.first, self.stride, self.last)
        )
        probes = select(first.label("probe")).cte("probes", recursive=True)
        return probes.union_all(
            select((probes.c.probe + stride).label("probe")).where(probes.c.probe + stride <= last)
        )


def _probes(session: Session, id_column: InstrumentedAttribute[int], bound: int) -> _Probes | None:
    # Two statements: SQLite answers a lone min() or max() from the index edge, both at once
    # by a full scan.
    low: int | None = session.scalar(select(func.min(id_column)))
    high: int | None = session.scalar(select(func.max(id_column)))
    if low is None or high is None or high - low + 1 <= bound:
        return None
    span = high - low + 1
    step = max(1, span // _SAMPLE_SIZE)
    return _Probes(int(low), step, int(high), Span(span, (span + step - 1) // step))


def _hits_in_memory(
    session: Session,
    ids: Select[Any],
    id_column: InstrumentedAttribute[int],
    probes: _Probes,
    known: Select[Any] | None,
) -> list[int] | None:
    """The probes `ids` selects, ascending, found as far as can be without reading a row per
    probe: by what tests the rows in memory (`tested_by`), or only those of the probes that
    pass what narrows the rows in memory (`narrowed_by`) tested in SQL. None when neither is
    known (of `ids`, or of `known`, a statement of the same rows).

    Each SQL probe reads its row from the table: a thousand random pages. With the file in
    the OS page cache that is 2-5 ms; read from disk it was 320-410 ms of a request at 1M
    (`/sources?date_from=2006-12-12&date_to=2006-12-19&actor=Russia&...&q=pipeline`, an
    empty answer, 727 ms in all), where a week holds ~150 of 300,000 sources.
    """
    statements = (ids,) if known is None else (ids, known)
    every = probes.ids()
    for statement in statements:
        tester = tester_of(statement)
        if tester is not None:
            return every[np.asarray(tester(session, every), dtype=np.bool_)].tolist()  # type: ignore[no-any-return]
    for statement in statements:
        narrower = narrower_of(statement)
        kept = None if narrower is None else narrower(session, every)
        if kept is not None:
            left = every[np.asarray(kept, dtype=np.bool_)]
            return probed_in_sql(session, ids, id_column, left.tolist())
    return None


def probed_in_sql(
    session: Session, ids: Select[Any], id_column: Any, batch: list[int]
) -> list[int]:
    """SQLite: those of `batch` that `ids` selects, in `batch`'s order: an EXISTS per id of a
    JSON array, each id's row read by primary key (see `probe_statement`)."""
    if not batch:
        return []
    found = kept_sql.scalar(
        session.connection(), probe_statement(ids, id_column), {"batch_json": json_ids(batch)}
    )
    return [int(row_id) for row_id in json.loads(found)]


# Per statement object, while it lives: the statement probing a batch of ids against it.
_PROBES: "weakref.WeakKeyDictionary[Select[Any], Select[Any]]" = weakref.WeakKeyDictionary()


def probe_statement(ids: Select[Any], id_column: Any) -> Select[Any]:
    """SQLite: those of a JSON array of ids (`batch_json`, given at execution) that `ids`
    selects, as one JSON array: built once per statement, and read in one step (built for
    each batch and read row by row through the Session, the probes of a statement search
    under its default filter were a third of its GIL time, profiled at 1M)."""
    kept = _PROBES.get(ids)
    if kept is None:
        each = func.json_each(bindparam("batch_json", type_=String)).table_valued("value")
        meets = ids.where(id_column == each.c.value).exists()
        probe = select(func.json_group_array(each.c.value)).where(meets)
        kept = _PROBES.setdefault(ids, probe)
    return kept


Counter = Callable[[Session], int]


def counted_by(stmt: S, counter: Counter) -> S:
    """`stmt`, whose rows `counter` counts exactly more cheaply than the statement itself, for
    as long as its conditions are these: a search's exact total asks it (see
    `counter_of`). Estimates still come from `stmt`."""
    return _estimated_alike(
        stmt.execution_options(counted_by=(stmt._where_criteria, counter)), stmt
    )


def counter_of(stmt: Select[Any]) -> Counter | None:
    """What counts `stmt`'s rows (`counted_by`), if anything and if its conditions are still
    the ones it was given for."""
    kept = stmt.get_execution_options().get("counted_by")
    if kept is None or len(kept[0]) != len(stmt._where_criteria):
        return None
    if not all(a is b for a, b in zip(kept[0], stmt._where_criteria, strict=True)):
        return None
    counter: Counter = kept[1]
    return counter


def planner_estimate(session: Session, stmt: Select[Any]) -> int:
    """PostgreSQL's planner's estimate of the rows `stmt` selects."""
    return _planner_estimate(session, stmt)


def planned_as(stmt: S, planned: Select[Any]) -> S:
    """`stmt`, whose rows the planner estimates as those of `planned` (the same rows, another
    shape) for as long as its conditions are these."""
    return stmt.execution_options(planned_as=(stmt._where_criteria, planned))


# The planner's estimates, per database, data version and statement: each took a compile
# and an EXPLAIN round trip per request (a sixth of `q=pipeline&sort=-date`'s time on
# PostgreSQL at 1M, which asks for two). Within a data version the total stays what it was
# first estimated as, as the response's ETag (the data version) says.
_ESTIMATES: KeptPerDataVersion[int] = KeptPerDataVersion(10_000)


def _planner_estimate(session: Session, stmt: Select[Any]) -> int:
    key, planned = _estimate_key(stmt)
    if key is None:
        return _explained_rows(session, planned)
    return _ESTIMATES.get(session, key, lambda: _explained_rows(session, planned))


def _estimate_key(stmt: Select[Any]) -> tuple[Any, Select[Any]]:
    """`_estimated_as(stmt)`, kept beside `stmt` (or the statement it is estimated as)."""
    try:
        known = _ESTIMATED_AS.get(stmt)
    except TypeError:  # not weakly referenced
        return _estimated_as(stmt)
    if known is None:
        alike = _ESTIMATED_ALIKE.get(stmt)
        known = _estimate_key(alike) if alike is not None else _estimated_as(stmt)
        _ESTIMATED_AS[stmt] = known
    return known


def _estimated_as(stmt: Select[Any]) -> tuple[Any, Select[Any]]:
    """(the key of `stmt`'s estimate, or None when it has none; the statement explained)."""
    kept = stmt.get_execution_options().get("planned_as")
    if kept is not None and len(kept[0]) == len(stmt._where_criteria):
        if all(a is b for a, b in zip(kept[0], stmt._where_criteria, strict=True)):
            stmt = kept[1]
    stmt = stmt.order_by(None)
    cache_key = stmt._generate_cache_key()
    if cache_key is None:
        return None, stmt
    # The statement's shape and its parameters' values (lists as their repr: hashable).
    key = ("estimate", cache_key.key, repr([b.effective_value for b in cache_key.bindparams]))
    return key, stmt


def _estimated_alike(wrapped: S, stmt: Select[Any]) -> S:
    """`wrapped` (`stmt` with execution options that change no row of it), estimated as
    `stmt` is: under the estimate key kept beside `stmt`, which, kept per filters, lives
    longer than `wrapped`, made for each request (a statement search's counted total: ~90 us
    of its CPU to generate the key again, profiled at 1M). Worked out when first asked."""
    try:
        _ESTIMATED_ALIKE[wrapped] = stmt
    except TypeError:  # not weakly referenced
        pass
    return wrapped


# Each statement's estimate key, for as long as the statement lives: the statements a list
# estimates are kept per filters, and generating the key again (a walk of the statement) was
# ~40 us of a PostgreSQL search page's CPU (profiled at 1M, `q=pipeline`). A statement does
# not change once built, nor, then, its key.
_ESTIMATED_AS: "weakref.WeakKeyDictionary[Select[Any], tuple[Any, Select[Any]]]" = (
    weakref.WeakKeyDictionary()
)
# Statements made around another one (`_estimated_alike`) -> that one, alive as long as they are.
_ESTIMATED_ALIKE: "weakref.WeakKeyDictionary[Select[Any], Select[Any]]" = (
    weakref.WeakKeyDictionary()
)


def made_around(stmt: S) -> S:
    """The statement `stmt` was made around with options only (`with_options`, `counted_by`:
    the same SQL, the same rows), or `stmt` itself."""
    while (alike := _ESTIMATED_ALIKE.get(stmt)) is not None:
        stmt = alike  # type: ignore[assignment]
    return stmt


def _explained_rows(session: Session, stmt: Select[Any]) -> int:
    compiled = stmt.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    plan = (
        session.connection()
        .exec_driver_sql(f"EXPLAIN (FORMAT JSON) {compiled}", compiled.params)
        .scalar()
    )
    document = plan if isinstance(plan, list) else json.loads(str(plan))
    return int(document[0]["Plan"]["Plan Rows"])

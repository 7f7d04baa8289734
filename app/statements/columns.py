"""Every statement's date, speaker and source as vectors indexed by its id, read once per
data version, and a search's facets counted from its listed matches with them (on PostgreSQL
a search whose one term has postings: `search.listed_matches`), a window's years and months
too.

A search's facets grouped its matches in SQL, each match's row read by id from the table
(`/statements?q=talks&facet=year`: 95,253 rows, 112 ms of the request's 152 at 1M,
profiled); the matches are listed (and kept) for the page already, and looking them up in
these vectors takes a few ms. Reading the vectors is one scan of a covering index, ~0.2 s of
CPU at 1M (0.3-0.7 s of wall time on a loaded machine), in a thread of its own on a connection
of its own (`app.kit.background_reads`): as the service starts, and again for a later data
version by the first search that wants them (waiting for it a little: a small database is
read at once). Until they are read, facets are grouped in SQL as before. A read beside the
requests cost the search it ran beside ~0.15 s of wall time under load (the GIL while numpy
parses, a core). On PostgreSQL the read is one string_agg per column over the statement
table (600,210 statements: 0.4-0.8 s of wall time, 0.1-0.2 s of the process' CPU, a 62 MB
peak of Python allocations for 7 MB kept).
"""

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import Connection, Engine, Select, bindparam, text
from sqlalchemy.orm import Session

from app.db.arrays import IntegerArray
from app.db.versions import KeptPerDataVersion
from app.kit import counting, search
from app.kit.background_reads import BackgroundRead
from app.kit.facets import MAX_VALUES, Facet, FacetValue
from app.statements.models import Statement
from app.statements.schemas import StatementFilters

_NO_DATE = "0000-00-00"
# Each statement's id, speaker (0: none), source and date, joined by SQLite and parsed by
# numpy: a tuple per row through the driver took twice as long, and SQLite's `replace` on each
# date (to read it as a number) as long as the rest of the scan.
_READ = (
    "SELECT group_concat(id), group_concat(ifnull(speaker_id, 0)), group_concat(source_id), "
    f"group_concat(ifnull(said_on, '{_NO_DATE}')) FROM statement"
)
# PostgreSQL: the same joined by string_agg, each date as its days since 1970-01-01 (whatever
# the session's DateStyle; `_NO_DAY` without one), off the covering index of the date order.
_NO_DAY = -(2**31)
_READ_POSTGRESQL = (
    "SELECT string_agg(id::text, ','), string_agg(coalesce(speaker_id, 0)::text, ','), "
    "string_agg(source_id::text, ','), "
    f"string_agg(coalesce(said_on - DATE '1970-01-01', {_NO_DAY})::text, ',') FROM statement"
)
_COPIES = (
    "SELECT {ids} FROM statement WHERE source_id IN "
    "(SELECT id FROM source WHERE duplicate_of IS NOT NULL)"
)
_ACTORS = text(
    "SELECT id, slug, name FROM actor WHERE id IN (SELECT value FROM json_each(:ids)) "
    "ORDER BY name, id"
)
_SOURCES = text(
    "SELECT id, slug, coalesce(title, slug) FROM source "
    "WHERE id IN (SELECT value FROM json_each(:ids)) ORDER BY slug, id"
)
# PostgreSQL: the ids as an array; ordered by the database's collation, as its facets are.
_ACTORS_POSTGRESQL = text(
    "SELECT id, slug, name FROM actor WHERE id = ANY(:ids) ORDER BY name, id"
).bindparams(bindparam("ids", type_=IntegerArray()))
_SOURCES_POSTGRESQL = text(
    "SELECT id, slug, coalesce(title, slug) FROM source WHERE id = ANY(:ids) ORDER BY slug, id"
).bindparams(bindparam("ids", type_=IntegerArray()))
FACETS = frozenset({"year", "month", "speaker", "source"})
# The facets of a window without a search counted here: its speakers and sources are not
# (a window of decades holds most sources, each named for the ties of the fiftieth).
_PERIODS = frozenset({"year", "month"})


@dataclass(frozen=True)
class StatementColumns:
    day: Any  # int32 by statement id: said_on as YYYYMMDD, 0 without a date (or a statement)
    speaker: Any  # int32 by statement id: speaker_id, 0 without one
    source: Any  # int32 by statement id: source_id
    copies: Any  # int64, ascending: the statements of a syndicated copy (`duplicate_of`)


def _vector(joined: str | None) -> Any:
    if not joined:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(joined, dtype=np.int64, sep=",")


def _days(joined: str | None) -> Any:
    """`YYYY-MM-DD,YYYY-MM-DD,...` as YYYYMMDD numbers (0 for `_NO_DATE`)."""
    if not joined:
        return np.empty(0, dtype=np.int64)
    text_bytes = np.frombuffer((joined + ",").encode(), dtype=np.uint8).reshape(-1, 11)
    digits = text_bytes[:, [0, 1, 2, 3, 5, 6, 8, 9]].astype(np.int64) - ord("0")
    return digits @ (10 ** np.arange(7, -1, -1, dtype=np.int64))


def read(connection: Connection) -> StatementColumns:
    """The columns as `connection`'s read transaction sees them."""
    postgresql = connection.dialect.name == "postgresql"
    listed = connection.exec_driver_sql(_READ_POSTGRESQL if postgresql else _READ).one()
    ids, speakers, sources = (_vector(joined) for joined in listed[:3])
    days = _epoch_days(_vector(listed[3])) if postgresql else _days(listed[3])
    size = int(ids.max()) + 1 if len(ids) else 1
    by_id = []
    for values in (days, speakers, sources):
        vector = np.zeros(size, dtype=np.int32)
        vector[ids] = values
        by_id.append(vector)
    joined = "string_agg(id::text, ',')" if postgresql else "group_concat(id)"
    copied = connection.exec_driver_sql(_COPIES.format(ids=joined))
    copies = np.sort(_vector(copied.scalar()))
    return StatementColumns(by_id[0], by_id[1], by_id[2], copies)


def _epoch_days(days: Any) -> Any:
    """Days since 1970-01-01 as YYYYMMDD numbers (0 for `_NO_DAY`)."""
    dated = days != _NO_DAY
    on = np.where(dated, days, 0).astype("datetime64[D]")
    months = on.astype("datetime64[M]")
    years = on.astype("datetime64[Y]")
    yyyymmdd = (
        (years.astype(np.int64) + 1970) * 10_000
        + (months.astype(np.int64) % 12 + 1) * 100
        + (on - months).astype(np.int64)
        + 1
    )
    return np.where(dated, yyyymmdd, 0)


# Read as the service starts (`prepare`), and for a later data version by the first search:
# the one with facets waits for it up to 20 ms (a small database is read in it). After a
# failed read, none for a minute.
_reads: BackgroundRead[StatementColumns] = BackgroundRead(
    "statement-columns", read, wait_seconds=0.02, retry_seconds=60.0
)


def prepare(engine: Engine) -> None:
    """Start reading the columns as the service starts (a database file or server), so that
    no request runs beside the read."""
    _reads.prepare(engine)


def ready(session: Session, wait: float | None = None) -> StatementColumns | None:
    """The columns of the data version the session sees, if read; else None, and a read of
    the database's current version started in the background (unless one is under way, or
    failed within a minute). The request that started the read waits for it up to 20 ms in
    all (a small database is read in it), this call `wait` seconds at most."""
    return _reads.ready(session, wait=wait)


def handles(session: Session, f: StatementFilters) -> bool:
    """Whether `search_facets` counts the facets of these filters: a search or a window of
    dates (its years and months), and no other filter beside them; on PostgreSQL a search
    only when its matches are listed (`search.listed_matches`: one term with postings). A
    window without a search was grouped in SQL over every statement in it (`date_from=
    1988-06-02&facet=year`: 550,000 statements, 75-100 ms of CPU on SQLite at 1M, profiled;
    from the columns a few ms)."""
    windowed = f.date_from is not None or f.date_to is not None
    return (
        (bool(f.q) or (windowed and all(name in _PERIODS for name in f.facet)))
        and not f.speaker
        and f.source is None
        and f.incident is None
        and f.min_confidence is None
        and all(name in FACETS for name in f.facet)
        and (
            not f.q
            or session.get_bind().dialect.name == "sqlite"
            or search.listed_matches(session, Statement, f.q) is not None
        )
    )


def search_facets(
    session: Session, f: StatementFilters, kept: StatementColumns
) -> dict[str, Facet] | None:
    """The facets of a search or a window (`handles`), as `statements.service._facets` counts
    them in SQL: the same values, counts and order; None when a search's matches are not
    listed (PostgreSQL: counted in SQL)."""
    postgresql = session.get_bind().dialect.name == "postgresql"
    if f.q:
        searched = _searched(session, f, kept)
        if searched is None:
            return None
        ids, days = searched
    else:
        # Every statement of the window, marked by id (each statement has a source: an id
        # without one is no statement), copies unmarked.
        within = _in_window(kept.day, f) & (kept.source > 0)
        if not f.include_duplicates:
            within[kept.copies] = False
        ids = np.flatnonzero(within)
        days = kept.day[ids]
    facets: dict[str, Facet] = {}
    for name in f.facet:
        if name == "year":
            facets[name] = _periods(days // 10_000, lambda y: f"{y:04d}", postgresql)
        elif name == "month":
            month = lambda m: f"{m // 100:04d}-{m % 100:02d}"  # noqa: E731
            facets[name] = _periods(days // 100, month, postgresql)
        elif name == "speaker":
            facets[name] = _named(session, kept.speaker[ids], postgresql, actors=True)
        else:
            facets[name] = _named(session, kept.source[ids], postgresql, actors=False)
    return facets


def _searched(
    session: Session,
    f: StatementFilters,
    kept: StatementColumns,
    speakers: frozenset[int] | None = None,
) -> Any | None:
    """(ids, days) of the statements a search and its window select (copies left out unless
    asked for), and of `speakers` when given (`f.speaker` resolved); None when its matches
    are not listed (PostgreSQL)."""
    ids = search.listed_matches(session, Statement, f.q) if f.q else None
    if ids is None:
        return None
    if not f.include_duplicates and len(kept.copies):
        ids = ids[~np.isin(ids, kept.copies)]
    if speakers is not None:
        ids = ids[np.isin(kept.speaker[ids], np.fromiter(speakers, dtype=np.int32))]
    days = kept.day[ids]
    if f.date_from is not None or f.date_to is not None:
        within = _in_window(days, f)
        ids, days = ids[within], days[within]
    return ids, days


def counted(
    session: Session, stmt: Select[Any], f: StatementFilters, speakers: frozenset[int] | None
) -> Select[Any]:
    """PostgreSQL: `stmt` (a search's statements), whose exact total is counted from the
    columns (`counting.counted_by`) when its other filters are a window and speakers at most
    (`speakers`: `f.speaker` resolved, with their members; None without) and its matches are
    listed: SQL counted the window's matches through the GIN index, reading each one's row
    (`date_from=2002-06-05&date_to=2012-06-02&q=corridor`: 40-200 ms at 1M; `speaker=Iran&
    date_from=1992-04-27&q=border`: 20-40 ms)."""
    if (
        not f.q
        or session.get_bind().dialect.name != "postgresql"
        or f.source is not None
        or f.incident is not None
        or f.min_confidence is not None
    ):
        return stmt
    kept = ready(session, wait=0)
    if kept is None or search.listed_matches(session, Statement, f.q) is None:
        return stmt

    def count(session: Session) -> int:
        searched = _searched(session, f, kept, speakers)
        assert searched is not None, "listed once, kept for the data version"
        return len(searched[0])

    return counting.counted_by(stmt, count)


def other_filters(
    session: Session, rows: Select[Any], f: StatementFilters, speakers: frozenset[int] | None
) -> Select[Any] | None:
    """SQLite: the ids of `rows` (a search's other filters' statements, `f` without `q`;
    `speakers`: `f.speaker` resolved, with their members), listed
    (`counting.listed_by`) and told apart by id (`counting.tested_by`) from the columns when
    those filters are speakers or a window of dates (syndicated copies in or out) and the
    columns are read; else None. In SQL a search under `speaker=Iran&date_from=2013-01-01` listed
    Iran's 61,160 statements for a word in 19,282 others (`q=orlov`): 12-18 ms of a 36-41 ms
    empty answer at 1M (profiled); its word's matches are tested here instead."""
    if (
        session.get_bind().dialect.name != "sqlite"
        or f.source is not None
        or f.incident is not None
        or f.min_confidence is not None
        or not (speakers or f.date_from is not None or f.date_to is not None)
    ):
        return None
    kept = ready(session, wait=0)
    if kept is None:
        return None
    meeting = _MeetingFilters(session, kept, f, speakers)
    ids = counting.listed_by(search.ids_only_of(rows, Statement.id), meeting.listed, meeting.size)
    return counting.tested_by(ids, meeting.tested)


# The statements a search's other filters keep, as a boolean vector by statement id, per data
# version (600 KB at 1M): built by the first search under them that lists them (~3 ms), read
# by the next ones.
_MET: KeptPerDataVersion[Any] = KeptPerDataVersion(16)


class _MeetingFilters:
    """Which statements meet a speaker and date filter, from the columns (`other_filters`)."""

    def __init__(
        self,
        session: Session,
        kept: StatementColumns,
        f: StatementFilters,
        speakers: frozenset[int] | None,
    ) -> None:
        self._session, self._kept, self._f = session, kept, f
        self._key = (speakers, f.date_from, f.date_to, f.include_duplicates)
        self._speakers: Any = None
        if speakers is not None:
            # A lookup table by speaker id: np.isin sorted the speaker of every statement.
            self._speakers = np.zeros(max(speakers, default=0) + 1, dtype=bool)
            self._speakers[list(speakers)] = True

    def _meets(self, ids: Any) -> Any:
        """Which of `ids` (int64, any order; ids of no statement meet nothing) meet them."""
        kept, f = self._kept, self._f
        known = (ids >= 0) & (ids < len(kept.day))
        at = np.where(known, ids, 0)
        meets = known
        if self._speakers is not None:
            speaker = kept.speaker[at]
            named = speaker < len(self._speakers)
            meets &= named & self._speakers[np.where(named, speaker, 0)]
        if f.date_from is not None or f.date_to is not None:
            meets &= _in_window(kept.day[at], f)
        if not f.include_duplicates and len(kept.copies):
            meets &= ~np.isin(ids, kept.copies)
        return meets

    def mask(self) -> Any:
        return _MET.get(self._session, self._key, self._every_id_meets)

    def _every_id_meets(self) -> Any:
        # Every id made only when the mask is not kept yet (4.8 MB at 1M, twice a listing).
        return self._meets(np.arange(len(self._kept.day), dtype=np.int64))

    def listed(self, _session: Session) -> list[int]:
        listed: list[int] = np.flatnonzero(self.mask()).tolist()
        return listed

    def size(self) -> int:
        return int(np.count_nonzero(self.mask()))

    def tested(self, _session: Session, ids: Any) -> Any:
        return self._meets(np.asarray(ids, dtype=np.int64))


def _in_window(days: Any, f: StatementFilters) -> Any:
    """Which of these days (YYYYMMDD, 0 for none) the window of `f` holds."""
    within = days >= _yyyymmdd(f.date_from) if f.date_from is not None else days > 0
    if f.date_to is not None:
        within &= days <= _yyyymmdd(f.date_to)
    return within


def _yyyymmdd(day: date) -> int:
    return day.year * 10_000 + day.month * 100 + day.day


def _periods(buckets: Any, label: Any, nulls_last: bool) -> Facet:
    """Years or months in order, those without a date first on SQLite, last on PostgreSQL
    (where each sorts NULL)."""
    # Counted per bucket by its number (a year, YYYYMM): as `np.unique` counts them, without
    # sorting every statement (550,000 in a window of decades: 10 ms of CPU at 1M).
    per_bucket = np.bincount(buckets) if len(buckets) else np.zeros(0, dtype=np.int64)
    values = np.flatnonzero(per_bucket)
    if nulls_last and len(values) and values[0] == 0:
        values = np.roll(values, -1)
    counts = per_bucket[values]
    listed = []
    for value, count in zip(values[:MAX_VALUES].tolist(), counts.tolist(), strict=False):
        named = label(value) if value else None
        listed.append(FacetValue(value=named, label=str(named), count=count))
    return Facet(values=listed)


def _named(session: Session, of_ids: Any, postgresql: bool, *, actors: bool) -> Facet:
    """Speakers or sources, most frequent first, ties by name (speakers) or slug (sources),
    as the database orders them, then by id; those without one (0) left out, as the join
    leaves them."""
    values, counts = np.unique(of_ids[of_ids > 0], return_counts=True)
    if not len(values):
        return Facet(values=[])
    # Every value that can still make the first MAX_VALUES, the ties of the last included.
    least = np.sort(counts)[::-1][min(MAX_VALUES, len(counts)) - 1]
    wanted = counts >= least
    count_of = dict(zip(values[wanted].tolist(), counts[wanted].tolist(), strict=True))
    if postgresql:
        names = _ACTORS_POSTGRESQL if actors else _SOURCES_POSTGRESQL
        rows = session.connection().execute(names, {"ids": list(count_of)}).all()
    else:
        names = _ACTORS if actors else _SOURCES
        rows = session.connection().execute(names, {"ids": _json(list(count_of))}).all()
    # In the database's order of the ties (name or slug, then id): a stable sort by count.
    ranked = sorted(rows, key=lambda row: -count_of[row[0]])
    return Facet(
        values=[
            FacetValue(value=row[1], label=str(row[2]), count=count_of[row[0]])
            for row in ranked[:MAX_VALUES]
        ]
    )


def _json(ids: list[int]) -> str:
    return "[" + ",".join(map(str, ids)) + "]"

"""Incidents' dates, types, countries and participants as arrays in memory, per data version.

Facets over large sets are counted from them as vectors. Grouped in SQL, the type facet of
Iran's 430,942 incidents (with its officials) took 1.1 s at 1M and was cut by the facet
budget; the country facet of Russia's, 0.3 s; the actor facet of a year's 62,214 incidents
(190,000 participations), 0.13 s. As arrays each is a few boolean masks and a count per
value: milliseconds, whatever the set's size.

The arrays are read once per database and data version (every ingest that changes something
bumps the version, so they are never stale): two aggregate statements in one read
transaction, 2.5-4.5 s at 1M, in a thread of their own (`app.kit.background_reads`). The
service starts the read as it starts; after an ingest the first request that needs them
starts it and waits for it a little (a small database is ready at once). A large one is
still reading when that wait ends, and its facets are grouped in SQL until it is done.
"""

import functools
import threading
import weakref
from collections import Counter, OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any, TypeVar, cast

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import Connection, Engine, text
from sqlalchemy.orm import Session

from app.kit.background_reads import BackgroundRead

T = TypeVar("T")

_EPOCH = date(1970, 1, 1)
# How many actor sets' and searches' masks are kept (one byte per incident each: 64 MB at 1M).
_KEPT_SETS = 64
# How many filters' whole masks are kept (`kept_filters`: 16 MB at 1M).
_KEPT_FILTERS = 16
# How many incidents in date order the first step of a page's walk reads (each next, twice).
_FIRST_STEP = 4_096
# Up to how many matches a page in date order is found by sorting their keys, not by a walk.
_FEW_MATCHES = 8_192
# Ids below this are ordered with the date as one integer (days * _ID_SPAN + id).
_ID_SPAN = 2**32
_FIELD = "\x1f"  # between text values in one aggregate (the ASCII unit separator)


def _days(day: date) -> int:
    return (day - _EPOCH).days


@dataclass(frozen=True, eq=False)
class IncidentColumns:
    """Every incident at one position of each array, in id order."""

    ids: NDArray[np.int64]  # ascending
    start: NDArray[np.int32]  # date_start, days since 1970-01-01
    end: NDArray[np.int32]  # date_end, the same
    month: NDArray[np.int32]  # date_start's month, months since 1970-01
    type_code: NDArray[np.int16]  # an index into `types`
    types: tuple[str, ...]
    country_code: NDArray[np.int16]  # an index into `countries`
    countries: tuple[str | None, ...]
    # Participation, grouped by actor: the actors' ids ascending, where each one's incidents
    # begin in `taking_part` (one more at the end), and those incidents' positions.
    actor_ids: NDArray[np.int64]
    actor_starts: NDArray[np.int64]
    taking_part: NDArray[np.int64]
    # Positions in date order (date_start, then id), and that order's keys (days * _ID_SPAN
    # + id, ascending); None where ids do not fit below _ID_SPAN.
    date_order: NDArray[np.int64]
    date_keys: NDArray[np.int64] | None
    # The incidents of the actor sets and searches asked most recently, each a mask.
    _kept_sets: "OrderedDict[Hashable, NDArray[np.bool_]]" = field(
        default_factory=OrderedDict, repr=False
    )
    # The masks of the filters (and search) asked most recently, whole.
    _kept_filters: "OrderedDict[Hashable, NDArray[np.bool_]]" = field(
        default_factory=OrderedDict, repr=False
    )
    _kept_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # What was derived from each kept mask (its count, its facets), by the mask's id (its weak
    # reference tells a mask from a later one at the same address).
    _derived: "dict[int, tuple[weakref.ref[NDArray[np.bool_]], dict[Hashable, Any]]]" = field(
        default_factory=dict, repr=False
    )

    @property
    def size(self) -> int:
        return len(self.start)

    def matching(
        self,
        *,
        types: Sequence[str],
        country: str | None,
        date_from: date | None,
        date_to: date | None,
        actor_sets: Sequence[set[int]],
    ) -> NDArray[np.bool_]:
        """Which incidents match the filters, the list's own semantics: every named actor
        (or one of its own) takes part, one of the types, the country, and the incident
        overlaps the window (it ends on or after date_from and starts on or before date_to).
        """
        # From the first actor set's kept mask (copied: it is kept as it is).
        mask = (
            self._taking_part(actor_sets[0]).copy()
            if actor_sets
            else np.ones(self.size, dtype=np.bool_)
        )
        if date_from is not None:
            mask &= self.end >= _days(date_from)
        if date_to is not None:
            mask &= self.start <= _days(date_to)
        if types:
            codes = [code for code, name in enumerate(self.types) if name in types]
            if len(codes) == 1:
                mask &= self.type_code == codes[0]
            else:
                mask &= np.isin(self.type_code, codes)
        if country is not None:
            if country in self.countries:
                mask &= self.country_code == self.countries.index(country)
            else:
                mask[:] = False
        for ids in actor_sets[1:]:
            mask &= self._taking_part(ids)
        return mask

    def _taking_part(self, ids: set[int]) -> NDArray[np.bool_]:
        """The incidents one of `ids` takes part in (read-only: kept for the next request;
        marking a large state's 430,000 took ~3 ms of each at 1M)."""
        return self._kept(frozenset(ids), lambda: self._marked(ids))

    def among(self, key: Hashable, ids: Callable[[], NDArray[np.int64]]) -> NDArray[np.bool_]:
        """The incidents whose ids `ids` lists (ascending; those the columns lack left out),
        as a read-only mask kept by `key` (a search's matches: a broad word's 300,000 are
        placed in ~10 ms at 1M, a bitwise AND with the filters' mask takes a fraction)."""
        return self._kept(key, lambda: self._placed(ids()))

    def _placed(self, wanted: NDArray[np.int64]) -> NDArray[np.bool_]:
        found = np.zeros(self.size, dtype=np.bool_)
        at, present = self._positions(wanted)
        found[at[present]] = True
        return found

    def _positions(self, ids: NDArray[np.int64]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Where each of `ids` (any order) sits in the columns (clipped to them), and whether
        it is there. Where the ids run without a gap, a position is its id's distance from
        the first: a binary search for each one was most of `q=pipeline&type=arrest` (25,093
        matches tested: 0.5 ms of its CPU at 1M, measured)."""
        first = self._first_of_run
        if first is not None:
            at = np.asarray(ids, dtype=np.int64) - first
            present = (at >= 0) & (at < self.size)
            return np.clip(at, 0, self.size - 1), present
        at = np.minimum(np.searchsorted(self.ids, ids), self.size - 1)
        return at, self.ids[at] == ids

    @functools.cached_property
    def _first_of_run(self) -> int | None:
        """The first id when the ids are every integer from it to the last (ids are
        ascending and unique), else None."""
        if self.size and int(self.ids[-1]) - int(self.ids[0]) + 1 == self.size:
            return int(self.ids[0])
        return None

    def kept_filters(
        self, key: Hashable, make: Callable[[], NDArray[np.bool_]]
    ) -> NDArray[np.bool_]:
        """The mask `make()` gives, read-only, kept by `key` (whatever it depends on: the
        filters, a search) for the next request asking the same: a type's mask over a
        million incidents and a search's matches tested among it were ~0.3 ms of each
        `q=pipeline&type=arrest` at 1M (measured). Apart from the actor sets' and searches'
        masks, which a run of different filters would otherwise push out."""
        return self._kept(key, make, self._kept_filters, _KEPT_FILTERS)

    def _kept(
        self,
        key: Hashable,
        make: Callable[[], NDArray[np.bool_]],
        kept_in: "OrderedDict[Hashable, NDArray[np.bool_]] | None" = None,
        limit: int = _KEPT_SETS,
    ) -> NDArray[np.bool_]:
        kept_in = self._kept_sets if kept_in is None else kept_in
        with self._kept_lock:
            kept = kept_in.get(key)
            if kept is not None:
                kept_in.move_to_end(key)
                return kept
        found = make()
        found.flags.writeable = False
        with self._kept_lock:
            kept_in[key] = found
            while len(kept_in) > limit:
                _, dropped = kept_in.popitem(last=False)
                self._derived.pop(id(dropped), None)
        return found

    def _of_kept(self, mask: NDArray[np.bool_], what: Hashable, derive: Callable[[], T]) -> T:
        """`derive()`, worked out once for a mask kept here (read-only, it never changes) and
        read again after: shared, never to be changed."""
        derived = self._derived.get(id(mask))
        if derived is not None and derived[0]() is mask and what in derived[1]:
            return cast(T, derived[1][what])
        value = derive()
        if not mask.flags.writeable and self._is_kept(mask):
            with self._kept_lock:
                derived = self._derived.get(id(mask))
                if derived is None or derived[0]() is not mask:
                    derived = self._derived[id(mask)] = (weakref.ref(mask), {})
                derived[1][what] = value
        return value

    def count_of(self, mask: NDArray[np.bool_]) -> int:
        """How many incidents `mask` holds, counted once per kept mask: over a million
        incidents ~35 us each time, up to three times a request (a filtered search's total,
        its places, a page in date order)."""
        return self._of_kept(mask, "count", lambda: int(np.count_nonzero(mask)))

    def _is_kept(self, mask: NDArray[np.bool_]) -> bool:
        with self._kept_lock:
            return any(
                kept is mask
                for kept_in in (self._kept_filters, self._kept_sets)
                for kept in kept_in.values()
            )

    def _marked(self, ids: set[int]) -> NDArray[np.bool_]:
        found = np.zeros(self.size, dtype=np.bool_)
        wanted = np.fromiter(sorted(ids), dtype=np.int64, count=len(ids))
        at = np.searchsorted(self.actor_ids, wanted)
        for i in at[at < len(self.actor_ids)]:
            if self.actor_ids[i] in ids:
                found[self.taking_part[self.actor_starts[i] : self.actor_starts[i + 1]]] = True
        return found

    def starting_between(self, first: date | None, last: date | None) -> int:
        """How many incidents start from `first` to `last` (open where None)."""
        low = -(2**62) if first is None else _days(first) * _ID_SPAN
        high = 2**62 if last is None else (_days(last) + 1) * _ID_SPAN
        if low >= high:
            return 0
        if self.date_keys is not None:
            found = np.searchsorted(self.date_keys, [low, high])
            return int(found[1] - found[0])
        starts = self.start
        in_window = np.ones(self.size, dtype=np.bool_)
        if first is not None:
            in_window &= starts >= _days(first)
        if last is not None:
            in_window &= starts <= _days(last)
        return int(np.count_nonzero(in_window))

    def holding(self, mask: NDArray[np.bool_], ids: NDArray[np.int64]) -> NDArray[np.bool_]:
        """Which of `ids` (any order) are matches: found by id, not by listing every match
        (a window of decades lists most of a million)."""
        if not self.size:
            return np.zeros(len(ids), dtype=np.bool_)
        at, present = self._positions(ids)
        return present & mask[at]

    def listed(self, mask: NDArray[np.bool_]) -> list[int]:
        """The ids of the matches, ascending."""
        return self.ids[mask].tolist()  # type: ignore[no-any-return]

    def first_in_date_order(
        self,
        mask: NDArray[np.bool_],
        *,
        descending: bool,
        after: tuple[date, int] | None,
        wanted: int,
        starts_by: date | None = None,
    ) -> list[int] | None:
        """The ids of the first `wanted` matches in date order (date_start, then id, the two
        the same way) after the row (date, id) of a cursor; None where ids outgrow the key
        that orders them. `starts_by`: no match starts later (the window's date_to)."""
        keys = self._first_keys(mask, descending, after, wanted, starts_by)
        return None if keys is None else (keys & (_ID_SPAN - 1)).tolist()

    def first_with_dates(
        self,
        mask: NDArray[np.bool_],
        *,
        descending: bool,
        after: tuple[date, int] | None,
        wanted: int,
        starts_by: date | None = None,
    ) -> list[tuple[int, date]] | None:
        """`first_in_date_order`, each id with its date_start."""
        keys = self._first_keys(mask, descending, after, wanted, starts_by)
        if keys is None:
            return None
        days = (keys >> 32).tolist()  # the keys' high bits (floored: dates before 1970 too)
        ids = (keys & (_ID_SPAN - 1)).tolist()
        return [(i, _EPOCH + timedelta(days=d)) for i, d in zip(ids, days, strict=True)]

    def _first_keys(
        self,
        mask: NDArray[np.bool_],
        descending: bool,
        after: tuple[date, int] | None,
        wanted: int,
        starts_by: date | None,
    ) -> NDArray[np.int64] | None:
        """The date keys of the first `wanted` matches (`first_in_date_order`)."""
        if self.date_keys is None:
            return None
        if self.count_of(mask) <= _FEW_MATCHES:
            return self._first_of_few(mask, descending, after, wanted, starts_by)
        # The incidents after the cursor, and up to `starts_by`, are a range of the order.
        low, high = 0, self.size
        if starts_by is not None:
            high = int(np.searchsorted(self.date_keys, (_days(starts_by) + 1) * _ID_SPAN))
        if after is not None:
            bound = _days(after[0]) * _ID_SPAN + after[1]
            if descending:
                high = min(high, int(np.searchsorted(self.date_keys, bound, side="left")))
            else:
                low = int(np.searchsorted(self.date_keys, bound, side="right"))
        # Walked from the range's near end in growing steps: a dense filter's page is in
        # the first few thousand, where sorting every match cost 3 ms for 90,000 at 1M.
        found: list[NDArray[np.int64]] = []
        count, step = 0, _FIRST_STEP
        while count < wanted and low < high:
            if descending:
                span = slice(max(low, high - step), high)
                high = span.start
            else:
                span = slice(low, min(high, low + step))
                low = span.stop
            keys = self.date_keys[span][mask[self.date_order[span]]]
            found.append(keys[::-1] if descending else keys)
            count += len(keys)
            step *= 2
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(found)[:wanted]

    def _first_of_few(
        self,
        mask: NDArray[np.bool_],
        descending: bool,
        after: tuple[date, int] | None,
        wanted: int,
        starts_by: date | None,
    ) -> NDArray[np.int64]:
        """`_first_keys` of a few matches: their keys sorted. A walk in date order passes
        every incident between them (a search's 300 matches under an actor, spread over
        decades: most of a million)."""
        at = np.flatnonzero(mask)
        keys = self.start[at].astype(np.int64) * _ID_SPAN + self.ids[at]
        if starts_by is not None:
            keys = keys[keys < (_days(starts_by) + 1) * _ID_SPAN]
        if after is not None:
            bound = _days(after[0]) * _ID_SPAN + after[1]
            keys = keys[keys < bound] if descending else keys[keys > bound]
        keys.sort()
        return keys[::-1][:wanted] if descending else keys[:wanted]

    def counted(self, name: str, mask: NDArray[np.bool_]) -> Counter[str | None]:
        """The matches per value of the `year`, `month`, `type` or `country` facet (once per
        kept mask: read, never changed)."""
        return self._of_kept(mask, ("counted", name), lambda: self._counted(name, mask))

    def _counted(self, name: str, mask: NDArray[np.bool_]) -> Counter[str | None]:
        if name in ("year", "month"):
            periods = self.month[mask] if name == "month" else self.month[mask] // 12
            if not len(periods):
                return Counter()
            first = int(periods.min())
            per_period = np.bincount(periods - first)
            label = _month_label if name == "month" else _year_label
            return Counter(
                {label(first + int(i)): int(per_period[i]) for i in np.flatnonzero(per_period)}
            )
        if name == "type":
            per_type = np.bincount(self.type_code[mask], minlength=len(self.types))
            return Counter({self.types[i]: int(n) for i, n in enumerate(per_type) if n})
        if name == "country":
            per_country = np.bincount(self.country_code[mask], minlength=len(self.countries))
            return Counter({self.countries[i]: int(n) for i, n in enumerate(per_country) if n})
        raise ValueError(f"no column for the {name} facet")

    def top_actors(self, mask: NDArray[np.bool_], limit: int) -> list[tuple[int, int]]:
        """(actor id, matches it takes part in) of the `limit` actors taking part in most
        matches, most first, ties by id (as the SQL facet cuts them). Once per kept mask
        (read, never changed): every participation was tested against the mask, 8 ms of CPU
        of each `facet=actor` at 1M (3.4 million participations, measured)."""
        return self._of_kept(mask, ("top actors", limit), lambda: self._top_actors(mask, limit))

    def _top_actors(self, mask: NDArray[np.bool_], limit: int) -> list[tuple[int, int]]:
        if not len(self.taking_part):
            return []
        per_actor = np.add.reduceat(mask[self.taking_part].astype(np.int64), self.actor_starts[:-1])
        present = np.flatnonzero(per_actor)
        order = np.lexsort((self.actor_ids[present], -per_actor[present]))[:limit]
        return [(int(self.actor_ids[present[i]]), int(per_actor[present[i]])) for i in order]


def _year_label(years: int) -> str:
    """`YYYY` of a year counted from 1970, as the SQL facets write it."""
    return f"{1970 + years:04d}"


def _month_label(months: int) -> str:
    """`YYYY-MM` of a month counted from 1970-01, as the SQL facets write it."""
    return f"{1970 + months // 12:04d}-{months % 12 + 1:02d}"


def _ints(joined: str | None, dtype: type[np.integer]) -> NDArray[np.integer]:
    """Integers joined by commas (one aggregate's text), parsed in C."""
    if not joined:
        return np.zeros(0, dtype=dtype)
    return np.fromstring(joined, dtype=dtype, sep=",")


def _coded(joined: str | None) -> tuple[NDArray[np.int16], list[str]]:
    """Text values joined by _FIELD as codes into the list of distinct values."""
    if joined is None:
        return np.zeros(0, dtype=np.int16), []
    values: dict[str, int] = {}
    parts = joined.split(_FIELD)
    codes = np.fromiter(
        (values.setdefault(part, len(values)) for part in parts), dtype=np.int16, count=len(parts)
    )
    return codes, list(values)


# Each dialect's two statements: the incidents' columns, then the participations, each one
# row of aggregates read in one scan by one process, which feeds each row to every aggregate
# in turn: their values line up.
_INCIDENTS = {
    "sqlite": (
        "SELECT group_concat(id), group_concat(date_start, ','), group_concat(date_end, ','),"
        " group_concat(type, char(31)), group_concat(coalesce(location_country, ''), char(31))"
        " FROM incident"
    ),
    "postgresql": (
        "SELECT string_agg(id::text, ','),"
        " string_agg((date_start - DATE '1970-01-01')::text, ','),"
        " string_agg((date_end - DATE '1970-01-01')::text, ','),"
        " string_agg(type, chr(31)),"
        " string_agg(coalesce(location_country, ''), chr(31))"
        " FROM incident"
    ),
}
_PARTICIPATIONS = {
    "sqlite": "SELECT group_concat(actor_id), group_concat(incident_id) FROM incident_participant",
    "postgresql": (
        "SELECT string_agg(actor_id::text, ','),"
        " string_agg(incident_id::text, ',')"
        " FROM incident_participant"
    ),
}


def _dates(joined: str | None, dialect: str) -> NDArray[np.int32]:
    """Days since 1970-01-01: PostgreSQL gives them, SQLite gives its YYYY-MM-DD text."""
    if dialect == "postgresql":
        return _ints(joined, np.int32).astype(np.int32)
    if not joined:
        return np.zeros(0, dtype=np.int32)
    return np.array(joined.split(","), dtype="datetime64[D]").astype(np.int32)


def read(connection: Connection) -> IncidentColumns:
    """The columns as `connection`'s read transaction sees them."""
    dialect = connection.dialect.name
    if dialect == "postgresql":
        # The two scans may take longer than a request's statement timeout; one process
        # reads each, so its aggregates take the rows in one order (parallel workers' parts
        # are combined in any).
        connection.execute(text("SET LOCAL statement_timeout = 0"))
        connection.execute(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    ids_text, starts, ends, types_text, countries_text = connection.execute(
        text(_INCIDENTS[dialect])
    ).one()
    # In id order: the ids of a mask's matches come out ascending, as a listing gives them.
    unordered = _ints(ids_text, np.int64)
    by_id = np.argsort(unordered, kind="stable")
    ids = unordered[by_id].astype(np.int64)
    start = _dates(starts, dialect)[by_id]
    type_code, types = _coded(types_text)
    country_code, countries = _coded(countries_text)
    actors_text, incidents_text = connection.execute(text(_PARTICIPATIONS[dialect])).one()
    actor_of = _ints(actors_text, np.int64)
    incident_of = _ints(incidents_text, np.int64)
    by_actor = np.argsort(actor_of, kind="stable")
    actor_of, incident_of = actor_of[by_actor], incident_of[by_actor]
    actor_ids, actor_starts = np.unique(actor_of, return_index=True)
    fits = not len(ids) or (ids[0] >= 0 and ids[-1] < _ID_SPAN)
    keys = start.astype(np.int64) * _ID_SPAN + ids
    date_order = np.argsort(keys, kind="stable").astype(np.int64)
    return IncidentColumns(
        date_order=date_order,
        date_keys=keys[date_order] if fits else None,
        ids=ids,
        start=start,
        end=_dates(ends, dialect)[by_id],
        month=start.astype("datetime64[D]").astype("datetime64[M]").astype(np.int32),
        type_code=type_code[by_id],
        types=tuple(types),
        country_code=country_code[by_id],
        countries=tuple(country or None for country in countries),
        actor_ids=actor_ids.astype(np.int64),
        actor_starts=np.append(actor_starts, len(actor_of)).astype(np.int64),
        # Each participation's incident as its position in the arrays.
        taking_part=np.searchsorted(ids, incident_of).astype(np.int64),
    )


# Read as the service starts (`prepare`), and after an ingest by the first list that needs
# them, which waits for them up to 50 ms: a database of a few thousand incidents is read in a
# few milliseconds and serves that very request; 1M takes ~2 s. After a failed read (the
# database went away), none for 30 s.
_reads: BackgroundRead[IncidentColumns] = BackgroundRead(
    "incident-columns", read, wait_seconds=0.05, retry_seconds=30.0
)


def ready(session: Session) -> IncidentColumns | None:
    """The incident columns at the session's data version, when they have been read."""
    return _reads.ready(session)


def prepare(engine: Engine) -> None:
    """Start reading the incident columns of `engine`'s database, in the background."""
    _reads.prepare(engine)

"""A search's matches kept in memory per data version: ranked (relevance pages) or unranked
(pages in another order).

Relevance needs every match scored before the best can be known: FTS5's bm25() (PostgreSQL's
ts_rank_cd) runs on each matching row, and a broad word matches a third of a million
incidents. Neither index can hand matches out best first, and a bound on the score does not
help either: to bound a row's bm25 you need its term frequency and length, which is exactly
what bm25() reads per row (see bench/README.md). The scores change only when the data does,
and every ingest that changes something bumps `dataset_meta.data_version`: so the ranked list
of a search is computed once per data version by the database's own ranking function, put in
the order the API has always used (score descending, then id), and each page, each later page
and each filtered page is read from it. Rows and scores are the database's, so pages, cursors
and totals are unchanged.

What a first request pays is kept small (`app.kit.search`): a page in date order needs to know
which rows match, not how well, so it never ranks (SQLite lists the matches unscored, a
`MatchSet`; PostgreSQL tests the rows it walks by primary key); filters that hold few rows
have the search ranked among their rows alone; and a full ranking is read as plain tuples and
ordered with numpy, not by the database's sort and a Python loop.
"""

import threading
from array import array
from bisect import bisect_left
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence, Sized
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

import numpy as np
from sqlalchemy.orm import Session

from app.db import versions

# Bytes each ranked match costs in memory: id and score in rank order, id and rank by id.
BYTES_PER_MATCH = 8 + 8 + 8 + 4


@dataclass(frozen=True)
class RankedMatches:
    """Every match, best first (score descending, then id ascending)."""

    ids: array  # type: ignore[type-arg]  # 'q': ids in rank order
    scores: array  # type: ignore[type-arg]  # 'd': their scores
    ids_ascending: array  # type: ignore[type-arg]  # 'q': the same ids, ascending
    rank_of_ascending: array  # type: ignore[type-arg]  # 'l': each one's place in `ids`
    # Walks of this ranking under other filters (tested in SQL or in memory), kept with it:
    # they hold for its data version as it does (`search._walk`).
    walks: dict[Hashable, tuple[int, ...]] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, rows: Sequence[tuple[int, float]]) -> "RankedMatches":
        """From (id, score) rows in any order: put in rank order here, in C (numpy), where
        the database's ORDER BY and building the arrays row by row in Python took as long as
        scoring them (a third of a million matches at 1M, profiled)."""
        count = len(rows)
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=count)
        scores = np.fromiter((row[1] for row in rows), dtype=np.float64, count=count)
        return cls.of_arrays(ids, scores)

    @classmethod
    def of_arrays(cls, ids: Any, scores: Any) -> "RankedMatches":
        """From an int64 vector of ids (each once) and a float64 vector of their scores."""
        # Score descending, then id ascending: the last key is the primary one.
        in_rank_order = np.lexsort((ids, -scores))
        ranked_ids, ranked_scores = ids[in_rank_order], scores[in_rank_order]
        by_id = np.argsort(ranked_ids, kind="stable")
        return cls(
            _array("q", ranked_ids),
            _array("d", ranked_scores),
            _array("q", ranked_ids[by_id]),
            _array("l", by_id),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def position_after(self, score: float, last_id: int) -> int:
        """Where the list continues after a cursor at (score, last_id)."""
        low, high = 0, len(self.ids)
        while low < high:
            middle = (low + high) // 2
            here = self.scores[middle]
            if here > score or (here == score and self.ids[middle] <= last_id):
                low = middle + 1
            else:
                high = middle
        return low

    def rank_of(self, row_id: int) -> int | None:
        """The place of `row_id` in rank order, or None when it does not match."""
        at = bisect_left(self.ids_ascending, row_id)
        if at < len(self.ids_ascending) and self.ids_ascending[at] == row_id:
            return int(self.rank_of_ascending[at])
        return None

    def contains(self, row_id: int) -> bool:
        return self.rank_of(row_id) is not None

    def count_in(self, row_ids: Iterable[int]) -> int:
        return int(np.count_nonzero(_found(self.ids_ascending, _ids(row_ids))[1]))

    def matching(self, row_ids: Iterable[int]) -> list[int]:
        """Those of `row_ids` that match, in their order."""
        needles = _ids(row_ids)
        return needles[_found(self.ids_ascending, needles)[1]].tolist()  # type: ignore[no-any-return]

    def ranks_in(self, row_ids: Iterable[int], start: int = 0) -> list[int]:
        """The places of the matching `row_ids` from `start` on, best first."""
        at, found = _found(self.ids_ascending, _ids(row_ids))
        ranks = np.frombuffer(self.rank_of_ascending, dtype=np.dtype("l"))[at[found]]
        return np.sort(ranks[ranks >= start]).tolist()  # type: ignore[no-any-return]


@dataclass(frozen=True)
class MatchSet:
    """Every match of a search, unranked: what a page in another order than relevance, and its
    total, need to know of the search. No score is computed for it: listing a word's matches
    is 3-5x cheaper than ranking them (bm25 reads each row's length; profiled at 1M)."""

    ids_ascending: array  # type: ignore[type-arg]  # 'q'

    @classmethod
    def of(cls, rows: Sequence[tuple[int]]) -> "MatchSet":
        """From (id,) rows in any order."""
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        return cls.of_ids(ids)

    @classmethod
    def of_ids(cls, ids: Any) -> "MatchSet":
        """From an int64 vector of ids in any order, each once."""
        return cls(_array("q", np.sort(ids)))

    def __len__(self) -> int:
        return len(self.ids_ascending)

    def contains(self, row_id: int) -> bool:
        at = bisect_left(self.ids_ascending, row_id)
        return at < len(self.ids_ascending) and self.ids_ascending[at] == row_id

    def count_in(self, row_ids: Iterable[int]) -> int:
        return int(np.count_nonzero(_found(self.ids_ascending, _ids(row_ids))[1]))

    def matching(self, row_ids: Iterable[int]) -> list[int]:
        """Those of `row_ids` that match, in their order."""
        needles = _ids(row_ids)
        return needles[_found(self.ids_ascending, needles)[1]].tolist()  # type: ignore[no-any-return]


def found_among(matches: "RankedMatches | MatchSet", row_ids: list[int]) -> list[bool]:
    """Whether each of `row_ids` is among `matches`, in their order."""
    return _found(matches.ids_ascending, _ids(row_ids))[1].tolist()  # type: ignore[no-any-return]


# Many ids looked up at once (a filter's rows against a search's matches: 100,000 and more) by
# numpy's binary search, in C: one at a time in Python took 0.3 s for 100,000 (profiled at 1M).
def _ids(row_ids: Iterable[int]) -> Any:
    """Row ids as an int64 vector."""
    if isinstance(row_ids, np.ndarray):
        return row_ids.astype(np.int64, copy=False)
    listed = row_ids if isinstance(row_ids, (list, tuple, array)) else list(row_ids)
    return np.fromiter(listed, dtype=np.int64, count=len(listed))


def _found(ascending: array, needles: Any) -> tuple[Any, Any]:  # type: ignore[type-arg]
    """Where each needle would sit in `ascending` (ids, ascending), and whether it is there."""
    if len(ascending) == 0:
        return np.zeros(len(needles), dtype=np.intp), np.zeros(len(needles), dtype=bool)
    haystack = np.frombuffer(ascending, dtype=np.int64)
    at = np.searchsorted(haystack, needles)
    found = at < len(haystack)
    found[found] = haystack[at[found]] == needles[found]
    return at, found


def _array(typecode: str, values: Any) -> array:  # type: ignore[type-arg]
    """A numpy vector as a plain array of `typecode` (ints that the drivers bind as ints)."""
    out = array(typecode)
    out.frombytes(np.ascontiguousarray(values, dtype=np.dtype(typecode)).tobytes())
    return out


Kept = TypeVar("Kept", bound=Sized)


class RankingCache(Generic[Kept]):
    """Ranked matches (or match sets) per (database, data version, search), least recently
    used out first, holding at most `max_matches` matches in all."""

    def __init__(self, max_matches: int) -> None:
        self.max_matches = max_matches
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, Kept] = OrderedDict()
        self._held = 0
        # One lock per search being ranked: concurrent requests for the same cold search
        # wait for one ranking instead of each running it.
        self._ranking: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable, rank: Callable[[], Kept]) -> Kept:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            ranking = self._ranking.setdefault(key, threading.Lock())
        with ranking:
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    return found
            ranked = rank()
            with self._lock:
                self._ranking.pop(key, None)
                if len(ranked) <= self.max_matches:
                    self._entries[key] = ranked
                    self._held += len(ranked)
                    while self._held > self.max_matches:
                        _, dropped = self._entries.popitem(last=False)
                        self._held -= len(dropped)
            return ranked

    def get_unless_busy(self, key: Hashable, rank: Callable[[], Kept]) -> Kept | None:
        """As `get`, but None at once when another thread is ranking `key` already: for a
        caller that has a cheaper way of its own to answer meanwhile."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            if key in self._ranking:
                return None
        return self.get(key, rank)

    def kept(self, key: Hashable) -> Kept | None:
        """What is kept under `key`, if it is."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    @property
    def searches(self) -> int:
        """How many searches' ranked matches are kept."""
        return len(self._entries)

    @property
    def held(self) -> int:
        """How many ranked matches are kept."""
        return self._held

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._held = 0


def data_version(session: Session) -> int | None:
    """The version of the data this transaction sees (None: never ingested into)."""
    # Read once per session (`app.db.versions`): a search asks for it up to four times.
    return versions.data_version(session)

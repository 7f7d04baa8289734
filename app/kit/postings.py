"""Relevance postings: a frequent word's first relevance pages without ranking every match.

Ranking a broad word's matches needs each one scored (bm25() reads every matching row's length
on SQLite, ts_rank_cd() every stored vector on PostgreSQL): 0.1-0.5 s of CPU on SQLite and
1-3 s on PostgreSQL for a word in a third of 1M incidents. For ONE word, though, the score is a
function of two numbers the ingest can keep:

- SQLite, FTS5's bm25 with its default weights: idf x f(k1+1) / (f + k1(1 - b + b|D|/avgdl)),
  f the word's occurrences in the row (every column), |D| the row's tokens (every column). For
  a fixed f it never grows with |D|, whatever idf and avgdl are.
- PostgreSQL, ts_rank_cd of one lexeme over the unweighted stored vector, normalization 0: a
  function of the lexeme's positions in the vector alone.

So the rows of a term with the same f, in (|D|, id) order, are already in the API's order
(score descending, then id) among themselves: one *stream* per (term, f). Each stream keeps its
first `depth` rows (`search_posting`), and merging the streams' kept rows by score gives the
exact ranking down to the first place a row beyond a stream's kept prefix could take: that
part (`Prefix`) is all a first page, and most next pages, under broad filters read.

Scores are the engine's: bm25 is computed here with FTS5's own expression in the same double
operations (fts5_aux.c fts5Bm25Function), which gives the same bits as bm25() (checked against
every match in tests/api/test_postings.py and on the 1M corpora); on PostgreSQL each stream's
score is ts_rank_cd() of one of its rows, computed by the database.

Upkeep: triggers list every row written in a searched table (`search_posting_dirty`); the
ingest, in its own transaction, brings their postings up to date (`refresh`) and the readers
ignore a table's postings while it has any such row. A table's terms (at least
`min_matches` matching rows) are chosen when its postings are built: by migration 0017, by the
first ingest, and again when the table has doubled since.
"""

import json
import math
import re
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from sqlalchemy import Connection, text

from app.db.base import json_ids
from app.kit.ranking import RankedMatches

# FTS5's bm25 constants (fts5_aux.c).
K1, B = 1.2, 0.75
# The tokenizer of every FTS5 table (migration 0002): the scratch table that tokenizes the
# rows an ingest wrote uses the same one.
TOKENIZER = "porter unicode61 remove_diacritics 2"


@dataclass(frozen=True)
class Searched:
    table: str
    fts: str  # SQLite FTS5 table
    columns: tuple[str, ...]  # the FTS5 table's columns (the content table's)


SEARCHED: dict[str, Searched] = {
    "incident": Searched("incident", "incident_fts", ("search_text",)),
    "statement": Searched("statement", "statement_fts", ("search_text",)),
    "source": Searched("source", "source_fts", ("title", "text")),
}
# The columns whose writes change a row's search document (PostgreSQL's stored vector is built
# from the same ones; SQLite also indexes a source only once it is extracted, migration 0013).
WATCHED = {
    "incident": ("search_text",),
    "statement": ("search_text",),
    "source": ("title", "text", "extraction_key"),
}
_CHUNK = 500


# -- upkeep ---------------------------------------------------------------------------------


def refresh(conn: Connection, *, min_matches: int, depth: int) -> None:
    """Bring every searched table's postings up to date with the rows written since (inside
    the caller's transaction; running it again changes nothing)."""
    for searched in SEARCHED.values():
        chosen_at = conn.scalar(
            text("SELECT rows_at_choice FROM search_posting_table WHERE searched = :s"),
            {"s": searched.table},
        )
        dirty = [
            int(row_id)
            for row_id in conn.scalars(
                text("SELECT row_id FROM search_posting_dirty WHERE searched = :s"),
                {"s": searched.table},
            )
        ]
        if chosen_at is not None and not dirty:
            continue
        rows = int(conn.scalar(text(f"SELECT count(*) FROM {searched.table}")) or 0)
        if chosen_at is None or rows >= 2 * max(int(chosen_at), 1):
            rebuild(conn, searched, min_matches=min_matches, depth=depth)
        else:
            _update(conn, searched, dirty, depth)
        if len(dirty) * _COMPACTED_AFTER_SHARE >= rows:
            compact(conn, searched)


# An ingest that wrote at least one row in this many of a table's rows leaves its full-text
# index in one segment (`compact`); smaller ones leave it to FTS5's own merging.
_COMPACTED_AFTER_SHARE = 10


def compact(conn: Connection, searched: Searched) -> None:
    """Merge `searched`'s FTS5 index into one segment (SQLite; PostgreSQL's GIN needs none).

    A bulk load leaves the index in many segments, and every lookup of a row in a word's
    matches visits each: at 1M incidents a page's 20 snippets took 1.1-1.7 ms, and a row's
    seek 25-35 us, against 0.3-0.5 ms and 10-14 us once merged (3.7 s of merging, measured).
    Scores, matches and snippets are the same either way.
    """
    if conn.dialect.name == "sqlite":
        conn.execute(text(f"INSERT INTO {searched.fts}({searched.fts}) VALUES ('optimize')"))


def rebuild_all(conn: Connection, *, min_matches: int, depth: int, with_rows: bool = True) -> None:
    """Choose every searched table's terms and build their postings from scratch (migration
    0017's backfill, and a bulk load that ran without the triggers). `with_rows`: the terms'
    every row too (migration 0017 ran before their table, 0025, existed)."""
    for searched in SEARCHED.values():
        rebuild(conn, searched, min_matches=min_matches, depth=depth, with_rows=with_rows)
        compact(conn, searched)


def rebuild(
    conn: Connection, searched: Searched, *, min_matches: int, depth: int, with_rows: bool = True
) -> None:
    """Choose `searched`'s terms afresh and keep each stream's first `depth` rows (and every
    row of each term: on SQLite off the same pass over FTS5's instances)."""
    for table in ("search_posting", "search_posting_stream", "search_posting_term"):
        conn.execute(text(f"DELETE FROM {table} WHERE searched = :s"), {"s": searched.table})
    sqlite = conn.dialect.name == "sqlite"
    terms = _frequent_sqlite(conn, searched, min_matches) if sqlite else None
    postings = (
        _all_postings_sqlite(conn, searched, terms or [])
        if sqlite
        else _all_postings_postgresql(conn, searched, min_matches, depth)
    )
    if with_rows and sqlite:
        conn.execute(
            text("DELETE FROM search_posting_rows WHERE searched = :s"), {"s": searched.table}
        )
    chosen = []
    for term, occurrences, lengths, row_ids, in_rank_order in postings:
        chosen.append(term)
        _store_term(conn, searched, term, occurrences, lengths, row_ids, in_rank_order[:depth])
        if with_rows and sqlite:
            _store_term_rows(conn, searched, term, occurrences, row_ids)
    if chosen:
        conn.execute(
            text("INSERT INTO search_posting_term (searched, term) VALUES (:s, :t)"),
            [{"s": searched.table, "t": term} for term in chosen],
        )
    if with_rows and not sqlite:
        build_term_rows(conn, searched)
    rows = int(conn.scalar(text(f"SELECT count(*) FROM {searched.table}")) or 0)
    conn.execute(
        text("DELETE FROM search_posting_table WHERE searched = :s"), {"s": searched.table}
    )
    conn.execute(
        text("INSERT INTO search_posting_table (searched, rows_at_choice) VALUES (:s, :n)"),
        {"s": searched.table, "n": rows},
    )
    conn.execute(
        text("DELETE FROM search_posting_dirty WHERE searched = :s"), {"s": searched.table}
    )


def _store_term(
    conn: Connection,
    searched: Searched,
    term: str,
    occurrences: Any,
    lengths: Any,
    row_ids: Any,
    best: Any,
) -> None:
    """Keep `term`'s best rows (`best`: their places in the arrays, the first `depth` of the
    ranking as it stands now). Each stream keeps exactly its rows up to the last of them in its
    (length, id) order, so that its prefix stays exact whatever the statistics become, and
    records the first row it does not keep (a stream with none of them: its first). The arrays
    hold every row of each stream that may be kept, and the next one."""
    chosen = np.zeros(len(row_ids), dtype=bool)
    chosen[best] = True
    order = np.lexsort((row_ids, lengths, occurrences))
    occurrences, lengths, row_ids = occurrences[order], lengths[order], row_ids[order]
    chosen = chosen[order]
    starts = np.flatnonzero(np.r_[True, occurrences[1:] != occurrences[:-1]])
    ends = np.r_[starts[1:], len(occurrences)]
    kept = np.zeros(len(row_ids), dtype=bool)
    streams = []
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        picked = np.flatnonzero(chosen[start:end])
        after = start + int(picked[-1]) + 1 if len(picked) else start
        kept[start:after] = True
        bound = (int(lengths[after]), int(row_ids[after])) if after < end else (None, None)
        streams.append(
            {
                "s": searched.table,
                "t": term,
                "f": int(occurrences[start]),
                "d": bound[0],
                "i": bound[1],
            }
        )
    # As the driver's own executemany of plain tuples: millions of rows at 1M.
    marks = "?, ?, ?, ?, ?" if conn.dialect.name == "sqlite" else "%s, %s, %s, %s, %s"
    conn.exec_driver_sql(
        "INSERT INTO search_posting (searched, term, occurrences, length, row_id) "
        f"VALUES ({marks})",
        [
            (searched.table, term, f, d, i)
            for f, d, i in zip(
                occurrences[kept].tolist(),
                lengths[kept].tolist(),
                row_ids[kept].tolist(),
                strict=True,
            )
        ],
    )
    conn.execute(
        text(
            "INSERT INTO search_posting_stream "
            "(searched, term, occurrences, next_length, next_row_id) VALUES (:s, :t, :f, :d, :i)"
        ),
        streams,
    )


def _frequent_sqlite(conn: Connection, searched: Searched, min_matches: int) -> list[str]:
    """The terms of `searched`'s FTS5 index matching at least `min_matches` rows."""
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{searched.fts}_terms "
        f"USING fts5vocab(main, {searched.fts}, 'row')"
    )
    try:
        return [
            str(term)
            for (term,) in conn.exec_driver_sql(
                f"SELECT term FROM temp.{searched.fts}_terms WHERE doc >= ?", (min_matches,)
            )
        ]
    finally:
        conn.exec_driver_sql(f"DROP TABLE temp.{searched.fts}_terms")


def _all_postings_sqlite(
    conn: Connection, searched: Searched, terms: list[str]
) -> Iterable[tuple[str, Any, Any, Any, Any]]:
    """(term, occurrences, lengths, row ids) of every row matching each term: occurrences
    counted off FTS5's own index (fts5vocab 'instance'), lengths off its %_docsize."""
    if not terms:
        return
    ids, lengths = _lengths_sqlite(conn, searched, None)
    rows, tokens = _totals_sqlite(conn, searched)
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE IF NOT EXISTS temp.{searched.fts}_instances "
        f"USING fts5vocab(main, {searched.fts}, 'instance')"
    )
    try:
        raw = conn.connection.driver_connection
        assert isinstance(raw, sqlite3.Connection)
        for term in terms:
            cursor = raw.execute(
                f"SELECT doc FROM temp.{searched.fts}_instances WHERE term = ?", (term,)
            )
            docs = np.fromiter((row[0] for row in cursor), dtype=np.int64)
            row_ids, occurrences = np.unique(docs, return_counts=True)
            row_lengths = lengths[np.searchsorted(ids, row_ids)]
            scores = _Bm25.at(rows, tokens, len(row_ids)).scores(occurrences, row_lengths)
            yield term, occurrences, row_lengths, row_ids, np.lexsort((row_ids, -scores))
    finally:
        conn.exec_driver_sql(f"DROP TABLE temp.{searched.fts}_instances")


def _lengths_sqlite(
    conn: Connection, searched: Searched, row_ids: Sequence[int] | None
) -> tuple[Any, Any]:
    """(ids ascending, token counts) of the indexed rows (of `row_ids`, when given), off
    FTS5's %_docsize: one varint per column, summed as bm25's xColumnSize(-1) sums them."""
    sql = f"SELECT id, sz FROM {searched.fts}_docsize"
    if row_ids is None:
        rows = list(conn.exec_driver_sql(sql + " ORDER BY id"))
    else:
        # The ids one JSON array: 30,000 rows in 34 ms at 1M.
        rows = list(
            conn.exec_driver_sql(
                sql + " WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
                (json_ids([int(row_id) for row_id in row_ids]),),
            )
        )
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
    sizes = np.fromiter(
        # One column of under 128 tokens is one byte: most rows, read without a loop.
        (s[0] if len(s) == 1 and s[0] < 0x80 else sum(_varints(s)) for _, s in rows),
        dtype=np.int64,
        count=len(rows),
    )
    return ids, sizes


def _totals_sqlite(conn: Connection, searched: Searched) -> tuple[int, int]:
    """(rows, tokens) FTS5's bm25 averages over: its averages record (%_data, id 1)."""
    averages = conn.scalar(text(f"SELECT block FROM {searched.fts}_data WHERE id = 1"))
    if not averages:
        return 0, 0
    totals = _varints(bytes(averages))
    return totals[0], sum(totals[1:])


def _varints(blob: bytes) -> list[int]:
    """SQLite's varints (FTS5's %_docsize and averages records)."""
    values, at = [], 0
    while at < len(blob):
        value = 0
        for place in range(9):
            byte = blob[at]
            at += 1
            if place == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values


def _all_postings_postgresql(
    conn: Connection, searched: Searched, min_matches: int, depth: int
) -> Iterable[tuple[str, Any, Any, Any, Any]]:
    """(term, positions, zeros, row ids, rank order) of every lexeme in at least `min_matches`
    rows: its first depth + 1 rows in ranking order (more positions first, then id; ts_rank_cd
    of one lexeme grows with its positions) and the first row of each stream. One pass over
    the stored vectors."""
    terms = [
        str(word)
        for word in conn.scalars(
            text(
                f"SELECT word FROM ts_stat('SELECT search_fts FROM {searched.table}') "
                "WHERE ndoc >= :n"
            ),
            {"n": min_matches},
        )
    ]
    if not terms:
        return
    rows = conn.execute(
        text(
            "SELECT term, occurrences, row_id FROM ("
            "SELECT u.lexeme AS term, cardinality(u.positions) AS occurrences, t.id AS row_id, "
            "row_number() OVER (PARTITION BY u.lexeme "
            "ORDER BY cardinality(u.positions) DESC, t.id) AS place, "
            "row_number() OVER (PARTITION BY u.lexeme, cardinality(u.positions) ORDER BY t.id) "
            "AS stream_place "
            f"FROM {searched.table} t CROSS JOIN LATERAL unnest(t.search_fts) u "
            "WHERE u.lexeme = ANY(:terms)) ranked WHERE place <= :kept OR stream_place = 1 "
            "ORDER BY term"
        ),
        {"terms": terms, "kept": depth + 1},
    ).all()
    start = 0
    while start < len(rows):
        end = start
        while end < len(rows) and rows[end][0] == rows[start][0]:
            end += 1
        group = rows[start:end]
        occurrences = np.array([row[1] for row in group], dtype=np.int64)
        row_ids = np.array([row[2] for row in group], dtype=np.int64)
        lengths = np.zeros(len(group), dtype=np.int64)
        yield str(group[0][0]), occurrences, lengths, row_ids, np.lexsort((row_ids, -occurrences))
        start = end


def _update(conn: Connection, searched: Searched, dirty: list[int], depth: int) -> None:
    """The postings of the rows written since (`dirty`) replaced by their current ones."""
    for chunk in _chunks(dirty):
        conn.execute(
            text(
                "DELETE FROM search_posting WHERE searched = :s AND row_id IN "
                f"({','.join(str(int(i)) for i in chunk)})"
            ),
            {"s": searched.table},
        )
    fresh = (
        _fresh_sqlite(conn, searched, dirty)
        if conn.dialect.name == "sqlite"
        else _fresh_postgresql(conn, searched, dirty)
    )
    streams = {
        (str(row[0]), int(row[1])): (row[2], row[3])
        for row in conn.execute(
            text(
                "SELECT term, occurrences, next_length, next_row_id FROM search_posting_stream "
                "WHERE searched = :s"
            ),
            {"s": searched.table},
        )
    }
    kept, new_streams, touched = [], [], set()
    for term, occurrences, length, row_id in fresh:
        stream = (term, occurrences)
        if stream not in streams:
            streams[stream] = (None, None)
            new_streams.append(stream)
        next_length, next_row_id = streams[stream]
        if next_length is None or (length, row_id) < (next_length, next_row_id):
            kept.append(
                {"s": searched.table, "t": term, "f": occurrences, "d": length, "i": row_id}
            )
            touched.add(stream)
    if new_streams:
        conn.execute(
            text(
                "INSERT INTO search_posting_stream (searched, term, occurrences) "
                "VALUES (:s, :t, :f)"
            ),
            [{"s": searched.table, "t": t, "f": f} for t, f in new_streams],
        )
    if kept:
        conn.execute(
            text(
                "INSERT INTO search_posting (searched, term, occurrences, length, row_id) "
                "VALUES (:s, :t, :f, :d, :i)"
            ),
            kept,
        )
    for term, occurrences in sorted(touched):
        _trim(conn, searched, term, occurrences, depth)
    _update_term_rows(conn, searched, dirty, [(t, f, i) for t, f, _, i in fresh])
    conn.execute(
        text("DELETE FROM search_posting_dirty WHERE searched = :s"), {"s": searched.table}
    )


# -- every row of a term ---------------------------------------------------------------------
#
# Every row of a term's stream (its rows with the same number of occurrences) is kept by block
# of 2**16 ids: a block's row holds the low 16 bits of each of its ids, ascending, as two
# big-endian bytes (what `int4send(id)`'s last two bytes are). Two bytes an id: 64 MB for the
# 32 million (term, incident) pairs of 1M incidents. On PostgreSQL a stream's rows all score
# the same; on SQLite bm25 also reads each row's length, off FTS5's %_docsize.
_BLOCK_BITS = 16
_LOW_IDS = np.dtype(">u2")


def _store_term_rows(
    conn: Connection, searched: Searched, term: str, occurrences: Any, row_ids: Any
) -> None:
    """SQLite: every row of `term` (`row_ids`, each with its `occurrences`), by stream and
    block, as the driver's own executemany."""
    order = np.lexsort((row_ids, occurrences))
    occurrences, row_ids = occurrences[order], row_ids[order]
    blocks = row_ids >> _BLOCK_BITS
    starts = np.flatnonzero(
        np.r_[True, (occurrences[1:] != occurrences[:-1]) | (blocks[1:] != blocks[:-1])]
    )
    ends = np.r_[starts[1:], len(row_ids)]
    conn.exec_driver_sql(
        "INSERT INTO search_posting_rows (searched, term, occurrences, block, low_ids) "
        "VALUES (?, ?, ?, ?, ?)",
        [
            (
                searched.table,
                term,
                int(occurrences[start]),
                int(blocks[start]),
                (row_ids[start:end] & 0xFFFF).astype(_LOW_IDS).tobytes(),
            )
            for start, end in zip(starts.tolist(), ends.tolist(), strict=True)
        ],
    )


def build_term_rows(conn: Connection, searched: Searched) -> None:
    """Every row of each of `searched`'s chosen terms' streams, from scratch (one pass over
    PostgreSQL's stored vectors, or over FTS5's instances of each term)."""
    conn.execute(text("DELETE FROM search_posting_rows WHERE searched = :s"), {"s": searched.table})
    if conn.dialect.name == "sqlite":
        terms = list(
            conn.scalars(
                text("SELECT term FROM search_posting_term WHERE searched = :s ORDER BY term"),
                {"s": searched.table},
            )
        )
        for term, occurrences, _, row_ids, _ in _all_postings_sqlite(conn, searched, terms):
            _store_term_rows(conn, searched, term, occurrences, row_ids)
        return
    conn.execute(
        text(
            "INSERT INTO search_posting_rows (searched, term, occurrences, block, low_ids) "
            "SELECT CAST(:s AS VARCHAR), u.lexeme, cardinality(u.positions), "
            f"t.id >> {_BLOCK_BITS}, "
            "string_agg(substring(int4send(t.id) FROM 3 FOR 2), ''::bytea ORDER BY t.id) "
            f"FROM {searched.table} t CROSS JOIN LATERAL unnest(t.search_fts) u "
            "WHERE u.lexeme IN (SELECT term FROM search_posting_term WHERE searched = :s) "
            f"GROUP BY u.lexeme, cardinality(u.positions), t.id >> {_BLOCK_BITS}"
        ),
        {"s": searched.table},
    )


def _update_term_rows(
    conn: Connection, searched: Searched, dirty: list[int], fresh: list[tuple[str, int, int]]
) -> None:
    """The blocks holding rows written since (`dirty`) with those rows' ids replaced by the
    (term, occurrences, row id) they have now (`fresh`: none for a deleted row). Only the
    streams that change are written, in two statements a block."""
    written = np.unique(np.asarray(dirty, dtype=np.int64))
    now: dict[tuple[str, int, int], list[int]] = {}
    for term, occurrences, row_id in fresh:
        now.setdefault((term, occurrences, row_id >> _BLOCK_BITS), []).append(row_id & 0xFFFF)
    for block in np.unique(written >> _BLOCK_BITS).tolist():
        in_block = (written[(written >> _BLOCK_BITS) == block] & 0xFFFF).astype(np.int64)
        changed: dict[tuple[str, int], Any] = {}
        for term, occurrences, low_ids in conn.execute(
            text(
                "SELECT term, occurrences, low_ids FROM search_posting_rows "
                "WHERE searched = :s AND block = :b"
            ),
            {"s": searched.table, "b": block},
        ):
            before = np.frombuffer(low_ids, dtype=_LOW_IDS).astype(np.int64)
            at = np.minimum(np.searchsorted(before, in_block), len(before) - 1)
            was_in = at[before[at] == in_block]
            added = now.pop((str(term), int(occurrences), block), None)
            if added is None and not len(was_in):
                continue  # none of the written rows was or is in this stream
            # Sorted arrays edited in place of numpy's set operations, which sort (or hash)
            # every id of the stream again: most of the upkeep's time at 1M.
            after = np.delete(before, was_in)
            if added is not None:
                new_ids = np.sort(np.asarray(added, dtype=np.int64))
                after = np.insert(after, np.searchsorted(after, new_ids), new_ids)
            changed[(str(term), int(occurrences))] = after
        for term, occurrences, at_block in [key for key in now if key[2] == block]:
            # Streams new to this block.
            changed[(term, occurrences)] = np.unique(
                np.asarray(now.pop((term, occurrences, at_block)), dtype=np.int64)
            )
        if not changed:
            continue
        _delete_streams(conn, searched, block, list(changed))
        kept = [(stream, ids) for stream, ids in changed.items() if len(ids)]
        if kept:
            conn.execute(
                text(
                    "INSERT INTO search_posting_rows (searched, term, occurrences, block, low_ids) "
                    "VALUES (:s, :t, :f, :b, :ids)"
                ),
                [
                    {
                        "s": searched.table,
                        "t": term,
                        "f": occurrences,
                        "b": block,
                        "ids": ids.astype(_LOW_IDS).tobytes(),
                    }
                    for (term, occurrences), ids in kept
                ],
            )


def _delete_streams(
    conn: Connection, searched: Searched, block: int, streams: list[tuple[str, int]]
) -> None:
    """`streams`' (term, occurrences) rows of `block`, deleted in one statement."""
    if conn.dialect.name == "postgresql":
        listed = "SELECT * FROM unnest(CAST(:terms AS varchar[]), CAST(:occurrences AS integer[]))"
        values: dict[str, Any] = {
            "terms": [term for term, _ in streams],
            "occurrences": [occurrences for _, occurrences in streams],
        }
    else:
        listed = (
            "SELECT json_extract(value, '$[0]'), json_extract(value, '$[1]') "
            "FROM json_each(:streams)"
        )
        values = {"streams": json.dumps(streams)}
    conn.execute(
        text(
            "DELETE FROM search_posting_rows WHERE searched = :s AND block = :b "
            f"AND (term, occurrences) IN ({listed})"
        ),
        {"s": searched.table, "b": block, **values},
    )


def _trim(conn: Connection, searched: Searched, term: str, occurrences: int, depth: int) -> None:
    """A stream that grew past `depth` kept rows loses its last ones (its prefix stays exact)."""
    keys = {"s": searched.table, "t": term, "f": occurrences}
    first_dropped = conn.execute(
        text(
            "SELECT length, row_id FROM search_posting WHERE searched = :s AND term = :t "
            "AND occurrences = :f ORDER BY length, row_id LIMIT 1 OFFSET :at"
        ),
        {**keys, "at": depth},
    ).first()
    if first_dropped is None:
        return
    bound = {**keys, "d": int(first_dropped[0]), "i": int(first_dropped[1])}
    conn.execute(
        text(
            "DELETE FROM search_posting WHERE searched = :s AND term = :t AND occurrences = :f "
            "AND (length > :d OR (length = :d AND row_id >= :i))"
        ),
        bound,
    )
    conn.execute(
        text(
            "UPDATE search_posting_stream SET next_length = :d, next_row_id = :i "
            "WHERE searched = :s AND term = :t AND occurrences = :f"
        ),
        bound,
    )


def _fresh_sqlite(
    conn: Connection, searched: Searched, dirty: list[int]
) -> list[tuple[str, int, int, int]]:
    """(term, occurrences, length, row id) of the chosen terms in the written rows that FTS5
    indexes now: the rows tokenized again by a scratch FTS5 table with the same tokenizer."""
    ids, lengths = _lengths_sqlite(conn, searched, dirty)
    if not len(ids):
        return []
    columns = ", ".join(searched.columns)
    conn.exec_driver_sql(
        f"CREATE VIRTUAL TABLE temp.search_posting_scratch USING fts5({columns}, "
        f"tokenize='{TOKENIZER}')"
    )
    conn.exec_driver_sql(
        "CREATE VIRTUAL TABLE temp.search_posting_scratch_instances "
        "USING fts5vocab(temp, search_posting_scratch, 'instance')"
    )
    try:
        for chunk in _chunks(ids.tolist()):
            conn.exec_driver_sql(
                f"INSERT INTO temp.search_posting_scratch (rowid, {columns}) "
                f"SELECT id, {columns} FROM main.{searched.table} "
                f"WHERE id IN ({','.join(str(int(i)) for i in chunk)})"
            )
        counted = conn.execute(
            text(
                "SELECT v.term, v.doc, count(*) FROM temp.search_posting_scratch_instances v "
                "WHERE v.term IN (SELECT term FROM search_posting_term WHERE searched = :s) "
                "GROUP BY v.term, v.doc"
            ),
            {"s": searched.table},
        ).all()
    finally:
        conn.exec_driver_sql("DROP TABLE temp.search_posting_scratch_instances")
        conn.exec_driver_sql("DROP TABLE temp.search_posting_scratch")
    length_of = dict(zip(ids.tolist(), lengths.tolist(), strict=True))
    return [(str(t), int(f), int(length_of[int(i)]), int(i)) for t, i, f in counted]


def _fresh_postgresql(
    conn: Connection, searched: Searched, dirty: list[int]
) -> list[tuple[str, int, int, int]]:
    """(term, positions, 0, row id) of the chosen terms in the written rows' stored vectors."""
    found = conn.execute(
        text(
            "SELECT u.lexeme, cardinality(u.positions), t.id "
            f"FROM {searched.table} t CROSS JOIN LATERAL unnest(t.search_fts) u "
            "WHERE t.id = ANY(:ids) AND u.lexeme IN "
            "(SELECT term FROM search_posting_term WHERE searched = :s)"
        ),
        {"ids": dirty, "s": searched.table},
    ).all()
    return [(str(term), int(positions), 0, int(row_id)) for term, positions, row_id in found]


def _chunks(values: Sequence[int]) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


# -- reading --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prefix:
    """The exact start of a term's ranking (score descending, then id), as far as its kept
    postings decide it."""

    ranked: RankedMatches
    complete: bool  # every match is in `ranked`
    matches: int | None  # how many rows match (SQLite; None: not counted)

    def __len__(self) -> int:
        return len(self.ranked)


_PG_LEXEME = re.compile(r"^'((?:[^']|'')+)'$")


def term_of(conn: Connection, fts_expression: str | None, q: str) -> str | None:
    """The one indexed term a search for `q` looks up, or None (several words, a phrase of
    several, a prefix: those rank every match as before)."""
    if conn.dialect.name == "postgresql":
        query = conn.scalar(text("SELECT websearch_to_tsquery('english', :q)::text"), {"q": q})
        found = _PG_LEXEME.match(str(query or ""))
        return found.group(1).replace("''", "'") if found else None
    if fts_expression is None or not one_word(fts_expression):
        return None
    return _fts5_term(fts_expression[1:-1])


def one_word(fts_expression: str) -> bool:
    """Whether an FTS5 query (`app.kit.search.fts5_query`'s) is one quoted word, no prefix."""
    return re.fullmatch(r'"\w+"', fts_expression) is not None


_TOKENIZING = threading.Lock()


@lru_cache(maxsize=4096)
def _fts5_term(word: str) -> str | None:
    """The term FTS5 indexes `word` as (the same tokenizer, in a private in-memory table), or
    None when it is not exactly one token."""
    with _TOKENIZING:
        scratch = _tokenizer()
        scratch.execute("DELETE FROM words")
        scratch.execute("INSERT INTO words (rowid, word) VALUES (1, ?)", (word,))
        tokens = scratch.execute("SELECT term FROM word_instances").fetchall()
    return str(tokens[0][0]) if len(tokens) == 1 else None


@lru_cache(maxsize=1)
def _tokenizer() -> sqlite3.Connection:
    scratch = sqlite3.connect(":memory:", check_same_thread=False)
    scratch.execute(f"CREATE VIRTUAL TABLE words USING fts5(word, tokenize='{TOKENIZER}')")
    scratch.execute("CREATE VIRTUAL TABLE word_instances USING fts5vocab(words, 'instance')")
    return scratch


def _usable(conn: Connection, searched: Searched, term: str) -> bool:
    """Whether `term` has postings and its table's are up to date."""
    usable = conn.execute(
        text(
            "SELECT (SELECT count(*) FROM search_posting_term WHERE searched = :s AND term = :t),"
            " (SELECT count(*) FROM (SELECT 1 FROM search_posting_dirty WHERE searched = :s "
            "LIMIT 1) AS written)"
        ),
        {"s": searched.table, "t": term},
    ).one()
    return bool(usable[0]) and not usable[1]


@dataclass(frozen=True)
class TermRows:
    """Every row of a term, stream by stream."""

    streams: dict[int, Any]  # occurrences -> the stream's ids, ascending (int64)

    def __len__(self) -> int:
        return sum(len(stream) for stream in self.streams.values())

    def ids(self) -> Any:
        """Every row's id, ascending."""
        if not self.streams:
            return np.empty(0, dtype=np.int64)
        # A few sorted runs: merged by the stable sort's run detection (3 ms for 348,513).
        return np.sort(np.concatenate(list(self.streams.values())), kind="stable")

    def ranked(
        self, conn: Connection, searched: Searched, term: str, q: str, among: Any | None
    ) -> RankedMatches | None:
        """The rows (of `among`: ids ascending, when given) ranked as the database ranks
        them: on PostgreSQL each stream's rows score what its number of positions scores
        (`_TsRankCd`); on SQLite bm25 reads each one's length too (`_Bm25`), so only with
        `among` (the lengths of every match would cost more than FTS5's own ranking). None
        where they cannot be ranked so."""
        postgresql = conn.dialect.name == "postgresql"
        if not postgresql and among is None:
            return None
        ts_rank = _TsRankCd.of(conn, term, q, self.streams) if postgresql else None
        ids, values = [], []
        for occurrences, stream in self.streams.items():
            if among is not None:
                stream = stream[_members(stream, among)]
            ids.append(stream)
            # SQLite: the occurrences, scored with the lengths below.
            value = occurrences if ts_rank is None else ts_rank.by_occurrences[occurrences]
            values.append(np.full(len(stream), value))
        if not ids:
            return RankedMatches.of([])
        row_ids, scores = np.concatenate(ids), np.concatenate(values)
        if ts_rank is None:
            rows, tokens = _totals_sqlite(conn, searched)
            lengths = _lengths_by_id(conn, searched, row_ids)
            if not rows or lengths is None:
                return None
            scores = _Bm25.at(rows, tokens, len(self)).scores(scores, lengths)
        return RankedMatches.of_arrays(row_ids, scores)


def _members(stream: Any, among: Any) -> Any:
    """Which of `stream`'s ids (ascending) are in `among` (ascending, unique): by binary
    search of the smaller in the larger, not numpy's isin, which sorts both (a third of a
    million ids of a broad word against a few thousand of the filters')."""
    if len(among) < len(stream):
        at = np.searchsorted(stream, among)
        found = at < len(stream)
        found[found] = stream[at[found]] == among[found]
        mask = np.zeros(len(stream), dtype=bool)
        mask[at[found]] = True
        return mask
    at = np.searchsorted(among, stream)
    found = at < len(among)
    found[found] = among[at[found]] == stream[found]
    return found


def _lengths_by_id(conn: Connection, searched: Searched, row_ids: Any) -> Any | None:
    """The token counts bm25 reads (`_lengths_sqlite`) of `row_ids`, in their order; None
    when one of them is not indexed."""
    if not len(row_ids):
        return np.empty(0, dtype=np.int64)
    ids, sizes = _lengths_sqlite(conn, searched, row_ids.tolist())
    if len(ids) != len(row_ids):
        return None
    return sizes[np.searchsorted(ids, row_ids)]


def term_rows(conn: Connection, searched: Searched, term: str) -> TermRows | None:
    """Every row of `searched` matching `term`, by stream; None when the term has no postings
    or its table's are out of date."""
    if not _usable(conn, searched, term):
        return None
    blocks = conn.execute(
        text(
            "SELECT occurrences, block, low_ids FROM search_posting_rows "
            "WHERE searched = :s AND term = :t ORDER BY occurrences, block"
        ),
        {"s": searched.table, "t": term},
    ).all()
    parts: dict[int, list[Any]] = {}
    for occurrences, block, low_ids in blocks:
        ids = (int(block) << _BLOCK_BITS) + np.frombuffer(low_ids, dtype=_LOW_IDS).astype(np.int64)
        parts.setdefault(int(occurrences), []).append(ids)
    return TermRows({f: np.concatenate(found) for f, found in parts.items()})


def prefix(
    conn: Connection, searched: Searched, term: str, fts_expression: str | None, q: str
) -> Prefix | None:
    """`term`'s exact ranking as far as its postings decide it; None when the table's postings
    are out of date or the term has none."""
    if not _usable(conn, searched, term):
        return None
    streams = conn.execute(
        text(
            "SELECT occurrences, next_length, next_row_id FROM search_posting_stream "
            "WHERE searched = :s AND term = :t"
        ),
        {"s": searched.table, "t": term},
    ).all()
    rows = conn.execute(
        text(
            "SELECT occurrences, length, row_id FROM search_posting "
            "WHERE searched = :s AND term = :t"
        ),
        {"s": searched.table, "t": term},
    ).all()
    occurrences = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    lengths = np.fromiter((r[1] for r in rows), dtype=np.int64, count=len(rows))
    row_ids = np.fromiter((r[2] for r in rows), dtype=np.int64, count=len(rows))
    truncated = [s for s in streams if s[1] is not None]
    if conn.dialect.name == "sqlite":
        scorer: _Scorer | None = _Bm25.of(conn, searched, fts_expression)
    else:
        scorer = _TsRankCd.of(conn, term, q, (int(s[0]) for s in streams))
    if scorer is None:
        return None
    scores = scorer.scores(occurrences, lengths)
    in_rank_order = np.lexsort((row_ids, -scores))
    row_ids, scores = row_ids[in_rank_order], scores[in_rank_order]
    cut = len(row_ids)
    for stream_occurrences, next_length, next_row_id in truncated:
        cut = min(
            cut,
            _places_before(scorer, row_ids, scores, stream_occurrences, next_length, next_row_id),
        )
    ranked = RankedMatches.of(list(zip(row_ids[:cut].tolist(), scores[:cut].tolist(), strict=True)))
    return Prefix(ranked, not truncated, scorer.matches)


def _places_before(
    scorer: "_Scorer",
    row_ids: Any,
    scores: Any,
    occurrences: int,
    next_length: int,
    next_row_id: int,
) -> int:
    """How many of the ranked kept rows (`row_ids`, `scores`) come before every row a
    truncated stream did not keep: its first one not kept and those after it, (length, id)
    greater."""
    stream_score = float(scorer.scores(np.array([occurrences]), np.array([next_length]))[0])
    if scorer.ties_beyond(occurrences, next_length, stream_score):
        # A longer row of the stream may score the same: only higher scores are certain.
        return int(np.count_nonzero(scores > stream_score))
    # The rest of the stream scores lower, or the same with an id at least that row's.
    return int(
        np.count_nonzero(
            (scores > stream_score) | ((scores == stream_score) & (row_ids < next_row_id))
        )
    )


class _Scorer:
    matches: int | None

    def scores(self, occurrences: Any, lengths: Any) -> Any:
        raise NotImplementedError

    def ties_beyond(self, occurrences: int, length: int, score: float) -> bool:
        """Whether a row of the stream longer than `length` can score `score` too."""
        raise NotImplementedError


@dataclass(frozen=True)
class _Bm25(_Scorer):
    """FTS5's bm25() of one term, in its own double operations (fts5_aux.c)."""

    idf: float
    average_length: float
    matches: int

    @classmethod
    def at(cls, rows: int, tokens: int, matches: int) -> "_Bm25":
        """bm25 of a term in `matches` of `rows` rows holding `tokens` tokens in all."""
        idf = math.log((rows - matches + 0.5) / (matches + 0.5))
        return cls(idf if idf > 0.0 else 1e-6, float(tokens) / float(rows), matches)

    @classmethod
    def of(cls, conn: Connection, searched: Searched, fts_expression: str | None) -> "_Bm25 | None":
        rows, tokens = _totals_sqlite(conn, searched)
        if not rows:
            return None
        matches = int(
            conn.scalar(
                text(f"SELECT count(*) FROM {searched.fts} WHERE {searched.fts} MATCH :q"),
                {"q": fts_expression},
            )
            or 0
        )
        return cls.at(rows, tokens, matches)

    def scores(self, occurrences: Any, lengths: Any) -> Any:
        frequency = occurrences.astype(np.float64)
        length = lengths.astype(np.float64)
        share = (1 - B) + B * length / self.average_length
        return self.idf * ((frequency * (K1 + 1.0)) / (frequency + K1 * share))

    def ties_beyond(self, occurrences: int, length: int, score: float) -> bool:
        longer = float(self.scores(np.array([occurrences]), np.array([length + 1]))[0])
        return longer == score


@dataclass(frozen=True)
class _TsRankCd(_Scorer):
    """ts_rank_cd() of one lexeme: one value per number of positions (each of its covers is one
    position of weight D), computed by PostgreSQL on a vector holding the lexeme that often."""

    by_occurrences: dict[int, float]
    matches: None = None

    @classmethod
    def of(cls, conn: Connection, term: str, q: str, occurrences: Iterable[int]) -> "_TsRankCd":
        counts = sorted(set(occurrences))
        lexeme = "'" + term.replace("\\", "\\\\").replace("'", "''") + "'"
        vectors = [lexeme + ":" + ",".join(str(p) for p in range(1, n + 1)) for n in counts]
        scored = conn.execute(
            text(
                "SELECT v.n, ts_rank_cd(CAST(v.doc AS tsvector), "
                "websearch_to_tsquery('english', :q))::float8 "
                "FROM unnest(CAST(:counts AS integer[]), CAST(:docs AS text[])) AS v(n, doc)"
            ),
            {"q": q, "counts": counts, "docs": vectors},
        ).all()
        return cls({int(n): float(score) for n, score in scored})

    def scores(self, occurrences: Any, lengths: Any) -> Any:
        return np.array([self.by_occurrences[int(n)] for n in occurrences], dtype=np.float64)

    def ties_beyond(self, occurrences: int, length: int, score: float) -> bool:
        return False  # the whole stream scores the same and is in id order


# What is kept for a search whose ranking postings cannot start (see app.kit.search).
UNUSABLE = Prefix(RankedMatches.of([]), False, None)

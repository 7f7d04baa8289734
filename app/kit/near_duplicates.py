"""Syndicated near-duplicates: MinHash signatures of word shingles, candidates from LSH.

The same wire story under another outlet's header, byline or footer, or with small edits,
keeps most of its 5-word shingles; two articles written separately about the same event
share almost none. A source whose estimated Jaccard similarity to an earlier source reaches
THRESHOLD is a duplicate of that source's first copy (the lowest id: ingested first).
"""

from __future__ import annotations

import hashlib
import math
import re
import sqlite3
import zlib
from collections.abc import Iterable, Iterator
from functools import lru_cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH  # type: ignore[import-untyped]

NUM_PERM = 64
SHINGLE_WORDS = 5
# Chosen with `python -m bench.duplicates` (README, "Syndicated duplicates"): at 0.5, copies
# with 5% of their words edited were missed (recall 0.82); at 0.3 none of 288 pairs of
# distinct articles on the same dispute is marked, the closest scoring far below.
THRESHOLD = 0.3
_WORDS = re.compile(r"\w+")
# LeanMinHash.serialize of NUM_PERM 32-bit values (affine32): 13 header bytes, padded to 16.
_SIGNATURE_BYTES = 16 + 4 * NUM_PERM
_DIGEST_BYTES = 16
# Rows written to the scratch database per statement, and read back per fetch.
_WRITE_ROWS = 2048
_READ_ROWS = 2048


@lru_cache(maxsize=1)
def _template() -> MinHash:
    # Building the permutations costs more than hashing an article: build them once. crc32 is
    # a stable hash (Python's hash() is salted per process; signatures are stored).
    return MinHash(num_perm=NUM_PERM, seed=1, hashfunc=zlib.crc32)


def signature(text: str) -> bytes:
    """The MinHash of the text's word 5-grams (case-insensitive), serialised."""
    words = _WORDS.findall(text.lower())
    n = SHINGLE_WORDS
    shingles = [" ".join(words[i : i + n]).encode() for i in range(max(1, len(words) - n + 1))]
    template = _template()
    minhash = MinHash(
        num_perm=NUM_PERM,
        seed=1,
        hashfunc=zlib.crc32,
        permutations=template.permutations,
        scheme=template.scheme,
    )
    minhash.update_batch(shingles)
    lean = LeanMinHash(minhash)
    buffer = bytearray(lean.bytesize())
    lean.serialize(buffer)
    return bytes(buffer)


def values_of(blob: bytes) -> np.ndarray:
    """A stored signature's hash values (what `LeanMinHash.jaccard` compares)."""
    if len(blob) == _SIGNATURE_BYTES:
        # The serialised form ends with the NUM_PERM 32-bit values: read them in place.
        return np.frombuffer(blob, dtype=np.uint32, offset=len(blob) - 4 * NUM_PERM)
    # Another layout (datasketch's legacy one): its values are below 2**32 too.
    values: np.ndarray = LeanMinHash.deserialize(blob).hashvalues.astype(np.uint32)
    return values


def assign(signatures: Iterable[tuple[int, bytes]]) -> dict[int, int | None]:
    """For each id, in ascending order, the id of the first copy it duplicates, or None."""
    with SignatureFile() as store:
        for row_id, blob in sorted(signatures):
            store.add(row_id, blob)
        return {
            row_id: first
            for changed in store.changed_marks(slice_rows=_READ_ROWS, every=True)
            for row_id, first in changed
        }


class SignatureFile:
    """The signatures of a corpus, added in ascending id order with the mark each source has
    now, and the marks that change (`changed_marks`): the first copy each source duplicates.

    Everything per source lives in a private temporary SQLite database (an empty file name:
    SQLite unlinks its file at once, so it is gone with the process even after a SIGKILL),
    behind SQLite's own bounded page cache: the values, a digest of them, the mark as
    stored, each band's key, the first copies found. The process holds one source's
    candidates and a slice of writes or results at a time: its memory does not grow with
    the corpus (the pass over 100,000 sources used to hold ~90 bytes a source in arrays).
    """

    def __init__(self) -> None:
        self._db = sqlite3.connect("", isolation_level=None)
        for pragma in _PRAGMAS:
            self._db.execute(pragma)
        self._db.executescript(_SCHEMA)
        self._pending: list[tuple[int, bytes, bytes, int | None]] = []
        self._last_id: int | None = None
        self._count = 0
        self._resolved = False

    def __enter__(self) -> SignatureFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def __len__(self) -> int:
        return self._count

    def add(self, row_id: int, blob: bytes, mark: int | None = None) -> None:
        """A source's stored signature and its stored mark; ids must ascend."""
        assert self._last_id is None or self._last_id < row_id, "signatures are added in id order"
        assert not self._resolved, "signatures are added before the marks are read"
        values = values_of(blob).tobytes()
        digest = hashlib.blake2b(values, digest_size=_DIGEST_BYTES).digest()
        self._pending.append((row_id, values, digest, mark))
        self._last_id = row_id
        self._count += 1
        if len(self._pending) >= _WRITE_ROWS:
            self._flush()

    def changed_marks(
        self, *, slice_rows: int, every: bool = False
    ) -> Iterator[list[tuple[int, int | None]]]:
        """(id, first copy or None) of the sources whose first copy differs from the mark
        they were added with (of every source with `every`), in id order, `slice_rows` at a
        time.

        The first copies are datasketch's LSH answer (its banding for THRESHOLD and
        NUM_PERM): indexing the sources one by one and taking, for each, the earliest
        candidate whose estimated Jaccard similarity reaches THRESHOLD, then that
        candidate's own first copy.
        """
        self._resolve()
        changed = "" if every else "WHERE new_mark IS NOT old_mark"
        rows = self._db.execute(
            "SELECT id, new_mark FROM ("
            " SELECT s.id AS id, s.mark AS old_mark,"
            "  CASE WHEN f.first IS NOT NULL THEN f.first"
            "   WHEN s.rep != s.id THEN s.rep END AS new_mark"
            " FROM signature AS s LEFT JOIN first_copy AS f ON f.id = s.rep"
            f") {changed} ORDER BY id"
        )
        while batch := rows.fetchmany(slice_rows):
            yield [(int(i), None if f is None else int(f)) for i, f in batch]

    # -- internals ---------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._pending:
            self._db.executemany(
                "INSERT INTO signature (id, vals, digest, mark) VALUES (?, ?, ?, ?)",
                self._pending,
            )
            self._pending = []

    def _resolve(self) -> None:
        if self._resolved:
            return
        self._flush()
        self._resolved = True
        db = self._db
        db.execute("BEGIN")
        db.execute("CREATE INDEX signature_by_digest ON signature (digest, id)")
        # Identical signatures: only the first of each (in id order) is compared; the others
        # follow it. A digest is not the signature: the values are compared too.
        db.execute(
            "UPDATE signature SET rep = (SELECT min(o.id) FROM signature AS o"
            " WHERE o.digest = signature.digest AND o.vals = signature.vals)"
        )
        bands = _band_ranges()
        for band, (start, end) in enumerate(bands):
            db.execute(
                "INSERT INTO band (band, key, id) SELECT ?, substr(vals, ?, ?), id"
                " FROM signature WHERE rep = id",
                (band, 4 * start + 1, 4 * (end - start)),
            )
        db.execute("CREATE INDEX band_by_key ON band (band, key, id)")
        needed = math.ceil(THRESHOLD * NUM_PERM - 1e-9)
        # The representatives in id order, their first copies written as they are found:
        # each one's match is an earlier representative, whose own first copy (or none) is
        # therefore already known.
        representatives = db.execute("SELECT id, vals FROM signature WHERE rep = id ORDER BY id")
        while batch := representatives.fetchmany(_READ_ROWS):
            for row_id, vals in batch:
                wanted = np.frombuffer(vals, dtype=np.uint32)
                best = row_id  # no match found yet
                for band, (start, end) in enumerate(bands):
                    # The band's bucket in id order, below the best match so far: the
                    # earliest match over every band is the earliest in any band.
                    # Walked lazily: a large bucket is read only as far as its first match.
                    for (candidate,) in db.execute(
                        "SELECT id FROM band WHERE band = ? AND key = ? AND id < ? ORDER BY id",
                        (band, vals[4 * start : 4 * end], best),
                    ):
                        if np.count_nonzero(self._values(candidate) == wanted) >= needed:
                            best = candidate
                            break
                if best < row_id:
                    root = db.execute(
                        "SELECT first FROM first_copy WHERE id = ?", (best,)
                    ).fetchone()
                    # Written at once: a later representative may match this one.
                    db.execute(
                        "INSERT INTO first_copy (id, first) VALUES (?, ?)",
                        (row_id, best if root is None else root[0]),
                    )
        db.execute("COMMIT")

    def _values(self, row_id: int) -> np.ndarray:
        (vals,) = self._db.execute("SELECT vals FROM signature WHERE id = ?", (row_id,)).fetchone()
        return np.frombuffer(vals, dtype=np.uint32)


_SCHEMA = """
CREATE TABLE signature (
    id INTEGER PRIMARY KEY, vals BLOB NOT NULL, digest BLOB NOT NULL, mark INTEGER, rep INTEGER
);
CREATE TABLE band (band INTEGER NOT NULL, key BLOB NOT NULL, id INTEGER NOT NULL);
CREATE TABLE first_copy (id INTEGER PRIMARY KEY, first INTEGER NOT NULL);
"""
# A scratch database: nothing to recover after a crash, and a small page cache (KiB).
_PRAGMAS = (
    "PRAGMA journal_mode = OFF",
    "PRAGMA synchronous = OFF",
    "PRAGMA cache_size = -2048",
    "PRAGMA temp_store = FILE",
)


@lru_cache(maxsize=1)
def _band_ranges() -> list[tuple[int, int]]:
    # datasketch's own choice of bands for THRESHOLD and NUM_PERM (21 bands of 3 values).
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return list(lsh.hashranges)

"""Syndicated near-duplicates: MinHash signatures of word shingles, candidates from LSH.

The same wire story under another outlet's header, byline or footer, or with small edits,
keeps most of its 5-word shingles; two articles written separately about the same event
share almost none. A source whose estimated Jaccard similarity to an earlier source reaches
THRESHOLD is a duplicate of that source's first copy (the lowest id: ingested first).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import tempfile
import zlib
from array import array
from collections.abc import Iterable
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
# The hash values of one signature, as the pass over the corpus keeps them on disk.
_ROW_BYTES = 4 * NUM_PERM
_DIGEST_BYTES = 16
# Written to the temporary file once this much is pending; read back this many rows a block.
_WRITE_BYTES = 1 << 20
_READ_ROWS = 4096


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
        first = store.first_copies()
        return {
            int(i): (int(f) if f >= 0 else None) for i, f in zip(store.ids(), first, strict=True)
        }


class SignatureFile:
    """The signatures of a corpus, added in ascending id order, and the first copy each
    source duplicates (`first_copies`).

    The hash values are held in an anonymous temporary file (unlinked at once, so gone with
    the process even after a SIGKILL), not in memory: the pass over 100,000 sources would
    otherwise hold 25 MB of values (256 bytes a source) and several sorted copies of them.
    What stays in memory is 24 bytes a source (its id and a digest of its values), and
    while one LSH band is grouped, that band's keys (12 bytes a source) and a few arrays of
    positions: memory grows by tens of bytes a source, not by its signature.
    """

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile(prefix="incidentdb-signatures-")
        self._ids = array("q")
        # blake2b of each row's values: identical signatures are found by sorting these.
        self._digests = bytearray()
        self._pending = bytearray()

    def __enter__(self) -> SignatureFile:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        self._file.close()

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, row_id: int, blob: bytes) -> None:
        """A source's stored signature; ids must ascend."""
        assert not self._ids or self._ids[-1] < row_id, "signatures are added in id order"
        values = values_of(blob).tobytes()
        self._ids.append(row_id)
        self._digests += hashlib.blake2b(values, digest_size=_DIGEST_BYTES).digest()
        self._pending += values
        if len(self._pending) >= _WRITE_BYTES:
            self._flush()

    def ids(self) -> np.ndarray:
        return np.frombuffer(self._ids, dtype=np.int64) if self._ids else _no_ids()

    def first_copies(self) -> np.ndarray:
        """For each source added (in id order), the id of the first copy it duplicates,
        or -1.

        The same answer as indexing the sources one by one in an LSH (datasketch's banding
        for THRESHOLD and NUM_PERM) and taking, for each, the earliest candidate whose
        estimated Jaccard similarity reaches THRESHOLD, then that candidate's own first copy.
        """
        self._flush()
        count = len(self._ids)
        first_copy = np.full(count, -1, dtype=np.int64)
        if count == 0:
            return first_copy
        rep_row_of = self._identical_groups()
        # Identical signatures: only the first of each is compared; the others follow it (an
        # earlier match of one is a match of the other, and the first is itself a match).
        representatives = np.flatnonzero(rep_row_of == np.arange(count))  # rows, in id order
        earliest = self._earliest_matches(representatives)
        # As positions among the representatives: resolve chains in order (a match's match).
        root = np.full(len(representatives), -1, dtype=np.int64)
        for position in np.flatnonzero(earliest >= 0).tolist():
            match = int(earliest[position])
            root[position] = root[match] if root[match] >= 0 else match
        # Back to rows: a representative's first copy, or (for an identical later copy) its
        # representative's first copy, or the representative itself.
        position_of_row = np.empty(count, dtype=np.int64)
        position_of_row[representatives] = np.arange(len(representatives))
        rep_root = root[position_of_row[rep_row_of]]
        is_rep = rep_row_of == np.arange(count)
        first_row = np.where(
            rep_root >= 0,
            representatives[np.maximum(rep_root, 0)],
            np.where(is_rep, -1, rep_row_of),
        )
        has_first = first_row >= 0
        first_copy[has_first] = self.ids()[first_row[has_first]]
        return first_copy

    # -- internals ---------------------------------------------------------------------------

    def _flush(self) -> None:
        if self._pending:
            self._file.seek(0, os.SEEK_END)
            self._file.write(self._pending)
            self._file.flush()
            self._pending = bytearray()

    def _row(self, row: int) -> np.ndarray:
        data = os.pread(self._file.fileno(), _ROW_BYTES, row * _ROW_BYTES)
        return np.frombuffer(data, dtype=np.uint32)

    def _columns(self, start: int, end: int, rows: np.ndarray) -> np.ndarray:
        """Columns start:end of `rows` (ascending), read through the file a block at a time."""
        out = np.empty((len(rows), end - start), dtype=np.uint32)
        count = len(self._ids)
        filled = 0
        for first in range(0, count, _READ_ROWS):
            last = min(first + _READ_ROWS, count)
            wanted = rows[filled : filled + np.searchsorted(rows[filled:], last)]
            if len(wanted) == 0:
                continue
            data = os.pread(self._file.fileno(), (last - first) * _ROW_BYTES, first * _ROW_BYTES)
            block = np.frombuffer(data, dtype=np.uint32).reshape(last - first, NUM_PERM)
            out[filled : filled + len(wanted)] = block[wanted - first, start:end]
            filled += len(wanted)
        return out

    def _identical_groups(self) -> np.ndarray:
        """For each row, the first row (in id order) with the same signature (itself if none)."""
        count = len(self._ids)
        digests = np.frombuffer(self._digests, dtype=np.uint64).reshape(count, 2)
        order = np.lexsort((digests[:, 1], digests[:, 0]))  # stable: id order within a group
        ordered = digests[order]
        starts = np.ones(count, dtype=bool)
        starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        del ordered
        group_start = np.maximum.accumulate(np.where(starts, np.arange(count), 0))
        rep_row_of = np.empty(count, dtype=np.int64)
        rep_row_of[order] = order[group_start]
        # A digest is not the signature: a later row is folded into its group's first only if
        # their values are equal (a row left out is compared on its own: the same answer).
        for row in np.flatnonzero(rep_row_of != np.arange(count)).tolist():
            if not np.array_equal(self._row(row), self._row(int(rep_row_of[row]))):
                rep_row_of[row] = row
        return rep_row_of

    def _earliest_matches(self, representatives: np.ndarray) -> np.ndarray:
        """For each representative (distinct signatures, in id order), the position of the
        earliest earlier one sharing an LSH band with it whose estimated Jaccard similarity
        reaches THRESHOLD, or -1.

        One band at a time: its keys are grouped by sorting, and each row whose bucket holds
        an earlier row than its best match so far compares the bucket's earlier rows in
        order. The earliest match over every band is the earliest match in any band.
        """
        count = len(representatives)
        positions = np.arange(count, dtype=np.int64)
        best = positions.copy()  # best[p] == p: no match found yet
        needed = math.ceil(THRESHOLD * NUM_PERM - 1e-9)
        for start, end in _band_ranges():
            keys = self._columns(start, end, representatives)
            # Positions by band key; lexsort is stable, so each bucket lists its members in
            # position (id) order.
            order = np.lexsort(keys.T[::-1])
            keys = keys[order]
            starts = np.ones(count, dtype=bool)
            starts[1:] = (keys[1:] != keys[:-1]).any(axis=1)
            del keys
            bucket_start = np.maximum.accumulate(np.where(starts, positions, 0))
            del starts
            # For each position: where its bucket begins in `order`, and its first member.
            start_of = np.empty(count, dtype=np.int64)
            start_of[order] = bucket_start
            del bucket_start
            first_member = order[start_of]
            for position in np.flatnonzero(first_member < best).tolist():
                wanted = self._row(int(representatives[position]))
                at = int(start_of[position])
                limit = int(best[position])
                # Members ascend, and the row itself is among them: the walk ends at `limit`.
                while (candidate := int(order[at])) < limit:
                    values = self._row(int(representatives[candidate]))
                    if np.count_nonzero(values == wanted) >= needed:
                        best[position] = candidate
                        break
                    at += 1
        return np.where(best < positions, best, -1)


@lru_cache(maxsize=1)
def _band_ranges() -> list[tuple[int, int]]:
    # datasketch's own choice of bands for THRESHOLD and NUM_PERM (21 bands of 3 values).
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return list(lsh.hashranges)


def _no_ids() -> np.ndarray:
    return np.empty(0, dtype=np.int64)

"""Syndicated near-duplicates: MinHash signatures of word shingles, candidates from LSH.

The same wire story under another outlet's header, byline or footer, or with small edits,
keeps most of its 5-word shingles; two articles written separately about the same event
share almost none. A source whose estimated Jaccard similarity to an earlier source reaches
THRESHOLD is a duplicate of that source's first copy (the lowest id: ingested first).
"""

from __future__ import annotations

import math
import re
import zlib
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
    pairs = sorted(signatures)
    ids = np.array([row_id for row_id, _ in pairs], dtype=np.int64)
    values = np.stack([values_of(blob) for _, blob in pairs]) if pairs else _no_values()
    first = first_copies(ids, values)
    return {int(i): (int(f) if f >= 0 else None) for i, f in zip(ids, first, strict=True)}


def first_copies(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """For ids in ascending order and their signatures' hash values (one row each), the id
    of the first copy each duplicates, or -1.

    The same answer as indexing the sources one by one in an LSH (datasketch's banding for
    THRESHOLD and NUM_PERM) and taking, for each, the earliest candidate whose estimated
    Jaccard similarity reaches THRESHOLD, but held as two numpy arrays rather than an index
    of Python objects: a few hundred bytes a source, so 100,000 sources fit in ~30 MB.
    """
    count = len(ids)
    first_copy = np.full(count, -1, dtype=np.int64)
    if count == 0:
        return first_copy
    # Identical signatures: only the first of each is compared; the others follow it (an
    # earlier match of one is a match of the other, and the first is itself a match).
    _, first_of, inverse = np.unique(values, axis=0, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    representatives = np.sort(first_of)  # row numbers, in id order
    distinct = np.ascontiguousarray(values[representatives])
    earliest = _earliest_matches(distinct)
    # As positions among the representatives: resolve chains in order (a match's match).
    root = np.full(len(distinct), -1, dtype=np.int64)
    for position in np.flatnonzero(earliest >= 0).tolist():
        match = int(earliest[position])
        root[position] = root[match] if root[match] >= 0 else match
    # Back to rows: a representative's first copy, or (for an identical later copy) its
    # representative's first copy, or the representative itself.
    position_of_row = np.empty(count, dtype=np.int64)
    position_of_row[representatives] = np.arange(len(representatives))
    rep_row_of = first_of[inverse]  # each row's representative row
    rep_position = position_of_row[rep_row_of]
    rep_root = root[rep_position]
    rows = np.arange(count)
    is_rep = rep_row_of == rows
    first_row = np.where(
        rep_root >= 0,
        representatives[np.maximum(rep_root, 0)],
        np.where(is_rep, -1, rep_row_of),
    )
    has_first = first_row >= 0
    first_copy[has_first] = ids[first_row[has_first]]
    return first_copy


def _earliest_matches(distinct: np.ndarray) -> np.ndarray:
    """For each row (distinct signatures, in id order), the earliest earlier row sharing an
    LSH band with it whose estimated Jaccard similarity reaches THRESHOLD, or -1."""
    count = len(distinct)
    earliest = np.full(count, -1, dtype=np.int64)
    bands = []
    for start, end in _band_ranges():
        _, labels = np.unique(distinct[:, start:end], axis=0, return_inverse=True)
        labels = labels.reshape(-1)
        # Members of each band bucket, contiguous and in row order.
        members = np.argsort(labels, kind="stable")
        sorted_labels = labels[members]
        bucket_start = np.searchsorted(sorted_labels, labels, side="left")
        bucket_end = np.searchsorted(sorted_labels, labels, side="right")
        bands.append((members, bucket_start, bucket_end, members[bucket_start]))
    # Only rows whose bucket, in some band, holds an earlier row have candidates at all.
    has_earlier = np.zeros(count, dtype=bool)
    for _, _, _, first_member in bands:
        has_earlier |= first_member < np.arange(count)
    needed = math.ceil(THRESHOLD * NUM_PERM - 1e-9)
    for row in np.flatnonzero(has_earlier).tolist():
        wanted = distinct[row]
        best = row  # candidates are earlier rows, and earlier than the best found
        for members, bucket_start, bucket_end, first_member in bands:
            if int(first_member[row]) >= best:
                continue
            position, end = int(bucket_start[row]), int(bucket_end[row])
            step = 8
            while True:
                candidates = members[position : min(position + step, end)]
                candidates = candidates[candidates < best]
                if len(candidates) == 0:
                    break
                equal = np.count_nonzero(distinct[candidates] == wanted, axis=1)
                matched = np.flatnonzero(equal >= needed)
                if len(matched):
                    best = int(candidates[matched[0]])
                    break
                position += step
                step *= 4
        if best < row:
            earliest[row] = best
    return earliest


@lru_cache(maxsize=1)
def _band_ranges() -> list[tuple[int, int]]:
    # datasketch's own choice of bands for THRESHOLD and NUM_PERM (21 bands of 3 values).
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    return list(lsh.hashranges)


def _no_values() -> np.ndarray:
    return np.empty((0, NUM_PERM), dtype=np.uint32)

"""Syndicated near-duplicates: MinHash signatures of word shingles, candidates from LSH.

The same wire story under another outlet's header, byline or footer, or with small edits,
keeps most of its 5-word shingles; two articles written separately about the same event
share almost none. A source whose estimated Jaccard similarity to an earlier source reaches
THRESHOLD is a duplicate of that source's first copy (the lowest id: ingested first).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable
from functools import lru_cache

from datasketch import LeanMinHash, MinHash, MinHashLSH  # type: ignore[import-untyped]

NUM_PERM = 64
SHINGLE_WORDS = 5
# Chosen with `python -m bench.duplicates` (README, "Syndicated duplicates"): at 0.5, copies
# with 5% of their words edited were missed (recall 0.82); at 0.3 none of 288 pairs of
# distinct articles on the same dispute is marked, the closest scoring far below.
THRESHOLD = 0.3
_WORDS = re.compile(r"\w+")


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


def assign(signatures: Iterable[tuple[int, bytes]]) -> dict[int, int | None]:
    """For each id, in ascending order, the id of the first copy it duplicates, or None."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    hashes: dict[int, LeanMinHash] = {}
    first_copy: dict[int, int | None] = {}
    for row_id, blob in sorted(signatures):
        minhash = LeanMinHash.deserialize(blob)
        # Candidates in id order: the first that reaches the threshold is the earliest match.
        # (Checking them all made ten thousand copies of one wire story quadratic.)
        earliest = next(
            (
                other
                for other in sorted(lsh.query(minhash))
                if minhash.jaccard(hashes[other]) >= THRESHOLD
            ),
            None,
        )
        first_copy[row_id] = None if earliest is None else first_copy[earliest] or earliest
        if earliest is not None and minhash == hashes[earliest]:
            # The same signature as an earlier source: every later query would find that one
            # first, with the same estimate, so indexing this one too changes no answer.
            continue
        hashes[row_id] = minhash
        lsh.insert(row_id, minhash)
    return first_copy

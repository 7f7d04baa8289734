"""Syndicated near-duplicates: marked at ingest (CLI), shown and hidden through HTTP."""

import math
import random
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from datasketch import LeanMinHash, MinHashLSH  # type: ignore[import-untyped]

from app.kit import near_duplicates
from app.main import create_app
from app.settings import Settings
from app.sources import writes as sources_writes
from tests.api.syndication import ORIGINAL, ingest, seeds_with_a_copy, syndicated
from tests.conftest import SEEDS, Probe
from tests.inprocess import AppClient


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return seeds_with_a_copy(tmp_path)


@pytest.fixture
def api(database_url: str) -> Iterator[AppClient]:
    with AppClient(create_app(Settings(database_url=database_url))) as client:
        yield client


def get(api: AppClient, path: str, **params: Any) -> Any:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_syndicated_copy_points_at_its_first_copy(corpus: Path, api: AppClient) -> None:
    ingest(corpus)
    original = get(api, f"/sources/{ORIGINAL}")
    copy = get(api, "/sources/zz-copy")
    assert copy["duplicate_of"] == original["id"]
    assert original["duplicate_of"] is None
    assert get(api, "/sources/zz-other")["duplicate_of"] is None
    listed = {s["slug"]: s["duplicate_of"] for s in get(api, "/sources", limit=50)["items"]}
    assert listed["zz-copy"] == original["id"]
    assert sum(1 for d in listed.values() if d is not None) == 1


def test_statements_of_duplicates_are_hidden_unless_asked_for(corpus: Path, api: AppClient) -> None:
    ingest(corpus)
    copy = get(api, "/sources/zz-copy")
    hidden = {s["id"] for s in copy["statements"]}
    assert hidden, "the copy repeats the original's quotes"
    default = get(api, "/statements", limit=500, facet="source")
    everything = get(api, "/statements", limit=500, facet="source", include_duplicates="true")
    assert not hidden & {s["id"] for s in default["items"]}
    assert hidden <= {s["id"] for s in everything["items"]}
    assert everything["total"] == default["total"] + len(hidden)
    facet_sources = {v["value"] for v in default["facets"]["source"]["values"]}
    assert str(copy["id"]) not in facet_sources and "zz-copy" not in facet_sources
    # Asking for the copy by name shows its statements.
    named = get(api, "/statements", source="zz-copy", limit=500)
    assert {s["id"] for s in named["items"]} == hidden


def test_marks_follow_edits_and_deletions(corpus: Path, api: AppClient, db: Probe) -> None:
    ingest(corpus)
    before = db.fingerprint()
    ingest(corpus)
    assert db.fingerprint() == before
    # Rewritten beyond recognition, the copy is an original.
    (corpus / "articles" / "zz-copy.txt").write_text(
        "A different story altogether: Azerbaijan and Georgia signed a rail agreement in Tbilisi "
        "on Tuesday, officials from both sides said after the ceremony.\n",
        encoding="utf-8",
    )
    ingest(corpus)
    assert get(api, "/sources/zz-copy")["duplicate_of"] is None
    # Two copies of the other article point at its first copy, not at each other; when that
    # first copy is pruned, the earlier surviving copy is the original of the later one.
    other = corpus / "articles" / "zz-other.txt"
    for name in ("zz-other-copy-a", "zz-other-copy-b"):
        (corpus / "articles" / f"{name}.txt").write_text(
            syndicated(other.read_text(encoding="utf-8")), encoding="utf-8"
        )
    ingest(corpus)
    first = get(api, "/sources/zz-other")["id"]
    a, b = get(api, "/sources/zz-other-copy-a"), get(api, "/sources/zz-other-copy-b")
    assert (a["duplicate_of"], b["duplicate_of"]) == (first, first)
    other.unlink()
    ingest("--prune", "--yes", corpus)
    assert get(api, "/sources/zz-other-copy-a")["duplicate_of"] is None
    assert get(api, "/sources/zz-other-copy-b")["duplicate_of"] == a["id"]


def test_marks_changed_in_slices_are_all_written_and_in_the_feed(
    corpus: Path, api: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # One mark a statement: every slice must be written and reported to the change feed.
    monkeypatch.setattr(sources_writes, "_MARK_SLICE", 1)
    ingest(corpus)  # the originals first: the copies' names sort before them
    other = corpus / "articles" / "zz-other.txt"
    for name in ("zz-other-copy-a", "zz-other-copy-b"):
        (corpus / "articles" / f"{name}.txt").write_text(
            syndicated(other.read_text(encoding="utf-8")), encoding="utf-8"
        )
    ingest(corpus)
    first = get(api, "/sources/zz-other")["id"]
    a, b = get(api, "/sources/zz-other-copy-a"), get(api, "/sources/zz-other-copy-b")
    assert (a["duplicate_of"], b["duplicate_of"]) == (first, first)
    assert get(api, "/sources/zz-copy")["duplicate_of"] == get(api, f"/sources/{ORIGINAL}")["id"]
    version = get(api, "/versions")["items"][0]["number"]
    other.unlink()
    ingest("--prune", "--yes", corpus)
    assert get(api, "/sources/zz-other-copy-a")["duplicate_of"] is None
    assert get(api, "/sources/zz-other-copy-b")["duplicate_of"] == a["id"]
    changes, cursor = [], None
    while True:  # every page of the feed
        page = get(api, "/changes", since=version, **({"cursor": cursor} if cursor else {}))
        changes += page["items"]
        if (cursor := page["next_cursor"]) is None:
            break
    updated = {c["slug"] for c in changes if c["kind"] == "source" and c["op"] == "updated"}
    assert {"zz-other-copy-a", "zz-other-copy-b"} <= updated


def _reference_first_copies(blobs: list[bytes]) -> list[int | None]:
    """datasketch's own LSH, one source at a time in id order: the earliest indexed candidate
    whose estimated Jaccard similarity reaches the threshold, and that candidate's first copy."""
    lsh = MinHashLSH(threshold=near_duplicates.THRESHOLD, num_perm=near_duplicates.NUM_PERM)
    hashes = [LeanMinHash.deserialize(blob) for blob in blobs]
    first: list[int | None] = []
    for row, minhash in enumerate(hashes):
        matches = sorted(
            c
            for c in lsh.query(minhash)
            if minhash.jaccard(hashes[c]) >= near_duplicates.THRESHOLD - 1e-9
        )
        if matches:
            match = matches[0]
            first.append(first[match] if first[match] is not None else match)
        else:
            first.append(None)
        lsh.insert(row, minhash)
    return first


def _copies_edits_and_chains() -> list[str]:
    """Seed articles, copies of them with more and more words replaced (so that some match
    only an intermediate copy: chains), identical copies, and unrelated short texts."""
    rng = random.Random(13)
    texts = [p.read_text(encoding="utf-8") for p in sorted((SEEDS / "articles").glob("*.txt"))]
    docs: list[str] = []
    for text in texts:
        words = text.split()
        docs.append(text)
        for rate in (0.02, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6):
            edited = [w if rng.random() > rate else f"w{rng.randrange(10**6)}" for w in words]
            docs.append(" ".join(edited))
            docs.append(docs[-1])  # the same copy again: identical signatures
        docs.append("\n".join(words[: len(words) // 2]))  # half of it
    docs += [f"note {i} " + " ".join(f"x{rng.randrange(50)}" for _ in range(8)) for i in range(60)]
    rng.shuffle(docs)
    return docs


@pytest.mark.parametrize("digests_collide", [False, True])
def test_marks_equal_datasketch_lsh(digests_collide: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    docs = _copies_edits_and_chains()
    blobs = [near_duplicates.signature(text) for text in docs]
    expected = _reference_first_copies(blobs)
    assert sum(e is not None for e in expected) > len(docs) // 3  # copies found
    if digests_collide:
        # Every signature with the same digest: identical ones must still be told from the
        # rest by their values.
        class Constant:
            def __init__(self, *_: object, digest_size: int) -> None:
                self.size = digest_size

            def digest(self) -> bytes:
                return bytes(self.size)

        monkeypatch.setattr(near_duplicates.hashlib, "blake2b", Constant)
    # Ids with gaps, as a database has them after deletions.
    ids = [10 + 3 * row for row in range(len(blobs))]
    got = near_duplicates.assign(zip(ids, blobs, strict=True))
    assert list(got) == ids
    assert list(got.values()) == [None if e is None else ids[e] for e in expected]


def _serialised(values: list[int]) -> bytes:
    lean = LeanMinHash(seed=1, hashvalues=values, scheme="affine32")
    buffer = bytearray(lean.bytesize())
    lean.serialize(buffer)
    return bytes(buffer)


def test_each_band_alone_finds_a_copy_at_the_threshold() -> None:
    """Pairs of signatures that share one LSH band only, with just enough equal values to
    reach the threshold (a copy), or one fewer (not a copy): every band is looked at, and
    the threshold is where datasketch puts it."""
    rng = random.Random(8)
    bands = MinHashLSH(
        threshold=near_duplicates.THRESHOLD, num_perm=near_duplicates.NUM_PERM
    ).hashranges
    needed = math.ceil(near_duplicates.THRESHOLD * near_duplicates.NUM_PERM - 1e-9)
    blobs: list[bytes] = []
    for start, end in bands:
        for equal in (needed, needed - 1):
            first = [rng.randrange(1, 2**32) for _ in range(near_duplicates.NUM_PERM)]
            second = [rng.randrange(1, 2**32) for _ in range(near_duplicates.NUM_PERM)]
            shared = list(range(start, end))
            # Further equal values, never a whole other band: two of each at most.
            others = [p for s, e in bands if (s, e) != (start, end) for p in range(s, e)[:2]]
            shared += rng.sample(others, equal - len(shared))
            for position in shared:
                second[position] = first[position]
            blobs += [_serialised(first), _serialised(second)]
    expected = _reference_first_copies(blobs)
    pairs = len(bands) * 2
    assert [expected[2 * i + 1] is not None for i in range(pairs)] == [True, False] * len(bands)
    got = near_duplicates.assign(enumerate(blobs, start=1))
    assert list(got.values()) == [None if e is None else e + 1 for e in expected]


@pytest.mark.parametrize(
    "params",
    [
        [],
        [("speaker", "Iran")],
        [("speaker", "Iran"), ("include_duplicates", "true")],
        [("date_from", "2022-01-01"), ("include_duplicates", "true")],
        [("date_from", "2022-01-01"), ("date_to", "2024-12-31")],
    ],
)
def test_statement_year_and_month_facets_count_the_listed_statements(
    corpus: Path, api: AppClient, params: list[tuple[str, str]]
) -> None:
    """Grouped in place (the filters over the statement table alone, a duplicate's own
    statements left out unless asked for): each count is the listed statements'."""
    ingest(corpus)
    asked = [*params, ("limit", "500"), ("facet", "year"), ("facet", "month")]
    response = api.get("/statements", params=asked)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None and body["items"]
    for name, width in (("year", 4), ("month", 7)):
        said = [item["said_on"] for item in body["items"]]
        tally = Counter(day[:width] if day else None for day in said)
        facet = body["facets"][name]
        assert not facet["truncated"]
        assert {v["value"]: v["count"] for v in facet["values"]} == dict(tally), (name, params)

"""Syndicated near-duplicates: marked at ingest (CLI), shown and hidden through HTTP."""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.conftest import SEEDS, Probe

ORIGINAL = "004_ff1c3840c6ee87fa"


def syndicated(text: str) -> str:
    """The same wire story as another outlet runs it: its header, byline, footer, small edits."""
    edited = text.replace("on Monday", "on Monday afternoon").replace(
        "official spokesman", "official spokesperson"
    )
    return (
        "WORLD | Syndicated from the wires\nBy a staff correspondent\n\n"
        + edited
        + "\n\nThis story was republished under licence. All rights reserved.\n"
    )


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    original = (folder / "articles" / f"{ORIGINAL}.txt").read_text(encoding="utf-8")
    (folder / "articles" / "zz-copy.txt").write_text(syndicated(original), encoding="utf-8")
    # The same event in other words: not a duplicate.
    (folder / "articles" / "zz-other.txt").write_text(
        "Tehran blames Israel for strained ties with Baku\n\n"
        "Iran's foreign ministry on Monday accused Israel of trying to drive a wedge between "
        "Tehran and Baku. The ministry's spokesman, Nasser Kanani, told reporters that Iran "
        'still wanted normal relations with its neighbour. "We have no problem with the people '
        'of Azerbaijan," Kanani said, adding that the two governments should keep talking.\n',
        encoding="utf-8",
    )
    return folder


@pytest.fixture
def api(database_url: str) -> Iterator[TestClient]:
    with TestClient(create_app(Settings(database_url=database_url))) as client:
        yield client


def ingest(*args: str | Path) -> None:
    assert cli.main(["ingest", *(str(a) for a in args)]) == 0


def get(api: TestClient, path: str, **params: Any) -> Any:
    response = api.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_a_syndicated_copy_points_at_its_first_copy(corpus: Path, api: TestClient) -> None:
    ingest(corpus)
    original = get(api, f"/sources/{ORIGINAL}")
    copy = get(api, "/sources/zz-copy")
    assert copy["duplicate_of"] == original["id"]
    assert original["duplicate_of"] is None
    assert get(api, "/sources/zz-other")["duplicate_of"] is None
    listed = {s["slug"]: s["duplicate_of"] for s in get(api, "/sources", limit=50)["items"]}
    assert listed["zz-copy"] == original["id"]
    assert sum(1 for d in listed.values() if d is not None) == 1


def test_statements_of_duplicates_are_hidden_unless_asked_for(
    corpus: Path, api: TestClient
) -> None:
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


def test_marks_follow_edits_and_deletions(corpus: Path, api: TestClient, db: Probe) -> None:
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

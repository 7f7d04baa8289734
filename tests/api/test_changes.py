"""Data versions and the change feed, as a mirroring app reads them: ingest through the CLI,
read through HTTP, on SQLite and PostgreSQL."""

import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app import cli
from app.changes.recording import IdRuns
from app.main import create_app
from app.settings import Settings
from tests.conftest import Probe
from tests.inprocess import AppClient

CORPUS = Path(__file__).parent.parent / "cli" / "prune_corpus"


@pytest.fixture
def api(database_url: str) -> Iterator[AppClient]:
    with AppClient(create_app(Settings(database_url=database_url))) as client:
        yield client


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    shutil.copytree(CORPUS, folder)
    return folder


def ingest(*args: str | Path) -> None:
    assert cli.main(["ingest", *(str(a) for a in args)]) == 0


def walk(api: AppClient, path: str, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        response = api.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


def test_every_changing_ingest_is_a_version_and_the_etag_follows_it(
    corpus: Path, api: AppClient, db: Probe
) -> None:
    assert api.get("/versions").json()["items"] == []
    ingest(corpus)
    versions = api.get("/versions").json()
    assert versions["total"] == 1
    [first] = versions["items"]
    assert first["number"] == db.scalar("SELECT data_version FROM dataset_meta")
    assert first["counts"]["source"] == {"created": 5, "updated": 0, "deleted": 0}
    assert first["counts"]["incident"] == {"created": 4, "updated": 0, "deleted": 0}
    assert first["counts"]["statement"]["created"] == 5
    etag = api.get("/incidents").headers["etag"]
    ingest(corpus)  # no change: no version
    assert api.get("/versions").json()["total"] == 1
    assert api.get("/incidents").headers["etag"] == etag
    article = corpus / "articles" / "a3.txt"
    article.write_text(article.read_text(encoding="utf-8") + "More talks are planned.\n")
    ingest(corpus)
    newest = api.get("/versions").json()["items"][0]
    assert newest["number"] == first["number"] + 1
    assert newest["counts"]["source"] == {"created": 0, "updated": 1, "deleted": 0}
    assert api.get("/incidents").headers["etag"] != etag


def test_changes_since_a_version_are_oldest_first_with_tombstones(
    corpus: Path, api: AppClient
) -> None:
    ingest(corpus)
    base = api.get("/versions").json()["items"][0]["number"]
    a2 = api.get("/sources/a2").json()
    a3_id = api.get("/sources/a3").json()["id"]
    article = corpus / "articles" / "a3.txt"
    article.write_text(article.read_text(encoding="utf-8") + "More talks are planned.\n")
    ingest(corpus)
    (corpus / "articles" / "a2.txt").unlink()
    ingest("--prune", corpus)
    changes = walk(api, "/changes", since=base)
    assert [c["version"] for c in changes] == sorted(c["version"] for c in changes)
    seen = {(c["kind"], c["id"], c["slug"], c["op"], c["version"]) for c in changes}
    assert ("source", a3_id, "a3", "updated", base + 1) in seen
    assert ("source", a2["id"], "a2", "deleted", base + 2) in seen
    # The rows that went with a2 are tombstones too: its statement and its only speaker.
    [quote] = a2["statements"]
    assert ("statement", quote["id"], None, "deleted", base + 2) in seen
    speaker = quote["speaker"]
    assert ("actor", speaker["id"], speaker["slug"], "deleted", base + 2) in seen
    assert api.get(f"/actors/{speaker['slug']}").status_code == 404
    # Nothing else moved: a re-extraction that changes nothing visible is not a change.
    assert {(c["kind"], c["slug"]) for c in changes if c["kind"] == "source"} == {
        ("source", "a3"),
        ("source", "a2"),
    }
    assert walk(api, "/changes", since=base + 2) == []


def test_the_change_feed_walks_exactly_in_small_pages(corpus: Path, api: AppClient) -> None:
    ingest(corpus)
    everything = api.get("/changes", params={"limit": 500}).json()
    assert everything["next_cursor"] is None
    paged = walk(api, "/changes", limit=3)
    assert paged == everything["items"]
    assert len(paged) == everything["total"] > 20
    assert len({(c["kind"], c["id"]) for c in paged}) == len(paged)


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"since": "-1"}, "since"),
        ({"since": "abc"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"cursor": "bogus"}, "cursor"),
        ({"sincee": "1"}, "sincee"),
    ],  # fmt: skip
)
def test_bad_feed_parameters_are_a_422_naming_them(
    api: AppClient, params: dict[str, str], parameter: str
) -> None:
    response = api.get("/changes", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert parameter in response.text


def test_a_version_beyond_any_integer_is_a_422_not_a_database_error(api: AppClient) -> None:
    response = api.get("/changes", params={"since": str(2**31)})
    assert response.status_code == 422
    assert "since" in response.text


def test_created_ids_kept_as_runs_answer_as_the_ids_would() -> None:

    rng = random.Random(3)
    ids: list[int] = []
    row_id = 0
    for _ in range(300):  # runs of consecutive ids with gaps between them
        row_id += rng.choice([1, 1, 1, 2, 50])
        ids.append(row_id)
    runs = IdRuns()
    for i in ids:
        runs.append(i)
    assert len(runs) == len(ids)
    assert runs.last == ids[-1]
    assert [i for i in range(ids[-1] + 3) if i in runs] == ids
    for size in (1, 7, 10_000):
        chunks = list(runs.chunks(size))
        assert [i for chunk in chunks for i in chunk] == ids
        assert all(len(chunk) == size for chunk in chunks[:-1])

"""A list's ETag on PostgreSQL names the data version its read transaction saw, known after the
route (app/api/caching.py `versioned_after`): the version is not read before on the event loop
(the watch's round trip), and the ETag is the one the ordinary path gives."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.db.versions import PostgresVersionWatch
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import retitle_and_ingest
from tests.inprocess import AppClient

LISTS = ["/incidents?limit=2", "/statements?limit=2", "/actors?limit=2", "/sources?limit=2"]
DETAIL = "/incidents/spokesman-accuses-azerbaijan"


@pytest.fixture
def watched(
    mini_url: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[AppClient, list[int]]]:
    """The mini dataset's client, and the versions the PostgreSQL watch read."""
    read_by_watch: list[int] = []
    read = PostgresVersionWatch.read

    async def counted(self: PostgresVersionWatch) -> int | None:
        version = await read(self)
        read_by_watch.append(version or 0)
        return version

    monkeypatch.setattr(PostgresVersionWatch, "read", counted)
    settings = Settings(database_url=mini_url, kept_responses=0)
    with AppClient(create_app(settings)) as client:
        yield client, read_by_watch


def _version(etag: str) -> int:
    return int(etag.removeprefix('W/"').partition("-")[0])


@pytest.mark.parametrize("path", LISTS)
def test_a_lists_etag_is_the_ordinary_one_read_after_its_route(
    watched: tuple[AppClient, list[int]], backend: str, path: str
) -> None:
    http, read_by_watch = watched
    first = http.get(path)
    assert first.status_code == 200
    etag = first.headers["etag"]
    # PostgreSQL: the version came from the route's read, not from the watch before it.
    assert read_by_watch == []
    # The ordinary path (a request naming an ETag reads the version first) gives the same.
    not_modified = http.get(path, headers={"If-None-Match": etag})
    assert not_modified.status_code == 304
    assert not_modified.headers["etag"] == etag
    assert not_modified.headers["cache-control"] == first.headers["cache-control"]
    if backend == "postgresql":
        assert read_by_watch == [_version(etag)]
    again = http.get(path, headers={"If-None-Match": 'W/"1-0000"'})
    assert again.status_code == 200
    assert again.content == first.content and again.headers == first.headers
    head = http.head(path)
    assert head.status_code == 200 and head.headers["etag"] == etag


def test_a_lists_etag_follows_an_ingest(
    watched: tuple[AppClient, list[int]], mini_seeds: Path
) -> None:
    http, _ = watched
    before = http.get(LISTS[0])
    retitle_and_ingest(mini_seeds)
    after = http.get(LISTS[0])
    assert _version(after.headers["etag"]) > _version(before.headers["etag"])
    assert http.get(LISTS[0], headers={"If-None-Match": after.headers["etag"]}).status_code == 304
    assert http.get(LISTS[0], headers={"If-None-Match": before.headers["etag"]}).status_code == 200


def test_a_detail_and_an_error_are_as_before(
    watched: tuple[AppClient, list[int]], backend: str
) -> None:
    http, read_by_watch = watched
    detail = http.get(DETAIL)
    assert detail.status_code == 200 and detail.headers["etag"]
    # A detail can be kept: its version is read first, as before.
    assert len(read_by_watch) == (1 if backend == "postgresql" else 0)
    refused: Any = http.get("/incidents?limit=0")
    assert refused.status_code == 422 and "etag" not in refused.headers
    assert "cache-control" not in refused.headers

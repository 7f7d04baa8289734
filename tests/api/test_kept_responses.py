"""Details kept by ETag: sent again without a query, until an ingest changes the data version."""

from pathlib import Path
from typing import Any

import pytest

from app.main import create_app
from app.settings import Settings
from tests.api.conftest import retitle_and_ingest
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient

DETAILS = ["/incidents/spokesman-accuses-azerbaijan", "/actors/nasser-kanani"]


def _same_response(a: Any, b: Any) -> bool:
    return bool(
        a.status_code == b.status_code and a.content == b.content and a.headers == b.headers
    )


@pytest.mark.parametrize("path", DETAILS)
def test_a_detail_is_sent_again_without_a_query(mini: AppClient, path: str) -> None:
    with counted_statements(mini) as first_run:
        first = mini.get(path)
    assert first.status_code == 200 and first_run, "the first request reads the database"
    with counted_statements(mini) as again_run:
        again = mini.get(path)
        head = mini.head(path)
    assert again_run == []
    assert _same_response(again, first)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == first.headers["etag"]


def test_a_kept_detail_follows_the_next_ingest(mini: AppClient, mini_seeds: Path) -> None:
    path = DETAILS[0]
    before = mini.get(path)
    assert (
        mini.get(path).json()["title"] == before.json()["title"] == "Spokesman accuses azerbaijan"
    )
    retitle_and_ingest(mini_seeds)
    with counted_statements(mini) as after_run:
        after = mini.get(path)
    assert after_run, "a new data version is read from the database"
    assert after.json()["title"] == "The spokesman accuses Baku"
    assert after.headers["etag"] != before.headers["etag"]
    assert _same_response(mini.get(path), after)


def test_a_kept_detail_links_to_the_host_it_was_asked_through(mini: AppClient) -> None:
    path = DETAILS[0]
    here = mini.get(path)
    there = mini.get(path, headers={"host": "mirror.example.org"})
    assert here.json()["html_url"].startswith("http://testserver/")
    assert there.json()["html_url"].startswith("http://mirror.example.org/")
    assert _same_response(mini.get(path), here)


def test_lists_and_missing_items_are_never_kept(mini: AppClient) -> None:
    for path in ("/incidents?actor=Iran", "/incidents/no-such-incident"):
        first = mini.get(path)
        with counted_statements(mini) as again_run:
            again = mini.get(path)
        assert again_run, f"{path} was answered without reading the database"
        assert again.status_code == first.status_code


def test_no_kept_responses_when_the_setting_is_zero(mini_url: str) -> None:
    settings = Settings(database_url=mini_url, kept_responses=0)
    with AppClient(create_app(settings)) as http:
        first = http.get(DETAILS[0])
        with counted_statements(http) as again_run:
            again = http.get(DETAILS[0])
    assert again_run and _same_response(again, first)


def test_the_least_recently_asked_detail_goes_first(mini_url: str) -> None:
    settings = Settings(database_url=mini_url, kept_responses=1)
    with AppClient(create_app(settings)) as http:
        first, second = DETAILS
        http.get(first)
        with counted_statements(http) as kept_run:
            http.get(first)
        http.get(second)  # keeps the second in the first's place
        with counted_statements(http) as dropped_run:
            again = http.get(first)
    assert kept_run == [] and dropped_run, "one response kept: the first was dropped"
    assert again.status_code == 200

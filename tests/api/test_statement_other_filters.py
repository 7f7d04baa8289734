"""A statement search under speakers or a date window on SQLite: its other filters listed and
told apart by id from the statement columns (`statements.columns.other_filters`), syndicated
copies left out unless asked for. Every page and exact total is the one those filters give
listed in SQL, whether the search's matches are tested against them or they are listed."""

import re
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.kit import search
from app.main import create_app
from app.settings import Settings
from app.statements import columns as statement_columns
from tests.api.syndication import ingest, seeds_with_a_copy
from tests.inprocess import AppClient

WINDOWS = ([], [("date_from", "2022-10-01")], [("date_to", "2023-06-30")])


@pytest.fixture
def api(database_url: str, tmp_path: Path, backend: str) -> Iterator[AppClient]:
    if backend != "sqlite":
        pytest.skip("SQLite only: PostgreSQL counts a search's other filters in SQL")
    ingest(seeds_with_a_copy(tmp_path))
    # Totals past these are counted by listing the filters (what the columns list here).
    settings = Settings(
        database_url=database_url, exact_count_threshold=1, sqlite_exact_count_threshold=1
    )
    with AppClient(create_app(settings)) as client:
        client.get("/statements?q=talks&limit=1")  # starts the columns' read
        for thread in threading.enumerate():
            if thread.name == "statement-columns":
                thread.join(10)
        yield client


def _every(api: AppClient, params: list[tuple[str, str]]) -> tuple[int, list[int]]:
    response = api.get("/statements", params=[*params, ("limit", "500"), ("count", "exact")])
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None and body["total_accuracy"] == "exact"
    return body["total"], [item["id"] for item in body["items"]]


def _asked(api: AppClient) -> list[list[tuple[str, str]]]:
    """Searches for the statements' frequent words and the copy's, under their two most
    frequent speakers (each, both) and the windows, copies in and out."""
    items = api.get("/statements", params={"include_duplicates": "true", "limit": 500}).json()
    items = items["items"]
    copied = {s["id"] for s in api.get("/sources/zz-copy").json()["statements"]}
    assert copied, "the copy has statements"
    words = Counter(w for s in items for w in set(re.findall(r"[a-z]{5,}", s["text"].lower())))
    in_copy = [w for s in items if s["id"] in copied for w in re.findall(r"[a-z]{5,}", s["text"])]
    speakers = Counter(s["speaker"]["slug"] for s in items if s["speaker"])
    first, second = (slug for slug, _ in speakers.most_common(2))
    asked = []
    for word in {*(w for w, _ in words.most_common(4)), *in_copy[:3]}:
        for named in ([first], [first, second], []):
            for window in WINDOWS:
                if not (named or window):
                    continue  # no other filter: the search counts its own matches
                for copies in ("false", "true"):
                    speaker = [("speaker", slug) for slug in named]
                    asked.append([("q", word), *speaker, *window, ("include_duplicates", copies)])
    return asked


def test_a_searchs_other_filters_from_the_columns_equal_those_listed_in_sql(
    api: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _asked(api)
    with monkeypatch.context() as patched:
        patched.setattr(statement_columns, "other_filters", lambda *args: None)
        in_sql = [_every(api, params) for params in asked]
    assert any(total for total, _ in in_sql), "searches that find statements"

    used: Counter[str] = Counter()
    meeting = statement_columns._MeetingFilters
    listed, tested = meeting.listed, meeting.tested

    def counted(name: str, method: Any) -> Any:
        def call(self: Any, *args: Any) -> Any:
            used[name] += 1
            return method(self, *args)

        return call

    monkeypatch.setattr(meeting, "listed", counted("listed", listed))
    monkeypatch.setattr(meeting, "tested", counted("tested", tested))
    for params, expected in zip(asked, in_sql, strict=True):
        assert _every(api, params) == expected, params
    assert used["tested"] > 0, "matches tested against the columns"
    # The search's matches never few enough to test: the filters listed from the columns.
    monkeypatch.setattr(search, "_few_matches", lambda *args: None)
    for params, expected in zip(asked, in_sql, strict=True):
        assert _every(api, params) == expected, params
    assert used["listed"] > 0, "the filters listed from the columns"

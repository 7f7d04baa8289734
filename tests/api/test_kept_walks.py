"""A relevance page under other filters is found by walking its ranking and testing each
batch of places against the filters (`search._walk`). Tested in SQL, the walk is kept with the
ranking it walked: a ranking holds for one data version, and so do the filters' rows. Every
statement search has a filter (copies left out), so its first page tested its first batch in
SQL on every request (0.28 ms of a 1.5 ms `/statements?q=corridor` on SQLite at 1M).

Checked here: a page asked again tests nothing, its pages are those of a walk made afresh
each time, and an ingest (a new ranking) walks again.
"""

from pathlib import Path
from typing import Any

import pytest

from app.kit import search
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import first_two_pages
from tests.api.syndication import ingest, seeds_with_a_copy
from tests.inprocess import AppClient

# Filtered relevance searches of every list, and a word no row holds.
QUERIES = [
    "/statements?q=corridor&limit=5",
    "/statements?q=talks&limit=5",
    "/statements?q=pipeline&speaker=Iran&limit=5",
    "/statements?q=talks&date_from=2005-01-01&limit=5",
    "/statements?q=border&include_duplicates=true&limit=5",
    "/incidents?q=talks&actor=Iran&limit=5",
    "/incidents?q=pipeline&type=arrest&limit=5",
    "/incidents?q=border&country=IRN&date_from=2010-01-01&limit=5",
    "/sources?q=talks&date_from=2010-01-01&limit=5",
    "/statements?q=zzzyxq&limit=5",
]


def _settings(url: str) -> Settings:
    # Totals estimated early, so that the other filters are walked rather than listed.
    return Settings(database_url=url, exact_count_threshold=10, sqlite_exact_count_threshold=10)


@pytest.fixture
def walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The sizes of the batches a walk tested against the other filters in SQL (a rare word's
    few matches are tested so too, outside any walk: not counted)."""
    batches: list[int] = []
    meeting, walked_places = search._meeting_filters, search._walked_places
    walking = [False]

    def counted(session: Any, ids_only: Any, id_column: Any, batch: list[int], *rest: Any) -> Any:
        if walking[0]:
            batches.append(len(batch))
        return meeting(session, ids_only, id_column, batch, *rest)

    def walk(*args: Any) -> Any:
        walking[0] = True
        try:
            return walked_places(*args)
        finally:
            walking[0] = False

    monkeypatch.setattr(search, "_meeting_filters", counted)
    monkeypatch.setattr(search, "_walked_places", walk)
    return batches


def test_a_page_asked_again_tests_no_batch(generated_with_postings: str, walks: list[int]) -> None:
    with AppClient(create_app(_settings(generated_with_postings))) as client:
        first = first_two_pages(client, QUERIES)
        tested_first = len(walks)
        again = first_two_pages(client, QUERIES)
    # SQLite tells most filters apart in memory (the columns): a statement list's copies not.
    assert tested_first >= 2, "the searches walked their rankings in SQL"
    assert len(walks) == tested_first, "asked again, no batch was tested"
    assert again == first
    assert sum(second is not None for _, second in first) >= 5


def test_kept_walks_give_the_pages_walked_afresh(
    generated_with_postings: str, walks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    with AppClient(create_app(_settings(generated_with_postings))) as client:
        kept = [first_two_pages(client, QUERIES) for _ in range(2)]
    # Every walk made again, each time.
    monkeypatch.setattr(search, "_walk", search._walked_places)
    with AppClient(create_app(_settings(generated_with_postings))) as client:
        afresh = first_two_pages(client, QUERIES)
    assert kept[0] == afresh and kept[1] == afresh


def test_an_ingest_walks_again(
    seeded_url: str, tmp_path: Path, walks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A syndicated copy's quotes join the word's ranking at new places and are left out: the
    walk kept before the ingest would give the old ranking's places."""
    path = "/statements?q=Azerbaijan&limit=3"
    # PostgreSQL would rank so few statements among the filters' rows alone, with no walk.
    monkeypatch.setattr(search, "_CANDIDATES", 0)
    with AppClient(create_app(_settings(seeded_url))) as client:
        before = client.get(path).json()
        tested_before = len(walks)
        ingest(seeds_with_a_copy(tmp_path))
        after = client.get(path).json()
        tested_after = len(walks)
        after_cursor = client.get(path, params={"cursor": after["next_cursor"]}).json()
    assert tested_before, "the search walked its ranking in SQL"
    assert tested_after > tested_before, "after the ingest, walked again"
    monkeypatch.setattr(search, "_walk", search._walked_places)
    with AppClient(create_app(_settings(seeded_url))) as fresh:
        assert after == fresh.get(path).json()
        cursor_page = fresh.get(path, params={"cursor": after["next_cursor"]}).json()
        assert after_cursor == cursor_page
    assert after["items"] and before["items"]

"""Sources of actors counted off lists (SQLite): each actor set's mentions listed and
intersected in memory, or a rare set's sources listed and the others' mentions sought among
them, the date window then listed, its outside taken away, or tested on each source by id;
or the window's sources probed. Whichever way, the same total as SQL's own count and a
cursor walk through the list."""

from collections.abc import Iterator
from typing import Any

import pytest

from app.db.versions import KeptIds, KeptPerDataVersion
from app.kit import counting, pagination
from app.sources import repository as sources_repository
from app.sources import service as sources_service
from tests.api.statements_seen import counted_statements
from tests.api.walks import exact_walk
from tests.inprocess import AppClient

Params = list[tuple[str, str]]


def _dates(client: AppClient) -> list[str]:
    items = client.get("/sources", params={"limit": "100"}).json()["items"]
    return sorted(item["published_on"] for item in items if item["published_on"])


def _windows(client: AppClient) -> list[Params]:
    dates = _dates(client)
    assert len(set(dates)) >= 3
    middle = dates[len(dates) // 2]
    return [
        [],
        [("date_from", dates[1])],  # all but the earliest: its outside is the fewer
        [("date_to", dates[-2])],
        [("date_from", middle), ("date_to", middle)],  # one day: its inside is the fewer
        [("date_from", dates[0]), ("date_to", dates[-1])],
        [("date_from", "2999-01-01")],
    ]


_ACTORS: list[Params] = [
    [("actor", "Iran")],
    [("actor", "Israel"), ("actor", "Iran")],
    [("actor", "Iran"), ("actor", "Azerbaijan")],
    [("actor", "Azerbaijan"), ("actor", "Israel"), ("actor", "Iran")],
    # Each named in sources the other is not: a rare set's sources hold some of the other's.
    [("actor", "Russia"), ("actor", "Armenia")],
    [("actor", "Armenia"), ("actor", "Russia"), ("actor", "Israel")],
    [("actor", "France"), ("actor", "Turkey")],  # never together
]

# (the constants of app/sources/repository.py and service.py) -> how the count is taken
_WAYS: dict[str, dict[str, int]] = {
    "every set listed, window listed": {
        "_FEW_MENTIONS": 0,
        "_WINDOW_SOURCES_PER_READ": 10**9,
    },
    "every set listed, window read by id": {"_FEW_MENTIONS": 0, "_WINDOW_SOURCES_PER_READ": 0},
    # Every set's sources kept by the first page, read back by the next ones.
    "every set listed and kept": {"_FEW_MENTIONS": 0, "_KEPT_FROM_MENTIONS": 0},
    # Both sides of the window past the first cap: every source's date kept, read once.
    "every set listed, window's dates in memory": {
        "_FEW_MENTIONS": 0,
        "_FIRST_CAP": 1,
        "_DAYS_FROM_CAP": 1,
        "_WINDOW_SOURCES_PER_READ": 10**9,
    },
    "rare set probed for the others": {
        "_FEW_MENTIONS": 10**9,
        "_MENTIONS_PER_PROBED_SOURCE": 0,
        "_WINDOW_SOURCES_PER_READ": 10**9,
    },
}


@pytest.fixture
def listings(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Any]]:
    """Every `listed_mentioning` answer the requests asked for."""
    answers: list[Any] = []
    listed = sources_repository.SourceRepository.listed_mentioning

    def spied(self: Any, *args: Any) -> list[int]:
        answer = listed(self, *args)
        answers.append(answer)
        return answer

    monkeypatch.setattr(sources_repository.SourceRepository, "listed_mentioning", spied)
    yield answers


def test_sources_of_actors_total_the_same_whichever_way_they_are_listed(
    client: AppClient, listings: list[Any], backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    repository = sources_repository.SourceRepository
    read_days = repository.published_days
    days_read: list[str] = []

    def reading_days(self: Any) -> Any:
        days_read.append("read")
        return read_days(self)

    monkeypatch.setattr(repository, "published_days", reading_days)
    for actors in _ACTORS:
        for window in _windows(client):
            params = [*actors, *window]
            with pytest.MonkeyPatch.context() as patch:
                # SQL's own count: each window's sources probed, then none (the INTERSECT).
                patch.setattr(repository, "_sqlite", lambda _: False)
                # Statements kept per database were built for SQLite's shape: not those.
                patch.setattr(sources_repository, "_KEPT_STATEMENTS", KeptPerDataVersion(100))
                patch.setattr(sources_service, "_SMALL_WINDOW", 10**9)
                probed = exact_walk(client, "/sources", params)
                patch.setattr(sources_service, "_SMALL_WINDOW", 0)
                expected = exact_walk(client, "/sources", params)
            assert probed == expected, params
            assert expected[0] == len(expected[1]) == len(set(expected[1]))
            for way, constants in _WAYS.items():
                with pytest.MonkeyPatch.context() as patch:
                    patch.setattr(sources_service, "_SMALL_WINDOW", 0)
                    patch.setattr(counting, "_counts", {})  # no total kept from another way
                    patch.setattr(sources_repository, "_MENTIONED", KeptIds(10**6))
                    # No dates kept from another way (once kept, every window reads them).
                    patch.setattr(sources_repository, "_PUBLISHED", KeptIds(10**6))
                    for name, value in constants.items():
                        patch.setattr(sources_repository, name, value)
                    listings.clear()
                    assert exact_walk(client, "/sources", params) == expected, (way, params)
                # Listed where SQLite counts (PostgreSQL counts in SQL).
                assert bool(listings) == (backend == "sqlite"), (way, params)
    # The dates read where SQLite lists (the windows whose both sides pass the first cap).
    assert bool(days_read) == (backend == "sqlite")


def test_the_window_is_probed_when_the_actors_are_named_more_often_than_it_holds_sources(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, listings: list[Any], backend: str
) -> None:
    """A window of few sources is probed (SQLite) when listing the actors' mentions would
    read more; else they are listed."""
    params = [("actor", "Iran"), ("actor", "Israel"), ("date_from", _dates(client)[1])]
    expected = exact_walk(client, "/sources", params)
    monkeypatch.setattr(sources_service, "_SMALL_WINDOW", 10**9)
    monkeypatch.setattr(sources_repository, "_MENTIONS_PER_PROBED_SOURCE", 0)
    monkeypatch.setattr(counting, "_counts", {})
    listings.clear()
    assert exact_walk(client, "/sources", params) == expected
    assert not listings  # probed
    monkeypatch.setattr(sources_repository, "_MENTIONS_PER_PROBED_SOURCE", 10**6)
    monkeypatch.setattr(counting, "_counts", {})
    assert exact_walk(client, "/sources", params) == expected
    assert bool(listings) == (backend == "sqlite")  # the few mentions listed


def test_a_later_page_of_a_kept_total_lists_the_ids_as_the_count_did(
    client: AppClient, listings: list[Any], backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the total kept, page 2 (cut from the listed ids) lists them again the same way,
    not by the count's SQL statement (SQLite's INTERSECT)."""
    # Most of the seeds' five sources match, so their pages would be walked: cut them from
    # the listed ids as a larger table's few matches are.
    monkeypatch.setattr(pagination, "_most_rows_match", lambda *_: False)
    params = [("actor", "Iran"), ("actor", "Israel"), ("limit", "1")]
    first = client.get("/sources", params=params).json()
    assert first["next_cursor"] and first["total_accuracy"] == "exact"
    listings.clear()
    with counted_statements(client) as seen:
        second = client.get("/sources", params=[*params, ("cursor", first["next_cursor"])])
    assert second.json()["total"] == first["total"]
    if backend == "sqlite":
        assert len(listings) == 1
        assert not [s for s in seen if "INTERSECT" in s]

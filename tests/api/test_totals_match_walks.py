"""An exact total is counted in a different shape from the page it goes with (an index walk
per actor, the date window walked instead of an actor's incidents): whichever shape counts,
the total is the number of items a cursor walk through the same list finds."""

import pytest
from fastapi.testclient import TestClient

from app.incidents import repository, service

Params = list[tuple[str, str]]


def _walk(client: TestClient, path: str, params: Params) -> tuple[int, list[str]]:
    """(the first page's total, every item's slug over the whole walk)."""
    slugs: list[str] = []
    cursor, total = None, None
    while True:
        page = client.get(
            path, params=[*params, ("limit", "2"), *([("cursor", cursor)] if cursor else [])]
        ).json()
        assert page["total_accuracy"] == "exact", page
        total = page["total"] if total is None else total
        slugs += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return total, slugs


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Israel")],
        [("actor", "Israel"), ("actor", "Iran")],
        [("actor", "Iran"), ("actor", "Azerbaijan")],
        [("actor", "Iran"), ("actor", "Israel"), ("date_from", "2023-01-01")],
        [("actor", "Iran"), ("q", "embassy")],
    ],
)
def test_a_source_total_with_actors_is_the_walks_length(client: TestClient, params: Params) -> None:
    total, slugs = _walk(client, "/sources", params)
    assert total == len(slugs) == len(set(slugs))
    assert total > 0
    if ("actor", "Israel") in params:
        # One of the five seed articles never names Israel: the count applied the condition.
        assert total < client.get("/sources").json()["total"]


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Iran"), ("date_from", "2023-01-01"), ("date_to", "2024-06-30")],
        [("actor", "Iran"), ("actor", "Azerbaijan"), ("date_from", "2022-01-01")],
        [("actor", "Azerbaijan"), ("date_to", "2023-06-30"), ("sort", "date")],
        [("q", "embassy"), ("date_from", "2022-01-01"), ("sort", "-date")],
        [("q", "Iran"), ("date_to", "2024-12-31")],
        [("actor", "Azerbaijan"), ("q", "Iran"), ("date_from", "2022-06-01"), ("sort", "date")],
    ],
)
def test_an_incident_total_in_a_window_is_the_walks_length_whichever_way_it_is_counted(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, params: Params
) -> None:
    # No actor is rare: a page walks the dates and probes each incident's participants.
    for name in ("RARE_PARTICIPATIONS", "FEW_PARTICIPATIONS", "SET_WALK_PARTICIPATIONS"):
        monkeypatch.setattr(repository, name, 0)
    # Every window is walked (and a search tested on its rows), then none is.
    monkeypatch.setattr(service, "_SMALL_WINDOW", 10**9)
    by_window = _walk(client, "/incidents", params)
    monkeypatch.setattr(service, "_SMALL_WINDOW", 0)  # each actor's incidents are walked
    by_actor = _walk(client, "/incidents", params)
    assert by_window == by_actor
    total, slugs = by_window
    assert total == len(slugs) >= 2

"""An actor's incidents are found three ways (through the actor index for a rare actor; by
walking dates against a set of its incident ids, SQLite, for a middling one; by walking dates
and probing each incident's participants for a frequent one); all give the same list, page by
page."""

import pytest
from fastapi.testclient import TestClient

from app.incidents import repository


def _walk(client: TestClient, params: list[tuple[str, str]]) -> list[str]:
    slugs: list[str] = []
    cursor = None
    while True:
        page = client.get(
            "/incidents",
            params=[*params, ("limit", "3"), *([("cursor", cursor)] if cursor else [])],
        ).json()
        slugs += [item["slug"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return slugs


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Iran")],
        [("actor", "nasser-kanani")],
        [("actor", "Iran"), ("actor", "Azerbaijan"), ("sort", "date")],
        [("actor", "Azerbaijan"), ("date_from", "2023-01-01"), ("type", "accusation")],
    ],
)
def test_every_way_of_finding_an_actors_incidents_agrees(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, params: list[tuple[str, str]]
) -> None:
    ways = {
        # every actor is rare: fetched through the actor index and sorted
        "through the index": (10**9, 10**9, 10**9),
        # SQLite: every actor's incident ids in a set, the dates walked against it
        "dates against a set": (0, 0, 10**9),
        # no actor is rare: the dates walked, each incident's participants probed
        "dates probing participants": (0, 0, 0),
    }
    walks = {}
    for way, (rare, few, set_walk) in ways.items():
        monkeypatch.setattr(repository, "RARE_PARTICIPATIONS", rare)
        monkeypatch.setattr(repository, "FEW_PARTICIPATIONS", few)
        monkeypatch.setattr(repository, "SET_WALK_PARTICIPATIONS", set_walk)
        walks[way] = _walk(client, params)
    by_date = walks["dates probing participants"]
    assert walks["through the index"] == by_date
    assert walks["dates against a set"] == by_date
    assert len(by_date) >= 2

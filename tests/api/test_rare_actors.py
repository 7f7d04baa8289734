"""An actor's incidents are found two ways (through the actor index for a rare actor, by
walking dates for a frequent one); both give the same list, page by page."""

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
def test_both_ways_of_finding_an_actors_incidents_agree(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, params: list[tuple[str, str]]
) -> None:
    monkeypatch.setattr(repository, "RARE_PARTICIPATIONS", 10**9)  # every actor is rare
    through_index = _walk(client, params)
    monkeypatch.setattr(repository, "RARE_PARTICIPATIONS", 0)  # no actor is rare
    by_date = _walk(client, params)
    assert through_index == by_date
    assert len(by_date) >= 2

"""Keyset pagination: exact walks, stable under inserts, tamper-evident cursors."""

from pathlib import Path

import pytest

from app import cli
from tests.api.conftest import incident
from tests.inprocess import AppClient


def walk(client: AppClient, path: str, **params: object) -> list[dict[str, object]]:
    items: list[dict[str, object]] = []
    cursor = None
    for _ in range(1000):
        response = client.get(path, params={**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.text
        body = response.json()
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError("the walk did not end")


@pytest.mark.parametrize("sort", ["date", "-date"])
def test_walking_one_item_per_page_visits_every_row_once(mini: AppClient, sort: str) -> None:
    everything = mini.get("/incidents", params={"sort": sort, "limit": 500}).json()["items"]
    walked = walk(mini, "/incidents", sort=sort, limit=1)
    assert [i["id"] for i in walked] == [i["id"] for i in everything]
    assert len(walked) == 8


def test_walk_is_exact_when_rows_are_inserted_meanwhile(mini: AppClient, mini_seeds: Path) -> None:
    before = [i["id"] for i in mini.get("/incidents", params={"limit": 500}).json()["items"]]
    first = mini.get("/incidents", params={"limit": 3}).json()
    with (mini_seeds / "incidents.yaml").open("a", encoding="utf-8") as fh:
        fh.write(incident("late-news", "2030-01-01", [("iran", "participant")]))
        fh.write(incident("also-on-the-tied-day", "2023-03-29", [("iran", "participant")]))
    assert cli.main(["ingest", str(mini_seeds)]) == 0
    rest = walk(mini, "/incidents", limit=2, cursor=first["next_cursor"])
    seen = [i["id"] for i in first["items"]] + [i["id"] for i in rest]
    assert len(seen) == len(set(seen)), "a row was visited twice"
    assert set(before) <= set(seen), "a row that existed all along was skipped"


@pytest.mark.parametrize("path", ["/incidents", "/actors", "/statements", "/sources"])
def test_every_list_walks_exactly(client: AppClient, path: str) -> None:
    total = client.get(path, params={"limit": 1}).json()["total"]
    walked = walk(client, path, limit=2)
    assert len(walked) == total
    assert len({i["id"] for i in walked}) == total


def test_tampered_cursor_is_a_422(mini: AppClient) -> None:
    cursor = mini.get("/incidents", params={"limit": 1}).json()["next_cursor"]
    for bad in (
        cursor[:-2] + ("AA" if not cursor.endswith("AA") else "BB"),
        "garbage",
        "x" * 999,
        "%%%",
    ):
        response = mini.get("/incidents", params={"cursor": bad})
        assert response.status_code == 422, bad
        assert response.json()["invalid_params"][0]["name"] == "cursor"


def test_cursor_from_another_list_or_order_is_a_422(mini: AppClient) -> None:
    actors_cursor = mini.get("/actors", params={"limit": 1}).json()["next_cursor"]
    assert mini.get("/incidents", params={"cursor": actors_cursor}).status_code == 422
    newest_cursor = mini.get("/incidents", params={"limit": 1}).json()["next_cursor"]
    response = mini.get("/incidents", params={"cursor": newest_cursor, "sort": "date"})
    assert response.status_code == 422


@pytest.mark.parametrize("limit", ["0", "501", "-1", "ten"])
def test_limit_outside_1_to_500_is_a_422(mini: AppClient, limit: str) -> None:
    response = mini.get("/incidents", params={"limit": limit})
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "limit"


def test_total_is_exact_and_says_so(mini: AppClient) -> None:
    body = mini.get("/incidents", params={"actor": "Azerbaijan", "limit": 1}).json()
    assert body["total"] == 6 and body["total_accuracy"] == "exact"


def test_a_next_page_asked_with_params_keeps_the_paths_filters(client: AppClient) -> None:
    """The test client adds `params` to a path's own query (tests/inprocess.py): httpx 0.28
    replaces it, and a test asking `get("/incidents?type=...", params={"cursor": ...})` was
    given the next page of every incident, not of the type's."""
    first = client.get("/incidents?actor=Iran&sort=date&limit=2").json()
    assert first["next_cursor"] and first["total"] > 2
    second = client.get(
        "/incidents?actor=Iran&sort=date&limit=2", params={"cursor": first["next_cursor"]}
    )
    assert second.request.url.params.get("actor") == "Iran"
    everything = client.get("/incidents?actor=Iran&sort=date&limit=4").json()["items"]
    assert second.json()["items"] == everything[2:4]

"""An exact total is counted in a different shape from the page it goes with (an index walk
per actor, the date window walked instead of an actor's incidents): whichever shape counts,
the total is the number of items a cursor walk through the same list finds."""

from collections import Counter
from typing import Any

import numpy as np
import pytest

from app.incidents import repository, service
from app.kit import counting, facets, pagination, search
from app.sources import service as sources_service
from tests.api.search_edits import client_with_count_threshold
from tests.api.walks import exact_walk
from tests.inprocess import AppClient

Params = list[tuple[str, str]]


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Israel")],
        [("actor", "Israel"), ("actor", "Iran")],
        [("actor", "Iran"), ("actor", "Azerbaijan")],
        [("actor", "Iran"), ("actor", "Israel"), ("date_from", "2023-01-01")],
        [("actor", "Iran"), ("q", "embassy")],
        [("actor", "Israel"), ("date_to", "2023-04-01")],
        [("actor", "Azerbaijan"), ("actor", "Israel"), ("date_from", "2022-01-01")],
        [("actor", "Iran"), ("date_from", "2022-01-01"), ("date_to", "2023-12-31"), ("q", "Iran")],
    ],
)
def test_a_source_total_with_actors_is_the_walks_length(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, params: Params
) -> None:
    # Counted off each actor's mentions, then (with a window) by probing the window's sources.
    monkeypatch.setattr(sources_service, "_SMALL_WINDOW", 0)
    by_actor = exact_walk(client, "/sources", params)
    monkeypatch.setattr(sources_service, "_SMALL_WINDOW", 10**9)
    assert exact_walk(client, "/sources", params) == by_actor
    total, slugs = by_actor
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
    client: AppClient, monkeypatch: pytest.MonkeyPatch, params: Params
) -> None:
    # No actor is rare: a page walks the dates and probes each incident's participants.
    for name in ("RARE_PARTICIPATIONS", "FEW_PARTICIPATIONS", "SET_WALK_PARTICIPATIONS"):
        monkeypatch.setattr(repository, name, 0)
    # Every window is walked (and a search tested on its rows), then none is.
    monkeypatch.setattr(service, "_SMALL_WINDOW", 10**9)
    by_window = exact_walk(client, "/incidents", params)
    monkeypatch.setattr(service, "_SMALL_WINDOW", 0)  # each actor's incidents are walked
    by_actor = exact_walk(client, "/incidents", params)
    assert by_window == by_actor
    total, slugs = by_window
    assert total == len(slugs) >= 2


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Iran"), ("date_from", "2022-06-01"), ("date_to", "2022-12-31")],
        [("actor", "Iran"), ("actor", "Israel"), ("date_from", "2022-11-15")],
        # One starts on date_to; one starts before date_from and overlaps it.
        [("actor", "Iran"), ("actor", "Israel"), ("date_to", "2023-03-29")],
        [
            ("actor", "Iran"),
            ("actor", "Israel"),
            ("date_from", "2023-03-15"),
            ("type", "accusation"),
        ],
        [("actor", "Israel"), ("date_from", "2023-02-01"), ("date_to", "2023-06-30")],
        # The longest incident (669 days) starts exactly at the earliest start that can
        # overlap, and ends on date_from.
        [("actor", "Iran"), ("date_from", "2024-10-31"), ("date_to", "2025-03-31")],
        # Year-long incidents that started ten months before the day.
        [("actor", "Iran"), ("date_from", "2022-10-21"), ("date_to", "2022-10-21")],
        [("actor", "Azerbaijan"), ("actor", "Iran"), ("date_from", "2022-01-01")],
    ],
)
@pytest.mark.parametrize("sort", ["-date", "date"])
def test_an_actors_incidents_read_within_the_window_are_those_it_overlaps(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, params: Params, sort: str
) -> None:
    """Each actor's incidents are read off its participants' start dates within a narrow
    window (down to the earliest start an incident overlapping date_from can have), and two
    actors' are intersected: the same walk and total as reading every participation, in
    every page shape and count shape."""
    walks = []
    for share in (1.0, 0.0):  # every window narrow enough, then none
        monkeypatch.setattr(repository, "NARROW_WINDOW_SHARE", share)
        for rare in (0, 10**9):  # pages that probe each incident, then fetch each actor's
            for name in ("RARE_PARTICIPATIONS", "FEW_PARTICIPATIONS", "SET_WALK_PARTICIPATIONS"):
                monkeypatch.setattr(repository, name, rare)
            for small_window in (0, 10**9):
                monkeypatch.setattr(service, "_SMALL_WINDOW", small_window)
                walks.append(exact_walk(client, "/incidents", [*params, ("sort", sort)]))
    assert all(walk == walks[0] for walk in walks), walks
    total, slugs = walks[0]
    assert total == len(slugs) >= 2


def _walk_ids(client: AppClient, path: str, params: Params) -> tuple[int, list[dict[str, Any]]]:
    """(the first page's total, every item over the whole walk, one item a page)."""
    items: list[dict[str, Any]] = []
    cursor, total = None, None
    while True:
        page = client.get(
            path, params=[*params, ("limit", "1"), *([("cursor", cursor)] if cursor else [])]
        ).json()
        total = page["total"] if total is None else total
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return total, items


@pytest.mark.parametrize(
    ("path", "date_field", "params"),
    [
        ("/sources", "published_on", []),
        ("/sources", "published_on", [("date_from", "2022-01-01")]),
        ("/sources", "published_on", [("date_to", "2023-04-01"), ("actor", "Iran")]),
        ("/statements", "said_on", []),
        ("/statements", "said_on", [("date_from", "2022-01-01"), ("date_to", "2023-12-31")]),
    ],
)
def test_a_newest_first_walk_keeps_undated_rows_last_unless_a_window_leaves_them_out(
    client: AppClient, path: str, date_field: str, params: Params
) -> None:
    """A window's cursor leaves out the `IS NULL` branch (SQLite then walks its index): the
    walk still finds every row the total counts, and without a window the undated ones last."""
    total, items = _walk_ids(client, path, params)
    ids = [item["id"] for item in items]
    assert total == len(ids) == len(set(ids)) > 0
    dates = [item[date_field] for item in items]
    dated = [d for d in dates if d is not None]
    assert dates[: len(dated)] == dated == sorted(dated, reverse=True)  # type: ignore[type-var]
    if params:
        assert None not in dates
    elif path == "/sources":
        assert None in dates  # two of the five seed articles are undated


def _tally(items: list[dict[str, Any]], facet: str) -> Counter[object]:
    if facet == "type":
        return Counter(item["type"] for item in items)
    if facet == "country":
        return Counter(item["location"]["country"] for item in items)
    if facet == "actor":
        return Counter(p["actor"]["slug"] for item in items for p in item["participants"])
    width = 4 if facet == "year" else 7
    return Counter(item["date_start"][:width] for item in items)


@pytest.mark.parametrize("facet", ["type", "country", "year", "month", "actor"])
@pytest.mark.parametrize(
    "params",
    [
        [("date_from", "2023-01-01")],
        [("date_from", "2023-01-10"), ("date_to", "2023-04-01"), ("type", "consultation")],
        [("actor", "Azerbaijan"), ("date_to", "2023-06-30")],
        [("q", "embassy"), ("date_from", "2022-06-01")],
        [("country", "IRN")],
    ],
)
def test_a_facet_counts_what_the_walk_finds(mini: AppClient, params: Params, facet: str) -> None:
    """Filters on the incident table alone are grouped in place, others by `id IN (...)`:
    either way each value counts the walk's items that have it."""
    body = mini.get("/incidents", params=[*params, ("facet", facet), ("count", "exact")]).json()
    counts = {v["value"]: v["count"] for v in body["facets"][facet]["values"]}
    total, items = _walk_ids(mini, "/incidents", params)
    assert total == len(items) > 0
    assert counts == dict(_tally(items, facet))


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/incidents", [("actor", "Iran"), ("type", "attack")]),
        ("/incidents", [("actor", "Azerbaijan"), ("date_from", "2023-01-01"), ("sort", "date")]),
        ("/incidents", [("country", "IRN"), ("count", "exact")]),
        ("/sources", [("actor", "Iran"), ("actor", "Azerbaijan")]),
        ("/sources", [("actor", "Israel"), ("date_to", "2023-04-01")]),
    ],
)
def test_a_page_cut_from_the_counted_ids_is_the_page_the_walk_finds(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, path: str, params: Params
) -> None:
    """A few exactly counted matches are paged from their ids; the walk finds the same."""
    listed = _walk_ids(client, path, params)
    monkeypatch.setattr(pagination, "_LISTED_PAGE", 0)  # every page walks its filters
    walked = _walk_ids(client, path, params)
    assert listed == walked
    assert listed[0] == len(listed[1]) > 0


def test_an_empty_answer_is_exact_and_has_no_cursor(client: AppClient) -> None:
    for path in ("/incidents", "/sources"):
        body = client.get(path, params={"date_from": "2090-01-01"}).json()
        assert (body["items"], body["next_cursor"]) == ([], None)
        assert (body["total"], body["total_accuracy"]) == (0, "exact")


def test_an_empty_answer_still_refuses_a_cursor_it_did_not_issue(client: AppClient) -> None:
    cursor = client.get("/incidents", params={"limit": 1}).json()["next_cursor"]
    response = client.get("/sources", params={"date_from": "2090-01-01", "cursor": cursor})
    assert response.status_code == 422
    assert response.json()["invalid_params"][0]["name"] == "cursor"


@pytest.mark.parametrize("params", [[], [("date_from", "2022-06-01"), ("actor", "Iran")]])
def test_actors_tied_at_the_facets_cut_are_chosen_by_id(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, params: Params
) -> None:
    """The actor facet keeps the most frequent actors; among those tied at its cut, the lowest
    ids, whatever the plan (by count alone it varied with the query's shape)."""
    _, items = _walk_ids(client, "/incidents", params)
    counts = Counter(
        (p["actor"]["id"], p["actor"]["slug"]) for i in items for p in i["participants"]
    )
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0][0]))
    # A cut that falls inside a tie.
    cut = next(k for k in range(1, len(ranked)) if ranked[k - 1][1] == ranked[k][1])
    monkeypatch.setattr(facets, "MAX_VALUES", cut)
    body = client.get("/incidents", params=[*params, ("facet", "actor")]).json()
    values = [(v["value"], v["count"]) for v in body["facets"]["actor"]["values"]]
    assert sorted(values) == sorted((slug, n) for (_, slug), n in ranked[:cut])


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Iran"), ("type", "accusation")],
        [("actor", "Iran"), ("type", "accusation"), ("date_from", "2023-01-01")],
        [("actor", "Israel"), ("country", "ISR")],
        [("actor", "Iran"), ("actor", "Israel"), ("type", "accusation")],
        [("actor", "Iran"), ("actor", "Azerbaijan"), ("type", "consultation"), ("sort", "date")],
        [("actor", "Iran"), ("country", "IRN"), ("date_to", "2024-12-31")],
    ],
)
@pytest.mark.parametrize("probed", [1, 10**9])
def test_a_large_actor_under_a_type_or_country_counts_what_the_walk_finds(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, params: Params, probed: int
) -> None:
    """Counting under a type or a country, a large actor's incidents are probed one by one
    rather than listed (SQLite, `PROBED_PARTICIPATIONS`; 1: every actor is large): the
    total and the facets are the walk's, whichever way each actor is tested."""
    monkeypatch.setattr(repository, "PROBED_PARTICIPATIONS", probed)
    facets = ["type", "country", "year", "month"]
    body = client.get(
        "/incidents", params=[*params, *(("facet", f) for f in facets), ("count", "exact")]
    ).json()
    total, items = _walk_ids(client, "/incidents", params)
    assert body["total"] == total == len(items) > 0
    for facet in facets:
        counts = {v["value"]: v["count"] for v in body["facets"][facet]["values"]}
        assert counts == dict(_tally(items, facet)), facet


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Iran"), ("q", "embassy"), ("date_from", "2023-01-01")],
        [("actor", "Iran"), ("actor", "Israel"), ("q", "Iran"), ("date_to", "2023-06-30")],
        [("actor", "Israel"), ("q", "Iran"), ("date_to", "2024-06-30")],
        # Year-long incidents that started ten months before the day.
        [("actor", "Iran"), ("q", "Iran"), ("date_from", "2022-10-21"), ("date_to", "2022-10-21")],
    ],
)
def test_a_search_total_under_actors_and_a_window_is_the_walks_length(
    shared_seeded_url: str, monkeypatch: pytest.MonkeyPatch, backend: str, params: Params
) -> None:
    """A search's exact total lists the other filters' ids; under actors and a date window
    alone SQLite lists them off the participant entries (`ids_taking_part`), the incidents
    that start before the window and overlap it included: the total is the walk's length,
    and the same as listed from the incidents."""
    listed: list[str] = []
    listed_ids = search._listed_ids

    def recorded(session: Any, every_id: Any) -> list[int]:
        listed.append(str(every_id))
        return listed_ids(session, every_id)

    monkeypatch.setattr(search, "_listed_ids", recorded)
    # The filters' rows listed even where the word is rare for them (where its matches are
    # tested against them instead: tests/api/test_rare_words.py).
    monkeypatch.setattr(search, "_few_matches", lambda *args: None)
    # A low exact-count threshold: the filters' rows are sampled, then listed (as at 1M).
    with client_with_count_threshold(shared_seeded_url, 2) as client:
        walked = exact_walk(client, "/incidents", [*params, ("count", "exact")])
        total, slugs = walked
        assert total == len(slugs) == len(set(slugs)) > 0
        if backend == "sqlite":
            assert any("incident_participant.date_start" in s for s in listed), listed
        monkeypatch.setattr(repository.IncidentRepository, "ids_taking_part", lambda *a: None)
        assert exact_walk(client, "/incidents", [*params, ("count", "exact")]) == walked


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Iran"), ("q", "embassy")],
        [("actor", "Israel"), ("q", "Iran"), ("sort", "-date")],
        [("actor", "Iran"), ("q", "Iran"), ("date_from", "2022-10-21"), ("sort", "date")],
    ],
)
def test_a_search_total_under_one_actor_counts_each_incident_once(
    shared_seeded_url: str, params: Params
) -> None:
    """On SQLite one actor set's ids are listed as the participant entries give them, an
    incident twice when the actor and one of its own both take part (no DISTINCT:
    `ids_of_actors_only`, `ids_taking_part`); a search's exact total under them still counts
    each incident once: the walk's length, in either order."""
    with client_with_count_threshold(shared_seeded_url, 2) as client:
        total, slugs = exact_walk(client, "/incidents", [*params, ("count", "exact")])
        assert total == len(slugs) == len(set(slugs)) > 0


@pytest.mark.parametrize(
    "params",
    [
        [("actor", "Iran"), ("actor", "Azerbaijan")],
        [("actor", "Iran"), ("actor", "Azerbaijan"), ("date_from", "2023-01-01")],
        [("actor", "Azerbaijan"), ("actor", "Iran"), ("date_to", "2023-03-01")],
        # Year-long incidents of 2022 overlap the window's start.
        [("actor", "Iran"), ("actor", "Azerbaijan"), ("date_from", "2022-11-01")],
        [
            ("actor", "Iran"),
            ("actor", "Azerbaijan"),
            ("date_from", "2022-11-15"),
            ("date_to", "2023-03-30"),
            ("sort", "date"),
        ],
        [("actor", "Iran"), ("actor", "Israel"), ("date_from", "2023-03-15")],
    ],
)
def test_several_actors_listed_off_their_participant_entries_total_the_walk(
    shared_seeded_url: str, monkeypatch: pytest.MonkeyPatch, params: Params
) -> None:
    """Several actors and a date window, nothing else: on both backends their incidents are
    counted (and the page cut from them) by listing each actor set's participant entries in
    the window and intersecting them in memory (`listed_taking_part`), the incidents that
    start before the window and overlap it included: the total is the walk's length, exactly
    counted or estimated small, and the page the same as without the listing."""
    listings: list[int] = []
    listed_taking_part = repository.IncidentRepository.listed_taking_part

    def recorded(self: Any, *args: Any) -> list[int]:
        listed = listed_taking_part(self, *args)
        listings.append(len(listed))
        return listed

    monkeypatch.setattr(repository.IncidentRepository, "listed_taking_part", recorded)
    monkeypatch.setattr(counting, "_counts", {})  # totals kept by an earlier case's filters
    monkeypatch.setattr(service, "_SMALL_WINDOW", 0)  # counted off each actor's incidents
    # Counted in SQL: from the incident columns (app/incidents/columns.py) nothing is listed.
    monkeypatch.setenv("INCIDENTDB_INCIDENT_COLUMNS", "false")
    with client_with_count_threshold(shared_seeded_url, 10**6) as client:
        total, slugs = exact_walk(client, "/incidents", [*params, ("count", "exact")])
        assert total == len(slugs) == len(set(slugs)) > 0
        first = client.get("/incidents", params=[*params, ("limit", "3")]).json()
        assert first["total"] == total and first["total_accuracy"] == "exact"
        assert [item["slug"] for item in first["items"]] == slugs[:3]
        assert listings


@pytest.mark.parametrize("marked_up_to", [10**9, 3])
def test_several_actors_ids_intersected_each_once_ascending(
    monkeypatch: pytest.MonkeyPatch, marked_up_to: int
) -> None:
    """The actor sets' listed ids (an incident twice where an actor and one of its own both
    take part) intersect to the ids every set holds, each once, ascending: marked in an
    array of the ids' range, or sorted when the ids reach past `_MARKED_IDS_LIMIT`."""
    monkeypatch.setattr(repository, "_MARKED_IDS_LIMIT", marked_up_to)
    rng = np.random.default_rng(17)
    for _ in range(200):
        listed = [
            rng.integers(0, int(rng.integers(1, 60)), int(rng.integers(0, 40))).astype(np.int64)
            for _ in range(int(rng.integers(1, 4)))
        ]
        expected = set(listed[0].tolist()).intersection(*(set(x.tolist()) for x in listed[1:]))
        assert repository._common_ids(listed).tolist() == sorted(expected)
    assert repository._common_ids([np.array([5, 2, 5]), np.array([5, 5, 9])]).tolist() == [5]
    assert repository._common_ids([np.array([4]), np.empty(0, dtype=np.int64)]).tolist() == []

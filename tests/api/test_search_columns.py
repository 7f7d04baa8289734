"""Incident searches (q) under other filters, counted and paged from the incident columns
(`app/incidents/columns.py`; on PostgreSQL their other filters walked in date order from
them): their totals, pages, cursors and facets equal those counted, walked and grouped in SQL,
in every order and on every path a search's page takes (a narrow search left to SQL, a broad
one walked in date order, by relevance)."""

import threading
import urllib.parse
from datetime import date
from typing import Any

import numpy as np
import pytest

from app.incidents import columns
from app.kit import search
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import assert_same_pages, first_two_pages
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient

FACETS = ("type", "actor", "country", "year", "month")


def _searches() -> list[str]:
    """Incident lists with a search, drawn from every filter (bench.combos: actors, types,
    countries, windows inside, at and beyond the data's edges, both sorts and relevance);
    half ask every facet, half an exact total."""
    from bench.combos import combinations

    queries = []
    for seed in (5, 6, 7):
        for combination in combinations(seed, 500, date(1995, 1, 1), date(2025, 12, 31)):
            path, _, query = combination.path.partition("?")
            params = urllib.parse.parse_qsl(query)
            if path != "/incidents" or not any(name == "q" for name, _ in params):
                continue
            params = [(name, value) for name, value in params if name not in ("facet", "count")]
            if len(queries) % 2:
                params += [("facet", name) for name in FACETS]
            else:
                params.append(("count", "exact"))
            queries.append(urllib.parse.urlencode([*params, ("limit", "4")]))
    return queries


def _reading_done() -> None:
    for thread in threading.enumerate():
        if thread.name == "incident-columns":
            thread.join(10)


def _answers(
    url: str, queries: list[str], *, from_columns: bool, sampled_above: int
) -> list[tuple[Any, Any]]:
    """Each list's first page and, where there is one, its second."""
    settings = Settings(
        database_url=url,
        incident_columns=from_columns,
        facet_budget_ms=60_000,
        sqlite_exact_count_threshold=sampled_above,
    )
    with AppClient(create_app(settings)) as client:
        _reading_done()
        return first_two_pages(client, [f"/incidents?{query}" for query in queries])


@pytest.mark.parametrize(
    ("path", "sampled_above"),
    [
        # This corpus' words are narrow: their pages are left to SQL (`search.paginate`).
        pytest.param({}, 5_000, id="narrow"),
        # Broad: walked in date order among the other filters' rows, or by relevance; their
        # exact totals counted by the count statement (the table too small to sample).
        pytest.param({"_BROAD_MATCHES": 0}, 5_000, id="broad"),
        # Sampled: the other filters' rows are few enough to list (from the columns) and
        # test against the search's matches; or, none listed, counted by the statement.
        pytest.param({"_BROAD_MATCHES": 0}, 300, id="broad-listed"),
        pytest.param({"_BROAD_MATCHES": 0, "_LISTED_FILTER_ROWS": 0}, 300, id="broad-unlisted"),
        # Ids with gaps (deleted incidents): each match's place found by binary search, not
        # by its distance from the first id (`IncidentColumns._positions`).
        pytest.param({"_BROAD_MATCHES": 0, "_first_of_run": 0}, 300, id="broad-listed-gaps"),
        # A page walked through the columns in date order rather than sorted from few matches.
        pytest.param({"_BROAD_MATCHES": 0, "_FEW_MATCHES": 0}, 300, id="broad-walked"),
        # The walk's budget spent before the page is found: the page is given back to SQL.
        pytest.param(
            {"_BROAD_MATCHES": 0, "_ORDER_WALK_BUDGET": 40, "_SQL_TESTED_WALK_BUDGET": 40},
            300,
            id="broad-budget",
        ),
    ],
)
def test_searches_from_the_columns_equal_those_answered_in_sql(
    generated_incidents: str,
    path: dict[str, int],
    sampled_above: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """SQLite: the searches' matches listed and placed among the columns. PostgreSQL: the
    other filters' rows walked in date order from the columns, each batch tested against
    the search in SQL."""
    for name, value in path.items():
        if name == "_first_of_run":
            monkeypatch.setattr(columns.IncidentColumns, name, property(lambda _: None))
            continue
        monkeypatch.setattr(columns if name == "_FEW_MATCHES" else search, name, value)
    queries = _searches()
    assert len(queries) > 100
    in_sql = _answers(generated_incidents, queries, from_columns=False, sampled_above=sampled_above)
    # Cleared between the two: a ranking or match list kept by one side is not the other's.
    search.RANKINGS.clear()
    search.MATCH_SETS.clear()
    from_columns = _answers(
        generated_incidents, queries, from_columns=True, sampled_above=sampled_above
    )
    assert any(first["facets"] for first, _ in in_sql)
    assert_same_pages(queries, in_sql, from_columns, broad=10)


@pytest.mark.parametrize(
    "columns", [True, pytest.param(False, marks=pytest.mark.xfail(strict=True))]
)
def test_a_searchs_facets_and_page_are_not_grouped_or_searched_in_sql(
    generated_incidents: str, columns: bool
) -> None:
    """With the columns read, a search's facets are counted from them and its page found
    among them in date order: no GROUP BY, and no statement in date order searches (its
    page's rows are read by id). With the columns off, both are done in SQL: the test's
    own check."""
    if not generated_incidents.startswith("sqlite"):
        pytest.skip("a search's matches are listed in memory on SQLite only")
    query = "/incidents?q=talks&actor=Iran&sort=-date&count=exact&facet=type&facet=month"
    settings = Settings(
        database_url=generated_incidents, facet_budget_ms=60_000, incident_columns=columns
    )
    with AppClient(create_app(settings)) as client:
        client.get("/incidents?facet=type")  # the columns are read for this data version
        _reading_done()
        with counted_statements(client) as statements:
            response = client.get(query)
        assert response.status_code == 200
        assert response.json()["total"] > 0
    flat = [" ".join(s.upper().split()) for s in statements]
    grouped = [s for s in flat if "GROUP BY" in s]
    searched_in_order = [s for s in flat if "ORDER BY INCIDENT.DATE_START" in s and "MATCH" in s]
    assert not grouped, grouped
    assert not searched_in_order, searched_in_order


@pytest.mark.parametrize(
    "query",
    [
        "/incidents?q=talks&type=protest&limit=4",
        "/incidents?actor=Iran&type=protest&limit=4",
        "/incidents?actor=Iran&date_from=2010-01-01&facet=type&limit=4",
    ],
)
def test_filters_asked_again_are_not_marked_among_the_columns_again(
    generated_incidents: str, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The incidents the filters (and search) match are marked once per data version and
    filters, and the same answer given from the kept mask."""
    if "q=" in query and not generated_incidents.startswith("sqlite"):
        pytest.skip("a search's matches are listed in memory on SQLite only")
    settings = Settings(database_url=generated_incidents, facet_budget_ms=60_000)
    with AppClient(create_app(settings)) as client:
        client.get("/incidents?facet=type")  # the columns are read for this data version
        _reading_done()
        first = client.get(query).json()
        marked: list[object] = []
        matching = columns.IncidentColumns.matching

        def spy(self: columns.IncidentColumns, **filters: Any) -> Any:
            marked.append(filters)
            return matching(self, **filters)

        monkeypatch.setattr(columns.IncidentColumns, "matching", spy)
        again = [client.get(query).json() for _ in range(3)]
        marked_again = len(marked)
        other = client.get(query.replace("protest", "arrest").replace("2010", "2011")).json()
    assert first["items"] and again == [first] * 3
    assert marked_again == 0
    assert len(marked) > 0 and other != first  # other filters: marked for them


@pytest.mark.parametrize(
    "query",
    [
        "/incidents?q=talks&type=protest&limit=4",
        "/incidents?q=talks&actor=Iran&limit=4",
        "/incidents?actor=Iran&type=protest&limit=4",
        "/incidents?actor=Iran&actor=Azerbaijan&limit=4",
    ],
)
def test_filters_asked_again_are_not_counted_among_the_columns_again(
    generated_incidents: str, query: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """How many incidents a kept mask holds is counted once (`IncidentColumns.count_of`): over
    a million incidents each count was ~35 us, up to three a request."""
    if "q=" in query and not generated_incidents.startswith("sqlite"):
        pytest.skip("a search's matches are listed in memory on SQLite only")
    settings = Settings(database_url=generated_incidents, facet_budget_ms=60_000)
    counted: list[int] = []
    count_nonzero = np.count_nonzero

    def spy(values: Any, *args: Any, **kwargs: Any) -> Any:
        if getattr(values, "dtype", None) == np.bool_ and len(values) > 1_000:
            counted.append(len(values))
        return count_nonzero(values, *args, **kwargs)

    asked: list[int] = []
    count_of = columns.IncidentColumns.count_of

    def asking(self: columns.IncidentColumns, mask: Any) -> int:
        asked.append(len(mask))
        return count_of(self, mask)

    monkeypatch.setattr(columns.IncidentColumns, "count_of", asking)
    with AppClient(create_app(settings)) as client:
        client.get("/incidents?facet=type")  # the columns are read for this data version
        _reading_done()
        first = client.get(query).json()  # counted now, or by an earlier test of the module
        monkeypatch.setattr(np, "count_nonzero", spy)
        asked.clear()
        again = [client.get(query).json() for _ in range(3)]
    assert first["items"] and again == [first] * 3
    assert asked, "the requests asked how many incidents their mask holds"
    assert counted == [], "asked again, not counted again"

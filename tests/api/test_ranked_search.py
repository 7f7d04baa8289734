"""Relevance pages read from ranked matches kept in memory (`app.kit.ranking`) are the pages the
database ranks for each request: same items, order, scores, cursors and totals.

The corpus is `bench.generate`'s: its words each match about a third of all incidents and
sources, so bm25 ties are common and filters cut the ranked list anywhere.
"""

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.kit import counting, ranking, search
from app.statements import columns as statement_columns
from tests.api.search_edits import client_with_count_threshold as _client
from tests.api.search_edits import make_last_incident_the_best_match
from tests.conftest import Databases
from tests.inprocess import AppClient

Params = list[tuple[str, str]]

# A filter set of each shape the fast path takes: none (a slice of the ranked list), broad
# (the list walked and tested), selective (the filter's rows listed and ordered by rank).
CASES: list[tuple[str, Params]] = [
    ("/incidents", [("q", "talks")]),
    ("/incidents", [("q", "talks border")]),
    ("/incidents", [("q", "embassies")]),
    ("/incidents", [("q", '"gas pipeline"')]),
    ("/incidents", [("q", "talks"), ("actor", "Iran")]),
    ("/incidents", [("q", "embassy"), ("actor", "Iran"), ("actor", "Russia")]),
    ("/incidents", [("q", "border"), ("type", "arrest")]),
    ("/incidents", [("q", "talks"), ("date_from", "2012-01-01"), ("date_to", "2012-03-31")]),
    ("/incidents", [("q", "sanctions"), ("country", "IRN"), ("sort", "relevance")]),
    ("/statements", [("q", "embassy")]),
    ("/statements", [("q", "talks"), ("speaker", "Iran")]),
    ("/statements", [("q", "border"), ("date_from", "2015-01-01")]),
    ("/sources", [("q", "talks")]),
    ("/sources", [("q", "corridor"), ("actor", "France")]),
    ("/sources", [("q", "embassy"), ("date_to", "2005-12-31")]),
]
FTS_TABLE = {"/incidents": "incident_fts", "/statements": "statement_fts", "/sources": "source_fts"}


@pytest.fixture(scope="module")
def corpus_url(databases: Databases) -> str:
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=2000, seed=5)
    return url


@pytest.fixture(autouse=True)
def _rank_every_match(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests read pages from every match ranked and kept; ranking the search only among
    a selective filter's rows is compared on its own below."""
    monkeypatch.setattr(search, "_CANDIDATES", 0)
    monkeypatch.setattr(search, "_INTERSECTED_FILTER_ROWS", -1)


@pytest.fixture(params=[5_000, 40], ids=["exact-totals", "estimated-totals"])
def client(corpus_url: str, request: pytest.FixtureRequest) -> Iterator[AppClient]:
    search.RANKINGS.clear()
    search.MATCH_SETS.clear()
    search.DATE_ORDERS.clear()
    with _client(corpus_url, request.param) as test_client:
        yield test_client


def _pages(client: AppClient, path: str, params: Params, limit: int) -> list[dict[str, Any]]:
    pages, cursor = [], None
    while True:
        extra = [("limit", str(limit)), *([("cursor", cursor)] if cursor else [])]
        response = client.get(path, params=[*params, *extra])
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages


def _by_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a data version to key on, relevance is ranked by the database per request."""
    monkeypatch.setattr(ranking, "data_version", lambda session: None)


@pytest.mark.parametrize(("path", "params"), CASES)
@pytest.mark.parametrize("count", ["estimated", "exact", "none"])
def test_pages_from_ranked_matches_equal_the_databases_ranking(
    client: AppClient,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    params: Params,
    count: str,
) -> None:
    params = [*params, ("count", count)]
    fast_pages = _pages(client, path, params, limit=37)
    assert search.RANKINGS.searches > 0, "the fast path was taken"
    with monkeypatch.context() as patched:
        _by_the_database(patched)
        slow_pages = _pages(client, path, params, limit=37)
    assert fast_pages == slow_pages  # items, scores, snippets, totals, cursors
    assert sum(len(p["items"]) for p in fast_pages) > 0


@contextmanager
def _expected_pages(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch, path: str, params: Params
) -> Iterator[tuple[AppClient, list[dict[str, Any]]]]:
    """A client and the pages the database ranks (11 a page); then a page takes several walked
    batches."""
    search.RANKINGS.clear()
    with _client(corpus_url, 40) as client:
        with monkeypatch.context() as patched:
            _by_the_database(patched)
            expected = _pages(client, path, params, limit=11)
        monkeypatch.setattr(search, "_WALK_BATCHES", (16, 32, 64))
        yield client, expected


@pytest.mark.parametrize(("path", "params"), CASES[:1] + CASES[4:5] + CASES[7:8])
@pytest.mark.parametrize("walk", ["walked", "listed", "walk-then-listed"])
def test_each_way_of_reading_a_filtered_page_gives_the_same_pages(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch, path: str, params: Params, walk: str
) -> None:
    with _expected_pages(corpus_url, monkeypatch, path, params) as (client, expected):
        listed_rows = {"walked": 0, "listed": 10**9, "walk-then-listed": 0}[walk]
        monkeypatch.setattr(search, "_LISTED_FILTER_ROWS", listed_rows)
        if walk == "walk-then-listed":
            monkeypatch.setattr(search, "_WALK_BUDGET", 300)
        assert _pages(client, path, params, limit=11) == expected


@pytest.mark.parametrize(("path", "params"), [CASES[9], CASES[11]])
def test_a_walk_probing_each_id_of_its_batches_gives_the_same_pages(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch, path: str, params: Params
) -> None:
    """On SQLite, a walked batch whose filters hold many more rows than it is probed id by id
    (`counting.probe_statement`, one statement kept per filters' statement): the same pages."""
    with _expected_pages(corpus_url, monkeypatch, path, params) as (client, expected):
        monkeypatch.setattr(search, "_LISTED_FILTER_ROWS", 0)  # walked, never listed
        monkeypatch.setattr(search, "_PROBED_PER_BATCH_ID", 0)  # every batch probed
        # Probed in SQL, not told apart by the statement columns (test_statement_other_
        # filters.py): the probe is the way of filters without columns.
        monkeypatch.setattr(statement_columns, "other_filters", lambda *args: None)
        probes: list[int] = []
        probe_of = counting.probe_statement

        def counted(*args: Any) -> Any:
            probes.append(1)
            return probe_of(*args)

        monkeypatch.setattr(counting, "probe_statement", counted)
        assert _pages(client, path, params, limit=11) == expected
    if corpus_url.startswith("sqlite"):
        assert probes, "the batches were probed"


ORDERED_CASES: list[tuple[str, Params]] = [
    ("/incidents", [("q", "talks"), ("sort", "date")]),
    ("/incidents", [("q", "embassies"), ("sort", "-date")]),
    ("/incidents", [("q", "talks"), ("actor", "Iran"), ("sort", "-date")]),
    ("/incidents", [("q", "embassy"), ("date_from", "2010-01-01"), ("sort", "date")]),
    ("/incidents", [("q", "border"), ("type", "attack"), ("sort", "-date")]),
    ("/statements", [("q", "embassy"), ("sort", "-date")]),
    ("/statements", [("q", "talks"), ("speaker", "Russia"), ("sort", "-date")]),
    ("/sources", [("q", "talks"), ("sort", "-date")]),
    (
        "/sources",
        [("q", "corridor"), ("actor", "Iran"), ("date_to", "2015-01-01"), ("sort", "-date")],
    ),
]


@pytest.mark.parametrize(("path", "params"), ORDERED_CASES)
@pytest.mark.parametrize("budget", ["walked", "given back to SQL", "listed"])
def test_a_search_in_date_order_walked_in_memory_gives_the_same_pages(
    client: AppClient,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    path: str,
    params: Params,
    budget: str,
) -> None:
    """Date order with q: the other filters walked in order and each row tested against the
    search's matches (SQLite: listed unranked, in memory; PostgreSQL: in SQL by primary key),
    or (past a budget) the database's own query, or (an exact count listed the filters' rows)
    their matching rows put in order by the database. Nothing is ranked for it."""
    if budget == "listed":
        params = [*params, ("count", "exact")]
    with monkeypatch.context() as patched:
        _by_the_database(patched)
        expected = _pages(client, path, params, limit=23)
    monkeypatch.setattr(search, "_BROAD_MATCHES", 0)  # this small corpus' words count as broad
    monkeypatch.setattr(search, "_WALK_BATCHES", (16, 32, 64))  # a page takes several batches
    # Its words are broad: kept in date order all the same, from the third page on (the
    # first two walked), so that pages of both kinds follow each other's cursors.
    monkeypatch.setattr(search, "_KEPT_IN_ORDER_ROWS_PER_MATCH", 0)
    if budget == "given back to SQL":
        monkeypatch.setattr(search, "_ORDER_WALK_BUDGET", 40)
        monkeypatch.setattr(search, "_SQL_TESTED_WALK_BUDGET", 40)
    walks: list[bool] = []
    page_in_order = search._page_in_order

    def recorded(*args: Any, **kwargs: Any) -> Any:
        walked = page_in_order(*args, **kwargs)
        walks.append(walked is not None)
        return walked

    monkeypatch.setattr(search, "_page_in_order", recorded)
    assert _pages(client, path, params, limit=23) == expected
    assert walks, "the walk was taken"
    assert search.RANKINGS.searches == 0, "nothing ranked for a page in date order"
    assert (search.MATCH_SETS.searches > 0) == (backend == "sqlite")
    # The search alone on incidents (a date every row has): read off its matches kept in
    # date order, not walked.
    alone = {name for name, _ in params} <= {"q", "sort", "count"}
    kept_in_order = backend == "sqlite" and path == "/incidents" and alone
    assert (search.DATE_ORDERS.searches > 0) == kept_in_order
    assert sum(len(p["items"]) for p in expected) > 0


def test_a_request_meanwhile_walks_instead_of_waiting_for_the_date_order(
    corpus_url: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While one request lists a word's matches in date order, another for the same word is
    walked and answered at once, with the same page; the order is listed once."""
    if backend != "sqlite":
        pytest.skip("a search's matches are kept in date order on SQLite (listed there)")
    for cache in (search.RANKINGS, search.MATCH_SETS, search.DATE_ORDERS):
        cache.clear()
    monkeypatch.setattr(search, "_BROAD_MATCHES", 0)
    monkeypatch.setattr(search, "_KEPT_IN_ORDER_ROWS_PER_MATCH", 0)
    monkeypatch.setattr(search, "_WALKS_BEFORE_KEEPING", 0)
    listing, go_on = threading.Event(), threading.Event()
    listings: list[int] = []
    in_date_order = search._in_date_order

    def held_up(*args: Any, **kwargs: Any) -> Any:
        listings.append(1)
        listing.set()
        assert go_on.wait(10), "the other request waited for this one"
        return in_date_order(*args, **kwargs)

    monkeypatch.setattr(search, "_in_date_order", held_up)
    params = {"q": "talks", "sort": "-date", "limit": "7"}
    with _client(corpus_url, 5_000) as client, ThreadPoolExecutor(1) as pool:
        first = pool.submit(client.get, "/incidents", params=params)
        assert listing.wait(10)
        meanwhile = client.get("/incidents", params=params)
        go_on.set()
        listed = first.result(timeout=30)
        after = client.get("/incidents", params=params)
    assert listed.status_code == meanwhile.status_code == after.status_code == 200
    assert meanwhile.json() == listed.json() == after.json()
    assert len(listings) == 1 and search.DATE_ORDERS.searches == 1


def test_unfiltered_order_is_fts5s_own_rank_order(corpus_url: str, backend: str) -> None:
    """Against the plain FTS5 query: ORDER BY rank (bm25, best first), ties by rowid."""
    if backend != "sqlite":
        pytest.skip("FTS5 is SQLite's")
    search.RANKINGS.clear()
    engine = create_engine(corpus_url)
    try:
        for path, table in FTS_TABLE.items():
            with engine.connect() as conn:
                rows = conn.execute(
                    text(
                        f"SELECT rowid, -rank FROM {table} WHERE {table} MATCH '\"talks\"' "
                        "ORDER BY rank, rowid"
                    )
                ).all()
            assert len(rows) > 150, "a broad word"
            assert len({score for _, score in rows}) < len(rows), "with ties"
            with _client(corpus_url, 5_000) as client:
                pages = _pages(client, path, [("q", "talks"), ("count", "exact")], limit=100)
            items = [item for page in pages for item in page["items"]]
            assert [item["id"] for item in items] == [row_id for row_id, _ in rows]
            assert [item["score"] for item in items] == [round(s, 6) for _, s in rows]
            assert pages[0]["total"] == len(rows)
    finally:
        engine.dispose()


def test_a_change_of_data_version_changes_the_ranking(databases: Databases) -> None:
    """Ranked matches are kept per data version: a write that bumps it is seen at once."""
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=200, seed=6)
    with _client(url, 5_000) as client:
        before = client.get("/incidents", params={"q": "talks", "limit": "1"}).json()
        last = make_last_incident_the_best_match(url, "talks")
        after = client.get("/incidents", params={"q": "talks", "limit": "1"}).json()
    assert before["items"][0]["id"] != last
    assert after["items"][0]["id"] == last


def _filtered(cases: list[tuple[str, Params]]) -> list[tuple[str, Params]]:
    return [c for c in cases if any(name not in ("q", "sort") for name, _ in c[1])]


@pytest.mark.parametrize(("path", "params"), _filtered(CASES) + _filtered(ORDERED_CASES))
def test_a_narrow_filters_candidates_ranked_alone_give_the_same_pages(
    client: AppClient, monkeypatch: pytest.MonkeyPatch, backend: str, path: str, params: Params
) -> None:
    """A cold search under filters of few rows ranks only those rows (PostgreSQL: by primary
    key; SQLite: FTS5's matches tested against the filters' rows): the same pages as the
    database's ranking of every match. Every match is never ranked for them."""
    with monkeypatch.context() as patched:
        _by_the_database(patched)
        expected = _pages(client, path, [*params, ("count", "exact")], limit=13)
    search.RANKINGS.clear()
    monkeypatch.setattr(search, "_CANDIDATES", 10**6)
    monkeypatch.setattr(search, "_INTERSECTED_FILTER_ROWS", 10**9)
    monkeypatch.setattr(search, "_INTERSECTED_SHARE_OF_MATCHES", 10**9)
    ranked_among: list[bool] = []
    rank = search._ranked

    def recorded(session: Any, model: type, q: str, among: Any) -> Any:
        ranked_among.append(among is not None)
        return rank(session, model, q, among)

    monkeypatch.setattr(search, "_ranked", recorded)
    assert _pages(client, path, [*params, ("count", "exact")], limit=13) == expected
    assert sum(len(p["items"]) for p in expected) > 0
    relevance = ("sort", "date") not in params and ("sort", "-date") not in params
    # Ranked once, among the filters' rows, then kept under them for the next pages.
    assert ranked_among == ([True] if relevance else [])


@pytest.mark.parametrize(("path", "params"), _filtered(CASES))
@pytest.mark.parametrize("share", [100.0, 0.0], ids=["broad-word", "no-share"])
def test_filters_holding_a_share_of_a_broad_words_matches_are_ranked_alone(
    client: AppClient,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    path: str,
    params: Params,
    share: float,
) -> None:
    """PostgreSQL ranks a cold search among the other filters' rows when they hold at most a
    share of the search's matches (the planner's estimate), however many rows that is; its
    exact total is then the number of rows ranked. Same pages, totals and cursors as the
    database's ranking of every match, in every count mode."""
    expected: dict[str, list[dict[str, Any]]] = {}
    with monkeypatch.context() as patched:
        _by_the_database(patched)
        for count in ("exact", "estimated", "none"):
            expected[count] = _pages(client, path, [*params, ("count", count)], limit=13)
    monkeypatch.setattr(search, "_CANDIDATES", 1)  # the fixed bound alone never holds them
    monkeypatch.setattr(search, "_CANDIDATES_SHARE_OF_MATCHES", share)
    monkeypatch.setattr(search, "_MOST_CANDIDATES", 10**6)
    ranked_among: list[bool] = []
    rank = search._ranked

    def recorded(session: Any, model: type, q: str, among: Any) -> Any:
        ranked_among.append(among is not None)
        return rank(session, model, q, among)

    monkeypatch.setattr(search, "_ranked", recorded)
    for count in ("exact", "estimated", "none"):
        search.RANKINGS.clear()
        assert _pages(client, path, [*params, ("count", count)], limit=13) == expected[count]
    assert sum(len(p["items"]) for p in expected["exact"]) > 0
    if backend == "postgresql":
        assert ranked_among == [share > 0] * 3


@pytest.mark.parametrize(("path", "params"), _filtered(ORDERED_CASES))
@pytest.mark.parametrize("count", ["exact", "estimated", "none"])
def test_a_date_ordered_search_whose_total_lists_its_matching_rows_reads_its_page_from_them(
    client: AppClient,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    path: str,
    params: Params,
    count: str,
) -> None:
    """Date order with q on PostgreSQL (the search tested in SQL): an exact total lists the
    ids of the rows it counts, and the page is those rows put in order by the database, not a
    walk of the filters' rows. Same pages, totals and cursors as the database's own query."""
    params = [*params, ("count", count)]
    with monkeypatch.context() as patched:
        _by_the_database(patched)
        expected = _pages(client, path, params, limit=17)
    monkeypatch.setattr(search, "_BROAD_MATCHES", 0)  # this small corpus' words count as broad
    listings: list[int] = []
    ranked_total = search._ranked_total

    def recorded(*args: Any, **kwargs: Any) -> Any:
        counted = kwargs.get("counted_ids")
        total = ranked_total(*args, **kwargs)
        if counted:
            listings.append(len(counted))
        return total

    monkeypatch.setattr(search, "_ranked_total", recorded)
    assert _pages(client, path, params, limit=17) == expected
    assert sum(len(p["items"]) for p in expected) > 0
    exact = count == "exact" or expected[0]["total_accuracy"] == "exact"
    listed = backend == "postgresql" and count != "none" and exact
    assert bool(listings) == listed
    if listed:
        assert listings[0] == expected[0]["total"]

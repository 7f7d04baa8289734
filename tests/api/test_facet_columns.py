"""Incident facets and totals counted from the columns in memory (`app/incidents/columns.py`)
equal the facets grouped and the totals counted in SQL (values, counts, labels and order; totals,
pages and cursors) under every filter an incident list takes but a search. The columns are read
in a thread of their own: until they are ready, or when reading them fails, SQL answers, the
same."""

import threading
import urllib.parse
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.exc import OperationalError

from app.incidents import columns
from app.kit import background_reads
from app.main import create_app
from app.settings import Settings
from tests.api.statements_seen import counted_statements, issued_statements
from tests.conftest import Databases
from tests.inprocess import AppClient

FACETS = ("type", "actor", "country", "year", "month")


def _lists() -> list[str]:
    """Incident lists drawn from every filter but q (bench.combos: actors, types,
    countries, windows inside, at and beyond the data's edges), each asking every facet."""
    from bench.combos import combinations

    paths = []
    for combination in combinations(5, 400, date(1995, 1, 1), date(2025, 12, 31)):
        path, _, query = combination.path.partition("?")
        if path != "/incidents":
            continue
        params = [
            (name, value)
            for name, value in urllib.parse.parse_qsl(query)
            if name not in ("q", "facet", "count")
        ]
        paths.append(urllib.parse.urlencode([*params, *(("facet", name) for name in FACETS)]))
    return paths[:120]


def _facets(client: AppClient, query: str) -> Any:
    response = client.get(f"/incidents?{query}")
    assert response.status_code == 200, response.text
    return response.json()["facets"]


def _grouped_in_sql(statements: list[str]) -> list[str]:
    return [statement for statement in statements if "GROUP BY" in statement.upper()]


@pytest.mark.parametrize("few", [columns._FEW_MATCHES, 0], ids=["sorted-if-few", "walked"])
def test_totals_and_pages_from_the_columns_equal_those_counted_in_sql(
    generated_incidents: str, few: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Exact totals and the ids a page is cut from are listed from the columns: the same
    answers, both sorts, first and next pages; a page found among few matches by sorting
    them, or walked in date order."""
    monkeypatch.setattr(columns, "_FEW_MATCHES", few)
    lists = [
        f"{query}&{extra}"
        for query in _lists()[:60]
        for extra in ("count=exact&limit=5", "sort=date&limit=3")
    ]
    # Windows ending on the day some of an actor's incidents start (the newest first):
    # those incidents open the page.
    engine = create_engine(generated_incidents)
    with engine.connect() as connection:
        edges = connection.execute(
            text(
                "SELECT actor.name, incident.date_start FROM incident"
                " JOIN incident_participant ON incident_participant.incident_id = incident.id"
                " JOIN actor ON actor.id = incident_participant.actor_id"
                " WHERE actor.kind = 'state' ORDER BY incident.id LIMIT 8"
            )
        ).all()
    engine.dispose()
    lists += [
        urllib.parse.urlencode({"actor": name, "date_to": str(day), "limit": 2, "type": kind})
        for name, day in edges
        for kind in ("accusation", "attack")
    ]
    lists += [
        urllib.parse.urlencode([("actor", name), ("actor", "Iran"), ("date_to", str(day))])
        for name, day in edges
    ]
    answers: list[list[Any]] = []
    for enabled in (False, True):
        settings = Settings(database_url=generated_incidents, incident_columns=enabled)
        with AppClient(create_app(settings)) as client:
            _reading_done()
            answers.append([])
            for query in lists:
                first = client.get(f"/incidents?{query}").json()
                cursor = first["next_cursor"]
                second = (
                    client.get(f"/incidents?{query}&cursor={cursor}").json() if cursor else None
                )
                answers[-1].append((first, second))
    assert any(first["total"] > 100 for first, _ in answers[0])
    assert any(first["total"] == 0 for first, _ in answers[0])
    for query, grouped, listed in zip(lists, answers[0], answers[1], strict=True):
        assert listed == grouped, query


def test_facets_from_the_columns_equal_the_facets_grouped_in_sql(generated_incidents: str) -> None:
    lists = _lists()
    assert len(lists) > 80
    grouped = Settings(
        database_url=generated_incidents, incident_columns=False, facet_budget_ms=60_000
    )
    with AppClient(create_app(grouped)) as client:
        expected = [_facets(client, query) for query in lists]
    assert not any(facet["truncated"] for facets in expected for facet in facets.values())
    # Facets of large sets and small, empty ones, cut at 50 values, the unknown country.
    sizes = [len(facets["actor"]["values"]) for facets in expected]
    assert 0 in sizes and 50 in sizes and any(0 < size < 50 for size in sizes)
    assert any(value["value"] is None for f in expected for value in f["country"]["values"])
    with AppClient(create_app(Settings(database_url=generated_incidents))) as client:
        _facets(client, lists[0])  # starts the read; `_reading_done` waits for it
        _reading_done()
        with counted_statements(client) as seen:
            read = [_facets(client, query) for query in lists]
    assert not _grouped_in_sql(seen), _grouped_in_sql(seen)[:3]
    for query, want, got in zip(lists, expected, read, strict=True):
        assert got == want, query


@pytest.fixture
def held_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """The columns' read waits until the event is set (a large database's read)."""
    release = threading.Event()
    read = columns.read

    def slow(connection: Connection) -> columns.IncidentColumns:
        release.wait(10)
        return read(connection)

    monkeypatch.setattr(columns._reads, "read", slow)
    yield release
    release.set()


def _reading_done() -> None:
    background_reads.wait_for_all(10)


def _query(date_from: str) -> str:
    """A list whose facets were not asked before: a facet grouped in SQL is kept for the
    next pages of its list (app/kit/facets.py), and would not be grouped again."""
    return f"actor=Iran&date_from={date_from}&facet=type&facet=actor&facet=month"


def test_facets_are_grouped_in_sql_while_the_columns_are_read(
    databases: Databases, held_read: threading.Event
) -> None:
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=600, seed=3, postings=False)
    with AppClient(create_app(Settings(database_url=url))) as client:
        with counted_statements(client) as seen:
            while_read = [_facets(client, _query(day)) for day in ("2001-01-01", "2011-02-03")]
        assert _grouped_in_sql(seen)
        held_read.set()
        _reading_done()
        with counted_statements(client) as seen:
            read = [_facets(client, _query(day)) for day in ("2001-01-02", "2011-02-03")]
        assert not _grouped_in_sql(seen)
        assert read[1] == while_read[1]
        assert read[0]["type"]["values"] and read[1]["type"]["values"]
    databases.release(url)


def test_a_failed_read_leaves_the_facets_to_sql_and_is_tried_again(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=600, seed=4, postings=False)
    read = columns.read
    failures = [OperationalError("SELECT", {}, Exception("the server closed the connection"))]

    def failing(connection: Connection) -> columns.IncidentColumns:
        if failures:
            raise failures.pop()
        return read(connection)

    monkeypatch.setattr(columns._reads, "read", failing)
    with AppClient(create_app(Settings(database_url=url))) as client:
        with counted_statements(client) as seen:
            grouped = _facets(client, _query("2001-01-01"))
        assert _grouped_in_sql(seen)
        _reading_done()
        # Not tried again at once (a database that went away is not read on every request)...
        with counted_statements(client) as seen:
            _facets(client, _query("2001-01-02"))
        assert _grouped_in_sql(seen)
        # ...but after a while.
        monkeypatch.setattr(columns._reads, "retry_seconds", 0.0)
        _facets(client, _query("2001-01-03"))
        _reading_done()
        with counted_statements(client) as seen:
            _facets(client, _query("2001-01-04"))
        assert not _grouped_in_sql(seen)
        assert _facets(client, _query("2001-01-01")) == grouped
    databases.release(url)


def test_facets_of_filters_asked_again_are_not_counted_again(
    generated_incidents: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kept mask's facets are counted once (`IncidentColumns._of_kept`): the actor facet
    tested every participation against the mask (8 ms of CPU a request at 1M)."""
    counted: list[str] = []
    top_actors, by_value = columns.IncidentColumns._top_actors, columns.IncidentColumns._counted

    def spy_top(self: columns.IncidentColumns, mask: Any, limit: int) -> Any:
        counted.append("actor")
        return top_actors(self, mask, limit)

    def spy_counted(self: columns.IncidentColumns, name: str, mask: Any) -> Any:
        counted.append(name)
        return by_value(self, name, mask)

    monkeypatch.setattr(columns.IncidentColumns, "_top_actors", spy_top)
    monkeypatch.setattr(columns.IncidentColumns, "_counted", spy_counted)
    queries = _lists()[:12]  # fewer than the filters kept (16): none pushed out
    settings = Settings(database_url=generated_incidents)
    with AppClient(create_app(settings)) as client:
        _reading_done()
        first = [_facets(client, query) for query in queries]
        assert counted, "the facets were counted from the columns"
        counted.clear()
        again = [_facets(client, query) for query in queries]
    assert again == first
    assert counted == [], "asked again, the facets were not counted again"
    assert sum(bool(facets["actor"]["values"]) for facets in first) > 5


def test_a_page_among_few_matches_reads_only_its_own_rows(generated_incidents: str) -> None:
    """Few matches (at most 2,000) counted exactly: the page's ids are found among them in
    date order in memory and only those rows read, where every match's id was bound and its row
    read to be sorted in SQL (679 for `date_from=2025-12-03&type=accusation` at 1M)."""
    settings = Settings(database_url=generated_incidents)
    checked = 0
    with AppClient(create_app(settings)) as client:
        _reading_done()
        for kind in ("accusation", "protest", "arrest", "agreement"):
            for sort in ("date", "-date"):
                path = f"/incidents?type={kind}&date_from=2005-01-01&sort={sort}&limit=5"
                with issued_statements(client) as issued:
                    first = client.get(path).json()
                    second = client.get(f"{path}&cursor={first['next_cursor']}").json()
                assert first["total_accuracy"] == "exact" and 5 < first["total"] <= 2_000, path
                assert len(first["items"]) == len(second["items"]) == 5
                most_bound = max(len(parameters or ()) for _, parameters in issued)
                assert most_bound <= 10, (path, most_bound)
                checked += 1
    assert checked == 8

"""A PostgreSQL search page reads its rows by id and their snippets on the DBAPI cursor
(app/kit/search.py `_by_ids_statement`, `_pg_snippets_sql`), with the ids as one array
parameter: through the Session each was rendered with the page's ids and went SQLAlchemy's
whole execution path on every page. The answers are the same (tests/api/test_search.py and
`bench.same_bytes`); what is checked here is that none of a relevance page's statements goes
that way."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.engine import base

from app.kit import search
from app.main import create_app
from app.settings import Settings
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient


@pytest.fixture
def full_path(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The statements run through SQLAlchemy's execution path (`Connection._execute_context`)."""
    seen: list[str] = []
    through = base.Connection._execute_context

    def spy(self: Any, *args: Any, **kw: Any) -> Any:
        seen.append(str(args[2]))  # (dialect, constructor, statement, ...)
        return through(self, *args, **kw)

    monkeypatch.setattr(base.Connection, "_execute_context", spy)
    yield seen


@pytest.mark.parametrize(
    "path",
    ["/incidents?q=embassy&limit=2", "/sources?q=Azerbaijan&limit=2", "/statements?q=Iran&limit=2"],
)
def test_a_relevance_page_reads_its_rows_and_snippets_on_the_cursor(
    client: AppClient, backend: str, full_path: list[str], path: str
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite reads them in one step already (app/db/one_step.py)")
    client.get(path)  # the search's ranking kept, the statements compiled
    full_path.clear()
    body = client.get(path).json()
    assert body["items"] and all(item["snippet"] for item in body["items"])
    assert full_path == []


def test_a_statement_search_tests_its_batches_on_the_cursor(
    generated_with_postings: str,
    backend: str,
    full_path: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A statements search tests its matches against the list's other filters in batches of
    ids (`search._meeting_filters`): on PostgreSQL one array parameter on the DBAPI cursor,
    where `id IN (batch)` rendered and bound each id (~1 ms of CPU a page at 1M)."""
    if backend != "postgresql":
        pytest.skip("SQLite probes its batches with a JSON array already")
    batches: list[int] = []
    meeting = search._meeting_filters

    def counted(session: Any, ids_only: Any, id_column: Any, batch: list[int], *rest: Any) -> Any:
        batches.append(len(batch))
        return meeting(session, ids_only, id_column, batch, *rest)

    monkeypatch.setattr(search, "_meeting_filters", counted)
    with AppClient(create_app(Settings(database_url=generated_with_postings))) as client:
        path = "/statements?q=corridor&limit=5"
        first = client.get(path).json()
        full_path.clear()
        again = client.get(path).json()
    assert batches, "the search tested a batch against its filters"
    assert again == first and again["items"]
    # (Its ranking's statements go SQLAlchemy's way; they are not per page.)
    assert not [s for s in full_path if "statement.id IN (__[POSTCOMPILE" in s], full_path


def test_a_search_in_date_order_tests_its_first_page_on_the_cursor(
    generated_with_postings: str,
    backend: str,
    full_path: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A PostgreSQL search alone in date order walks the date index and tests each row in SQL
    (`search._tested_in_order`). A first page's statement is kept and run on the DBAPI cursor:
    built and sent through SQLAlchemy's execution path it was ~0.5 ms of CPU a page at 1M.
    A next page (after a cursor) is the same walk from there."""
    if backend != "postgresql":
        pytest.skip("SQLite tests the rows it walks against the listed matches in memory")
    walked: list[int] = []
    tested = search._tested_in_order

    def counted(*args: Any) -> Any:
        found = tested(*args)
        walked.append(len(found or ()))
        return found

    monkeypatch.setattr(search, "_tested_in_order", counted)
    # A broad word, as at 1M, and its total estimated: no list of its matches to page.
    monkeypatch.setattr(search, "_BROAD_MATCHES", 10)
    settings = Settings(database_url=generated_with_postings, exact_count_threshold=10)
    with AppClient(create_app(settings)) as client:
        path = "/incidents?q=pipeline&sort=-date&limit=5"
        first = client.get(path).json()
        full_path.clear()
        again = client.get(path).json()
        kept_path = list(full_path)
        following = client.get(path, params={"cursor": first["next_cursor"]}).json()
    assert walked[:2] == [6, 6], "both first pages walked the date index, testing each row"
    assert again == first and len(first["items"]) == 5
    assert kept_path == [], kept_path
    dates = [item["date_start"] for item in first["items"] + following["items"]]
    assert dates == sorted(dates, reverse=True) and following["items"]
    assert not {i["id"] for i in first["items"]} & {i["id"] for i in following["items"]}


@pytest.mark.parametrize(
    "path", ["/statements?q=drills&sort=-date", "/sources?q=drills&sort=-date&date_from=2001-01-01"]
)
def test_a_search_in_date_order_is_walked_in_memory_sooner_on_sqlite(
    generated_with_postings: str, backend: str, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """A word a quarter as broad as PostgreSQL leaves to SQL is walked in memory on SQLite:
    its plan in SQL reads every match's row and sorts them (~1 us a match at 1M). The same
    page either way."""
    settings = Settings(database_url=generated_with_postings)
    with AppClient(create_app(settings)) as client:
        matches = client.get(path.split("&")[0] + "&count=exact&limit=1").json()["total"]
        assert matches > 8
        # Broad on SQLite (a quarter of twice its matches is fewer), narrow on PostgreSQL.
        monkeypatch.setattr(search, "_BROAD_MATCHES", 2 * matches)
        walked: list[int] = []
        in_order = search._page_in_order

        def spy(*args: Any, **kwargs: Any) -> Any:
            walked.append(1)
            return in_order(*args, **kwargs)

        monkeypatch.setattr(search, "_page_in_order", spy)
        page = client.get(path + "&limit=5").json()
        monkeypatch.setattr(search, "_BROAD_MATCHES", 10 * matches)  # narrow on both
        in_sql = client.get(path + "&limit=5").json()
    assert page == in_sql and len(page["items"]) == 5
    assert walked == ([1] if backend == "sqlite" else [])


@pytest.mark.parametrize(
    "path",
    [
        "/statements?q=drills&sort=-date&limit=5",
        "/statements?q=talks&speaker=Iran&sort=-date&limit=3",
        "/sources?q=drills&sort=-date&date_from=2001-01-01&limit=5",
    ],
)
def test_a_walk_in_date_order_reads_each_batch_in_one_step_on_sqlite(
    generated_with_postings: str, backend: str, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """SQLite: each batch of a walk in date order comes back as one JSON document (row by
    row, each row let other requests take the GIL). The same pages as read row by row."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL's driver holds the GIL while it reads a result")
    monkeypatch.setattr(search, "_BROAD_MATCHES", 0)  # walked, as at 1M
    settings = Settings(database_url=generated_with_postings)
    with AppClient(create_app(settings)) as client:
        with counted_statements(client) as seen:
            first = client.get(path).json()
            second = client.get(path, params={"cursor": first["next_cursor"]}).json()
        monkeypatch.setattr(
            search, "_walked_batch", lambda s, batch, key: search._driver_rows(s, batch)
        )
        row_by_row = [client.get(path).json()]
        row_by_row.append(client.get(path, params={"cursor": first["next_cursor"]}).json())
    walks = [sql for sql in seen if "ORDER BY" in sql and "LIMIT" in sql and " MATCH " not in sql]
    assert walks and all(sql.startswith("SELECT json_group_array(json_array(") for sql in walks)
    assert [first, second] == row_by_row and first["items"] and second["items"]


@pytest.mark.parametrize(
    "path", ["/incidents?q=pipeline", "/statements?q=corridor", "/sources?q=talks&sort=-date"]
)
def test_a_search_pages_snippets_come_in_one_step_on_sqlite(
    generated_with_postings: str, backend: str, path: str
) -> None:
    """SQLite: a page's snippets come back as one JSON document (row by row, each row let
    other requests take the GIL), each item's snippet FTS5's own."""
    if backend != "sqlite":
        pytest.skip("PostgreSQL's driver holds the GIL while it reads a result")
    settings = Settings(database_url=generated_with_postings)
    with AppClient(create_app(settings)) as client:
        with counted_statements(client) as seen:
            page = client.get(path + "&limit=8").json()
    snippets = [sql for sql in seen if "snippet(" in sql]
    assert len(snippets) == 1 and snippets[0].startswith("SELECT json_group_array(json_array(")
    assert len(page["items"]) == 8
    assert all("<mark>" in item["snippet"] for item in page["items"])

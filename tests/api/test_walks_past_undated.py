"""A search in date order walked through the other filters' rows (`search._walked_in_batches`)
crosses from the dated statements to the undated ones, which come last: the rows after a
cursor are walked as two conditions one after the other (`pagination.rows_after_in_two`), not
one OR that SQLite could not walk an index with. Every page, to the last, is the one the
search answers in SQL."""

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from app.kit import search
from app.main import create_app
from app.settings import Settings
from tests.api.statements_seen import counted_statements
from tests.conftest import Databases
from tests.inprocess import AppClient

QUERIES = [
    "/statements?q=talks&sort=-date&limit=7",
    "/statements?q=talks&speaker=Iran&sort=-date&limit=5",
    "/statements?q=border&speaker=Iran&include_duplicates=true&sort=-date&limit=4",
    "/statements?q=corridor&sort=-date&limit=9",
    "/statements?q=border&speaker=Iran&include_duplicates=true&sort=-date&limit=200",
]


@pytest.fixture(scope="module")
def partly_undated(databases: Databases) -> Iterator[str]:
    """bench.generate's statements, a third of them without a date."""
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=2000, seed=5, postings=False)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE statement SET said_on = NULL WHERE id % 3 = 0"))
        # Whatever was kept for this data version is not this data's.
        connection.execute(text("UPDATE dataset_meta SET data_version = data_version + 1"))
    engine.dispose()
    yield url
    databases.release(url)


def _every_page(client: AppClient, query: str) -> list[Any]:
    pages, cursor = [], None
    while True:
        response = client.get(query, params={"cursor": cursor} if cursor else None)
        assert response.status_code == 200, (query, response.text)
        pages.append(response.json()["items"])
        cursor = response.json()["next_cursor"]
        if cursor is None:
            return pages


def _answers(
    url: str, monkeypatch: pytest.MonkeyPatch, *, broad: int, seen: list[str] | None = None
) -> list[Any]:
    monkeypatch.setattr(search, "_BROAD_MATCHES", broad)
    # Walked even where a few listed matches would be sorted instead (as at 1M).
    monkeypatch.setattr(search, "_LISTED_HITS", 0 if broad == 0 else search._LISTED_HITS)
    if broad == 0:
        # Batches of 2, 8, 32, ...: a walk runs out of dated rows within a request.
        first_batch = search._first_batch
        monkeypatch.setattr(search, "_first_batch", lambda *args: min(2, first_batch(*args)))
    with AppClient(create_app(Settings(database_url=url))) as client:
        with counted_statements(client) as statements:
            answers = [_every_page(client, query) for query in QUERIES]
    if seen is not None:
        seen.extend(" ".join(sql.split()) for sql in statements)
    return answers


def test_walks_in_date_order_reach_the_undated_statements_as_sql_does(
    partly_undated: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_sql = _answers(partly_undated, monkeypatch, broad=10**9)
    conditions: list[bool] = []
    in_two = search.rows_after_in_two

    def spy(*args: Any) -> Any:
        after, then = in_two(*args)
        conditions.append(then is not None)
        return after, then

    monkeypatch.setattr(search, "rows_after_in_two", spy)
    seen: list[str] = []
    walked = _answers(partly_undated, monkeypatch, broad=0, seen=seen)
    if backend == "sqlite":  # PostgreSQL walks these from the statement columns
        assert any(conditions), "some walk went on with the undated rows still to come"
        walks = [sql for sql in seen if sql.startswith("SELECT json_group_array(json_array(")]
        undated = [sql for sql in walks if "said_on IS NULL" in sql]
        assert undated, "a walk went on past the dated statements"
        assert not [sql for sql in undated if " OR statement.said_on IS NULL" in sql]
    for query, wanted, got in zip(QUERIES, in_sql, walked, strict=True):
        items = [item for page in wanted for item in page]
        dates = [item["said_on"] for item in items]
        assert None in dates and dates[0] is not None, query
        assert dates.index(None) == len(dates) - dates.count(None), "undated last"
        assert got == wanted, query

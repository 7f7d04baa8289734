"""PostgreSQL: an exact total of a word in a date window counted from its matches' dates, kept
per data version (app/kit/search.py `_kept_window_count`), is the total SQL counts: at the
window's edges and beyond the data, both sorts, and after the data changes."""

from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.db.session import create_db_engine
from app.incidents.models import Incident
from app.kit import search
from app.main import create_app
from app.settings import Settings
from tests.api.conftest import libpq_dsn
from tests.inprocess import AppClient

WORDS = ["iran", "azerbaijan", "tehran", "baku", "said", "foreign", "iran baku", "nowhere"]
WINDOWS = [
    {},
    {"date_from": "2020-09-27"},
    {"date_from": "2020-09-28"},
    {"date_to": "2025-03-31"},
    {"date_to": "2020-09-27"},
    {"date_from": "2022-01-01", "date_to": "2023-12-31"},
    {"date_from": "2023-06-15", "date_to": "2023-06-15"},
    {"date_from": "2024-02-29", "date_to": "2024-03-01"},
    {"date_from": "2025-03-31", "date_to": "2030-01-01"},
    {"date_from": "2030-01-01"},
    {"date_to": "1999-12-31"},
]


def _sql_total(url: str, q: str, window: dict[str, str]) -> int:
    """The rows the list selects, counted by PostgreSQL itself."""
    conditions = ["search_fts @@ websearch_to_tsquery('english', %(q)s)"]
    if "date_from" in window:
        conditions.append("date_end >= %(date_from)s::date")
    if "date_to" in window:
        conditions.append("date_start <= %(date_to)s::date")
    with psycopg.connect(libpq_dsn(url)) as conn:
        row = conn.execute(
            f"SELECT count(*) FROM incident WHERE {' AND '.join(conditions)}", {"q": q, **window}
        ).fetchone()
    assert row is not None
    return int(row[0])


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every word's dates kept whatever the window (the tests' corpus is small)."""
    monkeypatch.setattr(search, "_KEPT_DATES_WINDOW_SHARE", 10**9)
    monkeypatch.setattr(search, "_KEPT_DATES", type(search._KEPT_DATES)())
    reads: list[str] = []
    read = search._dates_of_matches

    def counted(session: Any, searched: Any, q: str) -> Any:
        reads.append(q)
        return read(session, searched, q)

    monkeypatch.setattr(search, "_dates_of_matches", counted)
    yield reads


def _total(client: AppClient, q: str, window: dict[str, str], sort: str) -> Any:
    response = client.get(
        "/incidents", params={"q": q, "count": "exact", "limit": 3, "sort": sort, **window}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total_accuracy"] == "exact"
    return body


def test_a_words_total_in_a_window_is_sqls(pg_seeded_url: str, built: list[str]) -> None:
    with AppClient(create_app(Settings(database_url=pg_seeded_url))) as client:
        for q in WORDS:
            for window in WINDOWS:
                for sort in ("relevance", "-date", "date"):
                    body = _total(client, q, window, sort)
                    assert body["total"] == _sql_total(pg_seeded_url, q, window), (q, window, sort)
    # Each word's dates read once at most: which requests count in SQL's shape at all depends
    # on what the process has kept before (rankings, match sets); the counts from kept dates
    # are compared with SQL's directly below.
    assert sorted(built) == sorted(set(built)) and set(built) <= set(WORDS)


def _counted(url: str, q: str, window: dict[str, str], floor: str | None = None) -> tuple[int, int]:
    """(kept, SQL): the rows of a word in a window as `_counted_in_sql` counts them (the shape
    an exact total of `q` and a window counts: date_end against date_from, date_start against
    a floor and date_to) and as PostgreSQL counts the same statement."""
    engine = create_db_engine(url, settings=Settings(database_url=url))
    try:
        with Session(engine) as session:
            conditions = [search.matches(session, Incident, q)]
            if "date_from" in window:
                conditions.append(Incident.date_end >= date.fromisoformat(window["date_from"]))
            if floor is not None:
                conditions.append(Incident.date_start >= date.fromisoformat(floor))
            if "date_to" in window:
                conditions.append(Incident.date_start <= date.fromisoformat(window["date_to"]))
            stmt = select(Incident.id).where(*conditions)
            kept = search._counted_in_sql(session, stmt, Incident.id, None)
            counted = session.scalar(select(func.count()).select_from(stmt.subquery()))
            return kept, int(counted or 0)
    finally:
        engine.dispose()


def test_a_words_count_in_a_window_from_its_kept_dates(
    pg_seeded_url: str, built: list[str]
) -> None:
    for q in WORDS:
        for window in WINDOWS[1:]:
            for floor in (None, "2019-09-27", "2023-01-01"):
                kept, counted = _counted(pg_seeded_url, q, window, floor)
                assert kept == counted, (q, window, floor)
    assert sorted(built) == sorted(set(WORDS))  # each word's dates read once


def test_a_change_to_the_data_is_counted(pg_seeded_url: str, built: list[str]) -> None:
    window = {"date_from": "2021-01-01", "date_to": "2024-12-31"}
    before, counted = _counted(pg_seeded_url, "iran", window)
    assert before == counted > 1
    with psycopg.connect(libpq_dsn(pg_seeded_url)) as conn:
        conn.execute(
            "DELETE FROM incident WHERE id = (SELECT min(id) FROM incident WHERE "
            "search_fts @@ websearch_to_tsquery('english', 'iran') "
            "AND date_end >= '2021-01-01' AND date_start <= '2024-12-31')"
        )
        conn.execute("UPDATE dataset_meta SET data_version = data_version + 1 WHERE id = 1")
    after, counted = _counted(pg_seeded_url, "iran", window)
    assert after == counted == before - 1
    assert built == ["iran", "iran"]  # read again under the new data version

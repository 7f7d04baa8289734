"""How many incidents start in a date window, counted from the incident columns
(`IncidentColumns.starting_between`), equals the count in SQL: a list under actors or a search
decides from it whether to walk its window (`service._small_window`)."""

import random
from datetime import date, timedelta

import pytest
from sqlalchemy import create_engine, func, select

from app.incidents import columns
from app.incidents.models import Incident


def _windows() -> list[tuple[date | None, date | None]]:
    """Windows inside the data (1995-2025), across its edges, beyond them, a day long,
    reversed, and open at either end."""
    rng = random.Random(4)
    windows: list[tuple[date | None, date | None]] = [
        (None, None),
        (date(1, 1, 1), date(9999, 12, 31)),
        (date(2030, 1, 1), None),
        (None, date(1990, 1, 1)),
        (date(2010, 5, 1), date(2010, 4, 30)),
    ]
    for _ in range(60):
        first = date(1990, 1, 1) + timedelta(days=rng.randrange(14_000))
        last = first + timedelta(days=rng.choice([0, 1, 30, 400, 5_000]))
        windows.append(rng.choice([(first, last), (first, None), (None, last)]))
    return windows


@pytest.mark.parametrize("keyed", [True, False], ids=["by-key", "by-scan"])
def test_incidents_starting_in_a_window_counted_from_the_columns(
    generated_incidents: str, keyed: bool
) -> None:
    engine = create_engine(generated_incidents)
    with engine.connect() as connection:
        read = columns.read(connection)
        assert read is not None
        if not keyed:
            # Ids past the date keys' range: counted by comparing every start.
            read = columns.IncidentColumns(**{**vars(read), "date_keys": None})
        for first, last in _windows():
            starting = select(func.count()).select_from(Incident)
            if first is not None:
                starting = starting.where(Incident.date_start >= first)
            if last is not None:
                starting = starting.where(Incident.date_start <= last)
            counted = connection.scalar(starting)
            assert read.starting_between(first, last) == counted, (first, last)
    engine.dispose()


def test_a_listed_windows_pages_found_in_the_columns_equal_those_sorted_in_sql(
    generated_incidents: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a list whose exact total listed its ids (an exact count, facets), more than
    a page's worth, has its pages found among them in date order from the columns
    (`pagination.listed_paged_by`), where each listed row's date was read by id to sort them:
    the same pages, cursors and second pages, both ways. SQLite walks such lists in SQL."""
    from app.kit import pagination
    from app.main import create_app
    from app.settings import Settings
    from tests.api.test_search_columns import _reading_done
    from tests.inprocess import AppClient

    monkeypatch.setattr(pagination, "_LISTED_PAGE", 20)
    queries = [
        f"date_from={first}&date_to={last}&sort={sort}&{extra}&limit=7"
        for first, last in (("1995-01-01", "2004-12-31"), ("2015-06-01", "2016-06-01"))
        for sort in ("date", "-date")
        for extra in ("count=exact", "facet=actor", "facet=type&facet=month")
    ]

    def answers(from_columns: bool) -> list[tuple[object, object]]:
        settings = Settings(
            database_url=generated_incidents,
            incident_columns=from_columns,
            facet_budget_ms=60_000,
            exact_count_threshold=100_000,
        )
        found = []
        with AppClient(create_app(settings)) as client:
            _reading_done()
            for query in queries:
                first = client.get(f"/incidents?{query}").json()
                assert first["total"] > 20 and first["next_cursor"], query
                second = client.get(f"/incidents?{query}&cursor={first['next_cursor']}")
                found.append((first, second.json()))
        return found

    assert answers(from_columns=True) == answers(from_columns=False)

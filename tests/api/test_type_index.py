"""SQLite reads a type's incidents off (type, date_start, id, date_end) alone (migration 0021):
a date window's ids under a type (the exact total of a search under a type and a window,
`search._listed_ids`) without a row read each for date_end, and a type's page in the list's
order without sorting."""

import pytest

from tests.api.walks import sqlite_plan

WINDOW_IDS = (
    "SELECT incident.id FROM incident WHERE incident.type IN ('arrest') "
    "AND incident.date_end >= '2020-01-01' AND incident.date_start >= '2019-01-01'"
)
PAGE = (
    "SELECT incident.id FROM incident WHERE incident.type IN ('arrest') "
    "ORDER BY incident.date_start {order}, incident.id {order} LIMIT 51"
)


def test_sqlite_lists_a_window_of_a_type_off_its_index_and_walks_its_pages_in_order(
    shared_seeded_url: str, backend: str
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite's plans (PostgreSQL's planner weighs its own statistics)")
    assert "COVERING INDEX ix_incident_type_dates" in sqlite_plan(shared_seeded_url, WINDOW_IDS)
    for order in ("DESC", "ASC"):
        plan = sqlite_plan(shared_seeded_url, PAGE.format(order=order))
        assert "ix_incident_type_dates" in plan and "TEMP B-TREE" not in plan, plan

"""PostgreSQL: a list filtered by one value of a column that an index leads with, the list's
order next (`type=accusation`: (type, date_start, id)), walks that index for its page, where
filters that pass rows over find the page's ids first (`pagination._finds_ids_first`): every
row such a walk meets is on the page, and finding the ids first cost ten times the walk at 1M.
The pages are the same either way (the list suites compare them on both databases)."""

import shutil
from pathlib import Path

import pytest

from app import cli
from app.main import create_app
from app.settings import Settings
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
IDS_FIRST = "incident.id IN (SELECT incident.id"


@pytest.mark.parametrize(
    ("query", "walked"),
    [
        ("type=accusation", True),
        ("type=accusation&sort=date", True),
        ("country=IRN", True),
        ("type=accusation&type=consultation", False),
        ("type=accusation&country=IRN", False),
        ("type=accusation&date_from=2023-01-01", False),
    ],
)
def test_a_page_of_one_leading_value_walks_its_index(
    database_url: str, backend: str, tmp_path: Path, query: str, walked: bool
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite never finds a page's ids first")
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    assert cli.main(["ingest", str(seeds)]) == 0
    # Paged in SQL: from the incident columns a page is found in memory.
    settings = Settings(database_url=database_url, incident_columns=False, kept_responses=0)
    with AppClient(create_app(settings)) as client, counted_statements(client) as seen:
        response = client.get(f"/incidents?{query}&count=none&limit=2")
        assert response.status_code == 200, response.text
        assert response.json()["items"]
    pages = [s for s in seen if "FROM incident" in s and "ORDER BY incident.date_start" in s]
    assert pages, seen
    assert all((IDS_FIRST not in s) == walked for s in pages), pages

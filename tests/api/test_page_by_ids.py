"""A page cut from the ids an exact count listed reads those rows by id alone on PostgreSQL:
every listed id is a row of the list, so its filters are not tested again (with them the
planner read pages from a filter's index, a range scan per row; bench/README.md, session 13)."""

import pytest
from fastapi.testclient import TestClient

from tests.api.statements_seen import counted_statements

# Two filters each (one actor alone reads its first rows instead: `PageStart`).
LISTS = [
    "/incidents?actor=Iran&actor=Azerbaijan&count=exact&limit=2&sort=date",
    "/incidents?actor=Iran&type=accusation&count=exact&limit=1",
]


def _pages(client: TestClient, path: str) -> list[list[int]]:
    pages, url = [], path
    while url:
        body = client.get(url).json()
        pages.append([item["id"] for item in body["items"]])
        url = f"{path}&cursor={body['next_cursor']}" if body["next_cursor"] else ""
    return pages


@pytest.mark.parametrize("path", LISTS)
def test_pages_cut_from_listed_ids_are_the_lists_pages(
    client: TestClient, backend: str, path: str
) -> None:
    with counted_statements(client) as seen:
        pages = _pages(client, path)
    # The same list without a count walks it in order: the same pages.
    assert pages == _pages(client, path.replace("count=exact", "count=none"))
    assert sum(map(len, pages)) > 0
    page_reads = [s for s in seen if "incident.slug" in s and not s.startswith("EXPLAIN")]
    assert page_reads
    if backend == "postgresql":
        for statement in page_reads:
            assert "= ANY" in statement and "incident_participant" not in statement, statement

"""A page cut from the ids an exact count listed reads those rows by id alone on PostgreSQL:
every listed id is a row of the list, so its filters are not tested again (with them the
planner read pages from a filter's index, a range scan per row; bench/README.md, session 13)."""

import pytest
from fastapi.testclient import TestClient

from app.kit import counting, pagination
from app.main import create_app
from app.settings import Settings
from tests.api.statements_seen import counted_statements

# Two filters each (one actor alone reads its first rows instead: `PageStart`).
LISTS = [
    "/incidents?actor=Iran&actor=Azerbaijan&count=exact&limit=2&sort=date",
    "/incidents?actor=Iran&type=accusation&count=exact&limit=1",
]


def _pages(client: TestClient, path: str, *, counted_afresh: bool = False) -> list[list[int]]:
    """Every page's ids, following the cursors; `counted_afresh`: each page's total counted
    again (a kept total lists no ids to cut from)."""
    pages, url = [], path
    while url:
        if counted_afresh:
            counting._counts.clear()
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


# Lists whose exact count lists more ids than a page is cut from whole (`_LISTED_PAGE`, made 1
# here): both sort orders, a nullable key within a window and without one (where a cursor's
# page goes back to the walk: undated rows follow the dated ones).
LONGER_LISTS = [
    "/incidents?actor=Iran&actor=Azerbaijan&limit=2",
    "/incidents?actor=Iran&actor=Azerbaijan&limit=3&sort=date",
    "/incidents?actor=Iran&type=accusation&limit=1&sort=date",
    "/sources?actor=Iran&actor=Azerbaijan&limit=1",
    "/sources?actor=Iran&actor=Azerbaijan&date_from=1900-01-01&limit=1",
]


@pytest.mark.parametrize("path", LONGER_LISTS)
def test_pages_found_among_more_listed_ids_are_the_lists_pages(
    client: TestClient, backend: str, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """PostgreSQL: past `_LISTED_PAGE` listed ids, a page's ids are the first listed ids in
    order (their keys read by id), then its rows are read by id; the pages are the walk's."""
    # Listed in SQL: from the incident columns (app/incidents/columns.py) a page is found in
    # memory.
    url = client.app.state.settings.database_url  # type: ignore[attr-defined]
    with TestClient(create_app(Settings(database_url=url, incident_columns=False))) as grouped:
        _pages_found_among_listed_ids(grouped, backend, monkeypatch, path)


def _pages_found_among_listed_ids(
    client: TestClient, backend: str, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    walked = _pages(client, f"{path}&count=none")
    monkeypatch.setattr(pagination, "_LISTED_PAGE", 1)
    with counted_statements(client) as seen:
        pages = _pages(client, path, counted_afresh=True)
    assert pages == walked
    assert len(pages) > 2
    if backend == "postgresql":
        found = [s for s in seen if "listed_ids" in s and not s.startswith("EXPLAIN")]
        # Every page but those after a cursor of a nullable key without a window.
        assert len(found) == (
            1 if path.startswith("/sources") and "date_from" not in path else len(pages)
        ), found
        table = path.split("?")[0].strip("/").rstrip("s")
        page_reads = [s for s in seen if f"{table}.slug" in s and not s.startswith("EXPLAIN")]
        assert sum("page_ids" in s for s in page_reads) >= len(found), page_reads
        for statement in found:
            assert "participant" not in statement and "mention" not in statement, statement

"""A page cut from the ids an exact count listed reads those rows by id alone on PostgreSQL:
every listed id is a row of the list, so its filters are not tested again (with them the
planner read pages from a filter's index, a range scan per row; bench/README.md, session 13)."""

from typing import Any

import pytest

from app.kit import counting, pagination
from app.main import create_app
from app.settings import Settings
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient

# Two filters each (one actor alone reads its first rows instead: `PageStart`), matching few
# of the seeds' incidents (most of them matching, a page walks instead: below).
LISTS = [
    "/incidents?actor=Iran&actor=Israel&count=exact&limit=2&sort=date",
    "/incidents?actor=Iran&type=accusation&count=exact&limit=1",
]


def _pages(client: AppClient, path: str, *, counted_afresh: bool = False) -> list[list[int]]:
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
    client: AppClient, backend: str, path: str
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


def test_a_list_most_rows_match_walks_its_pages_and_one_few_match_cuts_them_from_ids(
    client: AppClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With at least half of the table's rows matching, a page walked in order passes no
    more rows than listing the matches would read: nothing is listed to cut pages from (23
    of the seeds' 33 incidents). Few matching, their ids are listed and each page cut from
    them."""
    cuts: list[int] = []
    cut_from = pagination.among

    def recorded(*args: Any) -> Any:
        cuts.append(len(args[-1]))
        return cut_from(*args)

    monkeypatch.setattr(pagination, "among", recorded)
    # Not from the incident columns, whose pages are found in memory and read by id.
    url = client.app.state.settings.database_url  # type: ignore[attr-defined]
    with AppClient(create_app(Settings(database_url=url, incident_columns=False))) as listed:
        most = "/incidents?actor=Iran&actor=Azerbaijan&count=exact&limit=5&sort=date"
        pages = _pages(listed, most, counted_afresh=True)
        assert sum(map(len, pages)) == 23 and len(pages) == 5
        assert cuts == [], "a page was cut from listed ids"
        assert pages == _pages(listed, most.replace("count=exact", "count=none"))
        few = "/incidents?actor=Iran&actor=Israel&count=exact&limit=2&sort=date"
        assert sum(map(len, _pages(listed, few, counted_afresh=True))) == 3
    assert cuts == [3, 3], "each page cut from the three listed ids"


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
    client: AppClient, backend: str, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """PostgreSQL: past `_LISTED_PAGE` listed ids, a page's ids are the first listed ids in
    order (their keys read by id), then its rows are read by id; the pages are the walk's."""
    # Listed in SQL: from the incident columns (app/incidents/columns.py) a page is found in
    # memory.
    url = client.app.state.settings.database_url  # type: ignore[attr-defined]
    with AppClient(create_app(Settings(database_url=url, incident_columns=False))) as grouped:
        _pages_found_among_listed_ids(grouped, backend, monkeypatch, path)


def _pages_found_among_listed_ids(
    client: AppClient, backend: str, monkeypatch: pytest.MonkeyPatch, path: str
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

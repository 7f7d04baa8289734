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


@pytest.mark.parametrize("path", ["/incidents?q=embassy&limit=2", "/sources?q=Azerbaijan&limit=2"])
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

"""A search's planner estimates are asked of statements kept per filters, or made for each
request around them (`counting.counted_by`, `counting.with_options`): the estimate's key (a
walk of the statement, SQLAlchemy's cache key) is kept beside the statement it was worked out
for, and given to those made around it, so that a search asked again at the same data version
works out none (~0.1 ms of a PostgreSQL search page's CPU each, profiled at 1M). The
estimates themselves, and the pages, are the same (`bench.same_bytes`)."""

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy.sql import cache_key

from app.kit import search
from app.main import create_app
from app.settings import Settings
from tests.inprocess import AppClient


@pytest.fixture
def keys_worked_out(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The statements whose SQLAlchemy cache key was worked out (not found memoized)."""
    worked_out: list[str] = []
    generate = cache_key.HasCacheKey._generate_cache_key

    def spy(self: Any) -> Any:
        worked_out.append(type(self).__name__)
        return generate(self)

    monkeypatch.setattr(cache_key.HasCacheKey, "_generate_cache_key", spy)
    yield worked_out


@pytest.mark.parametrize(
    "path",
    [
        "/statements?q=corridor&limit=5",
        "/incidents?q=pipeline&sort=-date&limit=5",
        # Statements made around one built for each request, with options only
        # (`counting.counted_by`, `with_options`): keyed as that one, once.
        "/incidents?q=talks&actor=Iran&limit=5",
    ],
)
def test_a_search_asked_again_works_out_no_statement_key(
    generated_with_postings: str,
    backend: str,
    keys_worked_out: list[str],
    monkeypatch: pytest.MonkeyPatch,
    path: str,
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no planner estimates")
    # A broad word, as at 1M: the date order walks the date index and tests each row.
    monkeypatch.setattr(search, "_BROAD_MATCHES", 10)
    settings = Settings(database_url=generated_with_postings, exact_count_threshold=10)
    with AppClient(create_app(settings)) as client:
        first = client.get(path).json()
        for _ in range(20):  # the columns read in the background, the ranking kept
            time.sleep(0.1)
            keys_worked_out.clear()
            again = client.get(path).json()
            if not keys_worked_out:
                break
    assert again == first and first["items"]
    assert keys_worked_out == []

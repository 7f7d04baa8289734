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
from sqlalchemy.sql import cache_key, compiler

from app.kit import background_reads, search
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


@pytest.mark.parametrize(
    "path", ["/incidents?q=talks&actor=Iran&limit=5", "/incidents?q=pipeline&actor=Iran&limit=5"]
)
def test_a_search_under_an_actor_asked_again_compiles_no_statement(
    generated_with_postings: str, monkeypatch: pytest.MonkeyPatch, path: str
) -> None:
    """Its ranking among the actor's incidents is kept under the SQL of the statement that
    lists them (`search._sql_key`): kept per filters, and the statements made around it for
    each request keyed as it is, so that SQL is not compiled again (~0.2 ms, profiled)."""
    compiled: list[str] = []
    init = compiler.SQLCompiler.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        compiled.append(type(self).__name__)
        init(self, *args, **kwargs)

    settings = Settings(database_url=generated_with_postings)
    with AppClient(create_app(settings)) as client:
        first = client.get(path).json()
        background_reads.wait_for_all(10)
        client.get(path)
        monkeypatch.setattr(compiler.SQLCompiler, "__init__", spy)
        again = client.get(path).json()
    assert again == first and first["items"]
    assert compiled == []

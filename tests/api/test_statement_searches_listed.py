"""PostgreSQL: statement searches whose term has postings answered off its listed matches
(`search.listed_matches`) with the statement columns (`app.statements.columns`): pages in
date order tested in memory (`search.LISTED_FOR_ORDER`), exact totals counted from the
columns (`columns.counted`, under speakers too), facets counted from them. Every answer
equals the one through the GIN index with the statement columns off (the way every statement
search was answered before), first and second pages, windows, both orders, exact and
estimated totals, copies in and out. On SQLite the same answers are compared (none of it
applies there)."""

from typing import Any

import pytest

from app.kit import background_reads, counting, postings, search
from app.kit import facets as facet_counts
from app.main import create_app
from app.settings import Settings
from app.statements import columns as statement_columns
from tests.api.conftest import assert_same_pages, first_two_pages
from tests.api.test_postings import _forget
from tests.inprocess import AppClient

WORDS = ("talks", "border", "corridor", "sanctions", "zzznowhere")
WINDOWS = (
    "",
    "&date_from=2001-03-04",
    "&date_to=1999-12-31",
    "&date_from=1995-06-01&date_to=2005-05-31",
    "&date_from=2010-01-01&date_to=2010-03-31",
    "&date_from=2090-01-01",
)
QUERIES = [
    f"/statements?q={word}{window}&sort={sort}&limit=7{count}"
    for word in WORDS
    for window in WINDOWS
    for sort in ("-date", "relevance")
    for count in ("", "&count=exact")
] + [
    f"/statements?q={word}{window}&sort=-date&limit=7&include_duplicates=true{facet}"
    for word in WORDS[:3]
    for window in WINDOWS[:4]
    for facet in ("", "&facet=year&facet=speaker&facet=source&facet=month")
]
# Under speakers (a state with its officials; two states, copies in): totals counted from the
# columns' speakers.
QUERIES += [
    f"/statements?q={word}&speaker={speaker}{window}&sort={sort}&limit=5&count=exact"
    for word in WORDS[:3]
    for speaker in ("Iran", "Iran&speaker=France&include_duplicates=true")
    for window in WINDOWS[:4]
    for sort in ("-date", "relevance")
]


def _forget_all() -> None:
    _forget()
    counting._counts.clear()
    facet_counts._filtered.clear()


def _answers(url: str, *, listed: bool) -> list[Any]:
    """Each query's first page and, where there is one, its second."""
    _forget_all()
    settings = Settings(
        database_url=url,
        facet_budget_ms=60_000,
        exact_count_threshold=50,
        sqlite_exact_count_threshold=50,
    )
    with pytest.MonkeyPatch.context() as patched:
        # Every search broad enough to be walked in date order (as at 1M), not left to SQL.
        patched.setattr(search, "_BROAD_MATCHES", 10)
        if not listed:
            patched.setattr(postings, "term_rows", lambda *args: None)
            patched.setattr(statement_columns, "ready", lambda *args, **kwargs: None)
        with AppClient(create_app(settings)) as client:
            background_reads.wait_for_all(30)
            answers = first_two_pages(client, QUERIES)
    _forget_all()
    return answers


def test_statement_searches_off_listed_matches_equal_those_through_the_index(
    generated_with_postings: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    through_the_index = _answers(generated_with_postings, listed=False)
    tested: list[int] = []
    counted: list[int] = []
    under_speakers: list[bool] = []
    matching, matched = search._Search.matching, search._Search.matched
    counted_by = statement_columns.counted

    def tested_in_memory(self: search._Search, row_ids: list[int]) -> set[int]:
        tested.append(self.listed is not None)
        return matching(self, row_ids)

    def each_tested_in_memory(self: search._Search, row_ids: list[int]) -> list[bool]:
        tested.append(self.listed is not None)
        return matched(self, row_ids)

    def counting_from_columns(*args: Any) -> Any:
        stmt = counted_by(*args)
        counted.append(counting.counter_of(stmt) is not None)
        under_speakers.append(bool(args[2].speaker) and counted[-1])
        return stmt

    monkeypatch.setattr(search._Search, "matching", tested_in_memory)
    monkeypatch.setattr(search._Search, "matched", each_tested_in_memory)
    monkeypatch.setattr(statement_columns, "counted", counting_from_columns)
    off_listed = _answers(generated_with_postings, listed=True)
    assert_same_pages(QUERIES, through_the_index, off_listed, broad=20)
    if backend == "postgresql":
        assert any(tested), "pages in date order tested against the listed matches"
        assert sum(counted) >= len(WORDS[:-1]) * len(WINDOWS), "totals from the columns"
        assert sum(under_speakers) >= 12, "totals under speakers from the columns"
    else:
        assert not any(counted), "SQLite counts in SQL"

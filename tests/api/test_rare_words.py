"""A search under other filters whose word is rare for them: its matches are tested against
the filters (in memory where the filters tell their rows apart there, else each by primary
key) where the filters' every row was listed; and a date window alone on sources is listed
and tested off every source's date kept in memory. The pages and exact totals are the same
as those of the filters' rows listed in SQL."""

import re
import threading
from collections import Counter
from typing import Any

import pytest
from sqlalchemy import select

from app.db.session import create_db_engine
from app.db.versions import KeptPerDataVersion
from app.incidents.models import Incident
from app.kit import search
from app.main import create_app
from app.settings import Settings
from app.sources import repository as source_repository
from app.sources.models import Source
from app.statements import columns as statement_columns
from tests.api.conftest import assert_same_pages, first_two_pages
from tests.api.test_postings import _forget
from tests.api.test_search_columns import _reading_done
from tests.inprocess import AppClient

WINDOWS = (
    "date_from=1999-01-01",
    "date_to=2012-12-31",
    "date_from=2015-06-01&date_to=2017-06-01",
    "date_from=2040-01-01",
)


def _rare_words(url: str) -> list[str]:
    """Words in 2 to 30 of the sources' or the incidents' rows: rare against the windows."""
    engine = create_db_engine(url)
    try:
        with engine.connect() as connection:
            texts = list(connection.scalars(select(Source.text)))
            texts += [
                f"{t} {s}" for t, s in connection.execute(select(Incident.title, Incident.summary))
            ]
    finally:
        engine.dispose()
    rows = Counter(word for text in texts for word in set(re.findall(r"[a-z]{6,}", text.lower())))
    rare = sorted(word for word, n in rows.items() if 2 <= n <= 30)
    assert len(rare) >= 8, rare
    return rare[:: len(rare) // 8][:8]


def _queries(words: list[str]) -> list[str]:
    queries = []
    for word in [*words, "talks", "embassy"]:
        for window in WINDOWS:
            for order in ("", "&sort=-date"):
                queries.append(f"/sources?q={word}&{window}{order}&count=exact&limit=3")
                queries.append(f"/incidents?q={word}&{window}{order}&count=exact&limit=3")
                queries.append(f"/statements?q={word}&{window}&count=exact&limit=3")
            queries.append(f"/incidents?q={word}&actor=Iran&{window}&count=exact&limit=3")
            queries.append(f"/statements?q={word}&speaker=Iran&{window}&count=exact&limit=3")
            queries.append(
                f"/statements?q={word}&speaker=Iran&speaker=Russia&{window}"
                "&include_duplicates=true&count=exact&limit=3"
            )
        queries.append(f"/statements?q={word}&speaker=Iran&count=exact&limit=3")
    return queries


def _answers(
    url: str, queries: list[str], *, tested: bool, columns: bool
) -> tuple[list[Any], list[int]]:
    """Each query's first two pages, and each time the rows of a window alone were told
    apart in memory (1), matches tested against filters (2), or a statement search's other
    filters listed or tested from the statement columns (3)."""
    _forget()
    used: list[int] = []
    settings = Settings(
        database_url=url,
        incident_columns=columns,
        exact_count_threshold=200,
        sqlite_exact_count_threshold=200,
    )
    few_matches = search._few_matches
    sources = source_repository.SourceRepository
    in_window, listed_in_window = sources.in_window, sources.listed_in_window

    def counted_few(*args: Any) -> Any:
        few = few_matches(*args)
        used.extend([2] if few is not None else [])
        return few

    def counted_tests(self: Any, *args: Any) -> Any:
        used.append(1)
        return in_window(self, *args)

    def counted_listings(self: Any, *args: Any) -> Any:
        used.append(1)
        return listed_in_window(self, *args)

    meeting = statement_columns._MeetingFilters
    meeting_listed, meeting_tested = meeting.listed, meeting.tested

    def counted_meeting_listed(self: Any, *args: Any) -> Any:
        used.append(3)
        return meeting_listed(self, *args)

    def counted_meeting_tested(self: Any, *args: Any) -> Any:
        used.append(3)
        return meeting_tested(self, *args)

    with pytest.MonkeyPatch.context() as patched:
        # A list's statements are kept per data version: built again for each way.
        patched.setattr(source_repository, "_KEPT_STATEMENTS", KeptPerDataVersion(1_000))
        if tested:
            patched.setattr(search, "_few_matches", counted_few)
            patched.setattr(sources, "in_window", counted_tests)
            patched.setattr(sources, "listed_in_window", counted_listings)
            patched.setattr(meeting, "listed", counted_meeting_listed)
            patched.setattr(meeting, "tested", counted_meeting_tested)
        else:
            patched.setattr(search, "_few_matches", lambda *args: None)
            patched.setattr(sources, "_window_alone_in_memory", lambda self, *args: False)
            patched.setattr(statement_columns, "other_filters", lambda *args: None)
        with AppClient(create_app(settings)) as client:
            _reading_done()
            _statement_columns_read(client)
            answers = first_two_pages(client, queries)
    return answers, used


def _statement_columns_read(client: AppClient) -> None:
    """The statement columns read (a search starts their read in the background): a search
    under a speaker then tells its other filters apart from them."""
    client.get("/statements?q=talks&limit=1")
    for thread in threading.enumerate():
        if thread.name == "statement-columns":
            thread.join(10)


# Without the incident columns, an incident search's matches are probed by primary key; with
# sources' dates not all YYYY-MM-DD, a window alone is listed and tested in SQL.
@pytest.mark.parametrize("way", ["columns", "no-columns", "no-kept-dates"])
def test_rare_words_tested_against_their_filters_page_as_the_filters_listed(
    generated_with_postings: str, backend: str, way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = _queries(_rare_words(generated_with_postings))
    columns = way != "no-columns"
    listed, _ = _answers(generated_with_postings, queries, tested=False, columns=columns)
    if way == "no-kept-dates":
        monkeypatch.setattr(source_repository.SourceRepository, "published_days", lambda s: None)
    tested, used = _answers(generated_with_postings, queries, tested=True, columns=columns)
    assert_same_pages(queries, listed, tested, broad=10)
    if backend == "sqlite":  # PostgreSQL counts these in SQL, as before
        assert used.count(1) > 10, "no date window told apart in memory"
        assert used.count(2) > 10, "no rare word's matches tested against its filters"
        assert used.count(3) > 10, "no statement search's filters told apart from the columns"

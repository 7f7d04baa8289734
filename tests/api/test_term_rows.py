"""Searches answered off their term's every row (`app.kit.postings.term_rows`, migrations 0025
and 0026) equal the same searches answered through the database's own index (PostgreSQL's GIN,
SQLite's FTS5): the incident lists of a search under every filter (counted, paged and faceted
from the incident columns, ranked among the rows they list), a word's exact total on every
searched table, and its ranking, to the bit."""

import urllib.parse
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import create_db_engine
from app.incidents.models import Incident
from app.kit import postings, search
from app.main import create_app
from app.settings import Settings
from app.sources.models import Source
from tests.api.conftest import assert_same_pages, first_two_pages
from tests.api.test_postings import _forget
from tests.api.test_search_columns import _reading_done, _searches
from tests.inprocess import AppClient

WORDS = ("talks", "border", "embassy", "corridor", "sanctions", "pipeline")
# Every search a word alone or with an exact total, on each searched table; and the
# relevance pages of the incident searches that `_searches` sorts by date.
ALONE = [
    f"/{path}?q={word}&count=exact&limit=4"
    for path in ("incidents", "statements", "sources")
    for word in WORDS
]


def _queries() -> list[str]:
    relevance = []
    for query in _searches()[::3]:
        params = [(k, v) for k, v in urllib.parse.parse_qsl(query) if k != "sort"]
        relevance.append("/incidents?" + urllib.parse.urlencode(params))
    return [f"/incidents?{query}" for query in _searches()] + relevance + ALONE


def _answers(url: str, queries: list[str], *, term_rows: bool, columns: bool) -> list[Any]:
    """Each query's first page and, where there is one, its second."""
    _forget()
    settings = Settings(
        database_url=url,
        incident_columns=columns,
        facet_budget_ms=60_000,
        exact_count_threshold=200,
        sqlite_exact_count_threshold=200,
    )
    with pytest.MonkeyPatch.context() as patched:
        if not term_rows:
            patched.setattr(postings, "term_rows", lambda *args: None)
        with AppClient(create_app(settings)) as client:
            _reading_done()
            answers = first_two_pages(client, queries)
    return answers


@pytest.mark.parametrize("columns", [True, False], ids=["columns", "no-columns"])
def test_searches_off_term_rows_equal_those_through_the_index(
    generated_with_postings: str, backend: str, columns: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = _queries()
    through_the_index = _answers(generated_with_postings, queries, term_rows=False, columns=False)
    read: list[int] = []
    term_rows = postings.term_rows

    def counted(*args: Any) -> Any:
        found = term_rows(*args)
        read.append(found is not None)
        return found

    monkeypatch.setattr(postings, "term_rows", counted)
    off_rows = _answers(generated_with_postings, queries, term_rows=True, columns=columns)
    assert_same_pages(queries, through_the_index, off_rows, broad=10)
    # PostgreSQL reads them for every table's matches; SQLite for the incident searches'
    # lists in date order and rankings among other filters (FTS5 counts and ranks the rest).
    least = len(WORDS) if backend == "postgresql" else 4
    assert sum(read) >= least, "the searches were read off their terms' rows"


def test_a_word_is_ranked_off_its_rows_to_the_bit(
    generated_with_postings: str, backend: str
) -> None:
    """Every match of each word, ranked off its streams, has the database's own ts_rank_cd
    score and place (score descending, then id)."""
    if backend != "postgresql":
        pytest.skip("the terms' rows are PostgreSQL's")
    engine = create_db_engine(generated_with_postings)
    try:
        with Session(engine) as session:
            for word in WORDS:
                ranked = search._ranked_off_term_rows(session, Incident, word, None)
                assert ranked is not None, word
                scores = search._scores(session, Incident, word)
                # The database's ranking, the way `_ranked` asked for it before.
                rows = session.execute(
                    select(scores.c.id, scores.c.score).order_by(scores.c.score.desc(), scores.c.id)
                ).all()
                assert list(ranked.ids) == [row[0] for row in rows], word
                assert list(ranked.scores) == [row[1] for row in rows], word
    finally:
        engine.dispose()


@pytest.mark.parametrize("model", [Incident, Source], ids=["incidents", "sources"])
def test_a_word_is_ranked_among_other_rows_off_its_rows_to_the_bit(
    generated_with_postings: str, model: type, backend: str
) -> None:
    """The matches of each word among a third of the rows, ranked off its streams, have the
    database's own scores and places: on SQLite bm25 computed off each row's length in
    FTS5's %_docsize (sources: two columns), against FTS5's bm25 of the same rows."""
    engine = create_db_engine(generated_with_postings)
    try:
        with Session(engine) as session:
            every_id = session.scalars(select(model.id).order_by(model.id)).all()  # type: ignore[attr-defined]
            among = [row_id for row_id in every_id if row_id % 3 != 1]
            for word in WORDS:
                ranked = search._ranked_off_term_rows(session, model, word, among)
                assert ranked is not None, word
                scores = search._scores(session, model, word, among)
                rows = session.execute(
                    select(scores.c.id, scores.c.score).order_by(scores.c.score.desc(), scores.c.id)
                ).all()
                assert len(rows) > 10, word
                assert list(ranked.ids) == [row[0] for row in rows], word
                assert list(ranked.scores) == [row[1] for row in rows], word
    finally:
        engine.dispose()


def test_whether_a_search_has_term_rows_is_found_out_once_per_data_version(
    generated_with_postings: str, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search of two words (no term of its own) and one of a word with postings: their
    term is looked up on their first request only, the None as much as the word's rows
    (once for the listing of its matches, once for its first page's postings prefix)."""
    if backend != "postgresql":
        pytest.skip("the terms' rows are PostgreSQL's")
    looked_up: list[str] = []
    term_of = postings.term_of

    def counted(conn: Any, expression: str | None, q: str) -> str | None:
        looked_up.append(q)
        return term_of(conn, expression, q)

    monkeypatch.setattr(postings, "term_of", counted)
    _forget()
    settings = Settings(database_url=generated_with_postings, kept_responses=0)
    with AppClient(create_app(settings)) as client:
        _reading_done()
        for q in ("talks border", "talks"):
            for page in range(4):
                response = client.get(f"/incidents?q={q}&date_from=199{page}-01-01")
                assert response.status_code == 200, response.text
                assert response.json()["items"], q
    assert looked_up == ["talks border"] * 2 + ["talks"] * 2, looked_up

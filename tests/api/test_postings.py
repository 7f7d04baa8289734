"""Relevance postings (`app.kit.postings`): a frequent word's relevance pages read off the start
of its ranking kept at ingest are the pages the database ranks for each request (items, order,
scores, cursors, totals), and the ingest keeps the postings exact through edits and prunes.

The corpus is `bench.generate`'s (every word in a third of the rows, so exact bm25 ties are
common); thresholds are lowered so that its words get postings and their streams are cut.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.orm import Session

from app import cli
from app.kit import postings, ranking, search
from tests.api.search_edits import client_with_count_threshold as _client
from tests.api.search_edits import make_last_incident_the_best_match
from tests.conftest import SEEDS, Databases
from tests.inprocess import AppClient

Params = list[tuple[str, str]]

CASES: list[tuple[str, Params]] = [
    ("/incidents", [("q", "talks")]),
    ("/incidents", [("q", "Border")]),
    ("/incidents", [("q", "talks"), ("actor", "Iran")]),
    ("/incidents", [("q", "embassy"), ("date_from", "2005-01-01")]),
    ("/incidents", [("q", "border"), ("type", "arrest")]),
    ("/statements", [("q", "embassy")]),
    ("/statements", [("q", "embassy"), ("date_from", "2010-01-01")]),
    ("/sources", [("q", "talks")]),
    ("/sources", [("q", "corridor"), ("actor", "Russia")]),
]
WORDS = ["talks", "border", "embassy", "corridor", "sanctions", "pipeline", "minister", "peace"]
# Low enough that the generated corpus' words have postings and their streams are cut short.
MIN_MATCHES, DEPTH = 60, 150


def _postings_settings(monkeypatch: pytest.MonkeyPatch, min_matches: int, depth: int) -> None:
    monkeypatch.setenv("INCIDENTDB_SEARCH_POSTINGS_MIN_MATCHES", str(min_matches))
    monkeypatch.setenv("INCIDENTDB_SEARCH_POSTINGS_DEPTH", str(depth))


@pytest.fixture(scope="module")
def corpus_url(databases: Databases) -> Iterator[str]:
    from bench.generate import generate

    url = databases.fresh("empty")
    with pytest.MonkeyPatch.context() as patched:
        _postings_settings(patched, MIN_MATCHES, DEPTH)
        generate(url, incidents=2000, seed=5)
    yield url


def _forget() -> None:
    search.RANKINGS.clear()
    search.MATCH_SETS.clear()
    search.DATE_ORDERS.clear()
    search.PREFIXES.clear()
    search.TERM_ROWS.clear()


def _pages(client: AppClient, path: str, params: Params, limit: int) -> list[dict[str, Any]]:
    pages, cursor = [], None
    while len(pages) < 8:
        extra = [("limit", str(limit)), *([("cursor", cursor)] if cursor else [])]
        response = client.get(path, params=[*params, *extra])
        assert response.status_code == 200, response.text
        pages.append(response.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            break
    return pages


def _by_the_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a data version to key on, relevance is ranked by the database per request."""
    monkeypatch.setattr(ranking, "data_version", lambda session: None)


def _record_postings_pages(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each page the postings' prefix was considered for: whether it decided it (False
    also when it was not walked, the planner expecting too few of the filters' rows in it)."""
    served: list[bool] = []
    page_of_ranked = search._page_of_ranked
    may_decide = search._postings_may_decide

    def considered(*args: Any, **kwargs: Any) -> bool:
        worth = may_decide(*args, **kwargs)
        if not worth:
            served.append(False)
        return worth

    def recorded(*args: Any, **kwargs: Any) -> Any:
        page = page_of_ranked(*args, **kwargs)
        if kwargs.get("counted") is not None:
            served.append(page is not None)
        return page

    monkeypatch.setattr(search, "_page_of_ranked", recorded)
    monkeypatch.setattr(search, "_postings_may_decide", considered)
    return served


@pytest.mark.parametrize(("path", "params"), CASES)
@pytest.mark.parametrize("count", ["estimated", "exact", "none"])
@pytest.mark.parametrize("threshold", [5_000, 40], ids=["exact-totals", "estimated-totals"])
def test_pages_read_off_postings_equal_the_databases_ranking(
    corpus_url: str,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    params: Params,
    count: str,
    threshold: int,
) -> None:
    params = [*params, ("count", count)]
    _forget()
    with _client(corpus_url, threshold) as client:
        with monkeypatch.context() as patched:
            _by_the_database(patched)
            expected = _pages(client, path, params, limit=9)
        served = _record_postings_pages(monkeypatch)
        assert _pages(client, path, params, limit=9) == expected
    assert served and served[0], "the first page was read off the postings"
    assert sum(len(p["items"]) for p in expected) > 0


@pytest.mark.parametrize(("path", "params"), CASES)
@pytest.mark.parametrize("count", ["estimated", "exact"])
@pytest.mark.parametrize("seeks", [0, 10**9], ids=["sought", "walked"])
def test_rows_tested_against_a_words_matches_by_walk_or_seek_give_the_same_pages(
    corpus_url: str,
    monkeypatch: pytest.MonkeyPatch,
    backend: str,
    path: str,
    params: Params,
    count: str,
    seeks: int,
) -> None:
    """SQLite tests a few rows against a word its postings count (a sample's probes, the
    filters' rows) by seeking each in the word's matches, more rows by walking the matches:
    either way the same pages and totals as the database's ranking."""
    if backend != "sqlite":
        pytest.skip("FTS5's two ways of testing rows against a word")
    monkeypatch.setattr(search, "_SEEKS_PER_WALKED_MATCH", seeks)
    params = [*params, ("count", count)]
    _forget()
    with _client(corpus_url, 40) as client:  # low: the filters' rows are sampled, then listed
        with monkeypatch.context() as patched:
            _by_the_database(patched)
            expected = _pages(client, path, params, limit=9)
        assert _pages(client, path, params, limit=9) == expected


def test_a_word_ranked_from_postings_ranks_nothing_else(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first page of a broad word under a broad filter ranks no match: neither all of them
    nor the filter's; a page beyond what the postings decide falls back to the ranking."""
    _forget()
    ranked: list[object] = []
    rank = search._ranked
    monkeypatch.setattr(search, "_ranked", lambda *a: ranked.append(a) or rank(*a))
    served = _record_postings_pages(monkeypatch)
    with _client(corpus_url, 40) as client:
        params = [("q", "talks"), ("date_from", "2001-01-01")]
        first = client.get("/incidents", params=[*params, ("limit", "9")]).json()
        assert first["items"] and served == [True] and ranked == []
        _pages(client, "/incidents", params, limit=200)
    assert False in served, "a deep page was not decided by the postings"
    assert ranked, "and was read from the database's ranking"


def _engine_scores(conn: Connection, table: str, q: str) -> dict[int, float]:
    if conn.dialect.name == "sqlite":
        fts = postings.SEARCHED[table].fts
        sql = f"SELECT rowid, -bm25({fts}) FROM {fts} WHERE {fts} MATCH :q"
        q = search.fts5_query(q) or ""
    else:
        sql = (
            "SELECT id, ts_rank_cd(search_fts, websearch_to_tsquery('english', :q))::float8 "
            f"FROM {table} WHERE search_fts @@ websearch_to_tsquery('english', :q)"
        )
    return {int(i): float(s) for i, s in conn.execute(text(sql), {"q": q})}


@pytest.mark.parametrize("table", ["incident", "statement", "source"])
def test_the_kept_ranking_is_the_engines_to_the_bit(corpus_url: str, table: str) -> None:
    """bm25 computed from (occurrences, length) gives the bits FTS5's bm25() gives, and a
    stream's ts_rank_cd is each of its rows' ts_rank_cd; the prefix is the start of the
    engine's order (score descending, then id), ties included."""
    engine = create_engine(corpus_url)
    checked = 0
    try:
        with engine.connect() as conn:
            for word in WORDS:
                expression = search.fts5_query(word)
                term = postings.term_of(conn, expression, word)
                assert term is not None
                prefix = postings.prefix(conn, postings.SEARCHED[table], term, expression, word)
                if prefix is None:
                    continue  # not a frequent term of this table
                scores = _engine_scores(conn, table, word)
                order = sorted(scores, key=lambda i: (-scores[i], i))
                kept = list(prefix.ranked.ids)
                assert kept == order[: len(kept)]
                assert list(prefix.ranked.scores) == [scores[i] for i in kept]
                assert prefix.complete == (len(kept) == len(order))
                checked += 1
    finally:
        engine.dispose()
    assert checked >= 3


# -- upkeep ---------------------------------------------------------------------------------


def _kept(url: str) -> dict[str, Any]:
    """Every postings table's rows."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                name: sorted(tuple(r) for r in conn.execute(text(f"SELECT * FROM {name}")))
                for name in (
                    "search_posting",
                    "search_posting_stream",
                    "search_posting_term",
                    "search_posting_table",
                    "search_posting_dirty",
                    "search_posting_rows",
                )
            }
    finally:
        engine.dispose()


def _every_posting(url: str) -> set[tuple[str, str, int, int, int]]:
    """What a rebuild keeping every row of every stream holds (rolled back)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn, conn.begin() as transaction:
            for searched in postings.SEARCHED.values():
                postings.rebuild(conn, searched, min_matches=1, depth=10**9)
            found = {
                (str(s), str(t), int(f), int(d), int(i))
                for s, t, f, d, i in conn.execute(text("SELECT * FROM search_posting"))
            }
            transaction.rollback()
        return found
    finally:
        engine.dispose()


def _assert_exact(url: str) -> None:
    """Each kept term's streams hold exactly its rows before the first they do not keep."""
    kept = _kept(url)
    assert kept["search_posting_dirty"] == []
    terms = set(kept["search_posting_term"])
    truth = {p for p in _every_posting(url) if (p[0], p[1]) in terms}
    streams = {(s, t, f): (d, i) for s, t, f, d, i in kept["search_posting_stream"]}
    assert {(s, t, f) for s, t, f, _, _ in truth} <= set(streams)
    expected = {
        p
        for p in truth
        if streams[p[:3]][0] is None or (p[3], p[4]) < streams[p[:3]]  # type: ignore[operator]
    }
    assert set(kept["search_posting"]) == expected
    assert terms, "the seeds have frequent terms at this threshold"
    _assert_every_row_kept(url, terms)


def _assert_every_row_kept(url: str, terms: set[tuple[str, str]]) -> None:
    """Each term's kept rows are exactly the rows its GIN index matches, or its FTS5 index
    holds it in, each in the stream of as many positions or instances as it has there."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if conn.dialect.name == "sqlite":
                _assert_every_row_kept_in_fts5(conn, terms)
                return
            for table, term in sorted(terms):
                matching = conn.scalars(
                    text(
                        f"SELECT id FROM {table} WHERE search_fts @@ "
                        "CAST(quote_literal(:t) AS tsquery) ORDER BY id"
                    ),
                    {"t": term},
                ).all()
                kept = postings.term_rows(conn, postings.SEARCHED[table], term)
                assert kept is not None and kept.ids().tolist() == matching, (table, term)
                streams = conn.execute(
                    text(
                        f"SELECT cardinality(u.positions), t.id FROM {table} t "
                        "CROSS JOIN LATERAL unnest(t.search_fts) u WHERE u.lexeme = :t"
                    ),
                    {"t": term},
                ).all()
                expected: dict[int, list[int]] = {}
                for occurrences, row_id in sorted(streams):
                    expected.setdefault(occurrences, []).append(row_id)
                assert {f: ids.tolist() for f, ids in kept.streams.items()} == expected
    finally:
        engine.dispose()


def _assert_every_row_kept_in_fts5(conn: Connection, terms: set[tuple[str, str]]) -> None:
    for table, term in sorted(terms):
        searched = postings.SEARCHED[table]
        conn.exec_driver_sql(
            f"CREATE VIRTUAL TABLE temp.every_instance USING fts5vocab(main, {searched.fts}, "
            "'instance')"
        )
        try:
            counted = conn.execute(
                text(
                    "SELECT count(*), doc FROM temp.every_instance WHERE term = :t "
                    "GROUP BY doc ORDER BY doc"
                ),
                {"t": term},
            ).all()
        finally:
            conn.exec_driver_sql("DROP TABLE temp.every_instance")
        expected: dict[int, list[int]] = {}
        for occurrences, row_id in sorted(counted):
            expected.setdefault(occurrences, []).append(row_id)
        kept = postings.term_rows(conn, searched, term)
        assert kept is not None, (table, term)
        assert {f: ids.tolist() for f, ids in kept.streams.items()} == expected, (table, term)


def test_the_ingest_keeps_postings_exact_through_edits_reruns_and_prunes(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _postings_settings(monkeypatch, min_matches=2, depth=2)
    seeds = tmp_path / "seeds"
    shutil.copytree(SEEDS, seeds)
    assert cli.main(["ingest", str(seeds)]) == 0
    _assert_exact(database_url)
    first = _kept(database_url)
    assert cli.main(["ingest", str(seeds)]) == 0
    assert _kept(database_url) == first, "a re-run changes nothing"
    articles = sorted((seeds / "articles").glob("*.txt"))
    articles[0].write_text(
        "Talks talks talks. " + articles[0].read_text(encoding="utf-8"), encoding="utf-8"
    )
    # Short rows sort first in their streams: kept, and a stream grown past its depth is cut.
    for place in ("Aras", "Astara", "Julfa"):
        (seeds / "articles" / f"zz-{place}.txt").write_text(
            f"Talks on the border at {place}.\n", encoding="utf-8"
        )
    assert cli.main(["ingest", str(seeds)]) == 0
    _assert_exact(database_url)
    assert _kept(database_url)["search_posting"] != first["search_posting"]
    for place in ("Aras", "Astara"):
        (seeds / "articles" / f"zz-{place}.txt").unlink()
    assert cli.main(["ingest", "--prune", "--yes", str(seeds)]) == 0
    _assert_exact(database_url)
    _forget()
    with _client(database_url, 5_000) as client:
        for path in ("/sources", "/statements", "/incidents"):
            for word in ("talks", "minister", "the"):
                expected_pages = []
                with monkeypatch.context() as patched:
                    _by_the_database(patched)
                    expected_pages = _pages(client, path, [("q", word)], limit=2)
                assert _pages(client, path, [("q", word)], limit=2) == expected_pages


def test_rows_written_outside_an_ingest_turn_a_tables_postings_off(
    databases: Databases, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.generate import generate

    url = databases.fresh("empty")
    with monkeypatch.context() as patched:
        _postings_settings(patched, MIN_MATCHES, DEPTH)
        generate(url, incidents=200, seed=6)
    _forget()
    served = _record_postings_pages(monkeypatch)
    with _client(url, 5_000) as client:
        before = client.get("/incidents", params={"q": "talks", "limit": "1"}).json()
        assert served == [True]
        last = make_last_incident_the_best_match(url, "talks")
        after = client.get("/incidents", params={"q": "talks", "limit": "1"}).json()
    assert before["items"][0]["id"] != last
    assert after["items"][0]["id"] == last
    assert served == [True], "not read off the postings the write made stale"


def test_the_prefix_stays_exact_when_the_statistics_move(
    databases: Databases, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bm25's order across streams follows the table's average length: postings kept while it
    was different (here: built as if rows were twenty times shorter) still give exact pages, cut
    where a row they did not keep could come (SQLite; on PostgreSQL the order across streams
    does not depend on the statistics)."""
    if backend != "sqlite":
        pytest.skip("ts_rank_cd of one word does not depend on the table's statistics")
    from bench.generate import generate

    url = databases.fresh("empty")
    totals = postings._totals_sqlite
    with monkeypatch.context() as patched:
        _postings_settings(patched, MIN_MATCHES, DEPTH)
        patched.setattr(
            postings,
            "_totals_sqlite",
            lambda conn, s: (totals(conn, s)[0], totals(conn, s)[1] // 20),
        )
        generate(url, incidents=2000, seed=5)
    served = _record_postings_pages(monkeypatch)
    for path, params in CASES:
        _forget()
        with _client(url, 40) as client:
            with monkeypatch.context() as patched:
                _by_the_database(patched)
                expected = _pages(client, path, params, limit=37)
            assert _pages(client, path, params, limit=37) == expected
    assert True in served


@pytest.mark.parametrize("count", ["exact", "estimated"])
def test_a_page_the_postings_do_not_decide_lists_the_filters_rows_once(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch, backend: str, count: str
) -> None:
    """Filters too narrow for the kept start of a word's ranking (a few weeks of incidents):
    the page falls back to ranking, and the filters' rows listed to find that out are the
    ones the fallback counts and orders (listed once in the request). Same pages as the
    database's ranking."""
    params = [("q", "talks"), ("date_from", "2012-01-01"), ("date_to", "2012-03-31")]
    params = [*params, ("count", count)]
    _forget()
    # Low: the filters' rows are sampled, then listed: in SQL (with the incident columns they
    # are listed from those, tests/api/test_search_columns.py).
    with _client(corpus_url, 40, incident_columns=False) as client:
        with monkeypatch.context() as patched:
            _by_the_database(patched)
            expected = _pages(client, "/incidents", params, limit=9)
        served = _record_postings_pages(monkeypatch)
        listings: list[int] = []
        driver_rows, listed_column = search._driver_rows, search._listed_column

        def recorded(session: Any, stmt: Any) -> Any:
            rows = driver_rows(session, stmt)
            listings.append(len(rows))
            return rows

        def recorded_column(session: Any, stmt: Any) -> Any:
            column = listed_column(session, stmt)  # SQLite's listings of ids
            listings.append(len(column))
            return column

        monkeypatch.setattr(search, "_driver_rows", recorded)
        monkeypatch.setattr(search, "_listed_column", recorded_column)
        first = client.get("/incidents", params=[*params, ("limit", "9")]).json()
        assert first == expected[0]
        assert served == [False], "the postings did not decide it"
        if backend == "sqlite":
            # The filters' rows, listed once; then every match among them ranked.
            assert listings[0] > len(first["items"]) and listings.count(listings[0]) == 1
        # Asked again: read from the search ranked among the filters' rows, kept by the first
        # request, without trying the postings again.
        assert client.get("/incidents", params=[*params, ("limit", "9")]).json() == first
        assert served == [False]
        _forget()
        assert _pages(client, "/incidents", params, limit=9) == expected


@pytest.mark.parametrize("count", ["estimated", "exact", "none"])
def test_filters_holding_too_few_of_a_words_matches_for_its_postings_rank_in_one_statement(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch, backend: str, count: str
) -> None:
    """PostgreSQL: when the planner expects fewer than a page of the filters' rows among the
    kept start of a word's ranking, that start is not walked; the filters' matching rows are
    ranked in one statement with the search (not listed first), every later page read off that
    ranking without testing its rows against the filters again. The same pages, totals and
    cursors as the database's ranking of every match."""
    if backend != "postgresql":
        pytest.skip("the planner's estimates and the one-statement ranking are PostgreSQL's")
    params = [("q", "talks"), ("actor", "Brazil"), ("count", count)]
    _forget()
    with _client(corpus_url, 40) as client:
        with monkeypatch.context() as patched:
            _by_the_database(patched)
            expected = _pages(client, "/incidents", params, limit=3)
        assert len(expected) > 2
        served = _record_postings_pages(monkeypatch)
        ranked: list[object] = []
        rank = search._ranked
        monkeypatch.setattr(search, "_ranked", lambda *a: ranked.append(a[3]) or rank(*a))
        walked: list[int] = []
        walk = search._walk
        monkeypatch.setattr(search, "_walk", lambda *a: walked.append(1) or walk(*a))
        assert _pages(client, "/incidents", params, limit=3) == expected
    assert served == [False], "the postings were not walked"
    assert len(ranked) == 1, "ranked once"
    if isinstance(ranked[0], list):
        # The incident columns list the filters' rows that match the search: those alone are
        # ranked (the filters' other rows are never listed).
        every_item = {item["id"] for page in expected for item in page["items"]}
        assert expected[-1]["next_cursor"] is not None or set(ranked[0]) == every_item
        assert set(ranked[0]) >= every_item
        assert len(ranked[0]) == expected[0]["total"] or count != "exact"
    assert walked == [], "the pages were not tested against the filters again"


def test_a_searchs_exact_count_has_room_for_its_bitmaps_for_its_transaction_only(
    corpus_url: str, monkeypatch: pytest.MonkeyPatch, backend: str
) -> None:
    """PostgreSQL: a search's exact count runs with `_COUNT_WORK_MEM` (the word's GIN bitmap
    stays exact instead of lossy), set for the request's transaction alone: the next
    transaction on the same engine has the server's own work_mem again."""
    if backend != "postgresql":
        pytest.skip("work_mem is PostgreSQL's")
    seen: list[str] = []
    counted_in_sql = search._counted_in_sql

    def recorded(session: Any, *args: Any) -> int:
        counted = counted_in_sql(session, *args)
        seen.append(str(session.connection().exec_driver_sql("SHOW work_mem").scalar()))
        return counted

    monkeypatch.setattr(search, "_counted_in_sql", recorded)
    _forget()
    with _client(corpus_url, 5_000) as client:
        params = [("q", "talks"), ("date_from", "2010-01-01"), ("count", "exact")]
        response = client.get("/incidents", params=[*params, ("limit", "9")])
        assert response.status_code == 200 and response.json()["total_accuracy"] == "exact"
        engine = client.app.state.engine  # type: ignore[attr-defined]
        default = text("SELECT setting = reset_val FROM pg_settings WHERE name = 'work_mem'")
        with engine.connect() as conn:
            assert conn.execute(default).scalar() is True
        # Even a transaction that commits (a read's ends with a rollback) gives it back.
        with engine.connect() as conn:
            with Session(bind=conn) as session:
                search._roomy_bitmaps(session)
                session.commit()
            assert conn.execute(default).scalar() is True, "work_mem outlived the transaction"
    assert seen and set(seen) == {search._COUNT_WORK_MEM}

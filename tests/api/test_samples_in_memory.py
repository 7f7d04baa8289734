"""SQLite's sampled estimates, taken as far as can be without reading a row per probe.

A total on SQLite is first estimated from ~1,000 evenly spaced ids (`counting.sample`): each
probe read its row by primary key. With the file in the page cache that is a few
milliseconds; read from disk it was most of a request (320-410 ms at 1M, an empty answer among
them). Where the incident columns tell the filters' rows apart in memory, the probes are
tested there (`counting.tested_by`), and so are a statement list's under a date window from
the statement columns; where a source list's date window can be tested off the sources' kept
dates, only the probes inside it are tested in SQL (`counting.narrowed_by`).
The same probes are found either way, so the same totals, estimates and pages.
"""

import urllib.parse
from datetime import date
from typing import Any

import pytest

from app.kit import background_reads, counting, ranking, search
from app.main import create_app
from app.settings import Settings
from app.statements import service as statements_service
from tests.api.conftest import first_two_pages
from tests.api.statements_seen import counted_statements
from tests.inprocess import AppClient

# Small enough that this corpus' lists are sampled, and many of their totals estimated.
SAMPLED_ABOVE = 40


def _windowed_lists() -> list[str]:
    """Incident, statement and source lists with a date window, drawn from every filter
    (bench.combos); `limit=4` so that most have a second page."""
    from bench.combos import combinations

    queries = []
    for seed in (1, 2, 3, 4):
        for combination in combinations(seed, 500, date(1995, 1, 1), date(2025, 12, 31)):
            path, _, query = combination.path.partition("?")
            params = urllib.parse.parse_qsl(query)
            names = {name for name, _ in params}
            if path == "/actors" or not names & {"date_from", "date_to"}:
                continue
            params = [(name, value) for name, value in params if name != "count"]
            queries.append(f"{path}?{urllib.parse.urlencode([*params, ('limit', '4')])}")
    return queries


def _columns_read() -> None:
    """Until the columns read as the service starts are read (incidents', statements', the
    sources' dates)."""
    background_reads.wait_for_all(10)


def _answers(url: str, queries: list[str]) -> list[tuple[Any, Any]]:
    # Counted and sampled afresh: not the totals and samples the other way kept.
    counting._counts.clear()
    search._SAMPLES.clear()
    settings = Settings(database_url=url, sqlite_exact_count_threshold=SAMPLED_ABOVE)
    with AppClient(create_app(settings)) as client:
        _columns_read()
        return first_two_pages(client, queries)


@pytest.fixture
def sqlite_url(generated_with_postings: str, backend: str) -> str:
    if backend != "sqlite":
        pytest.skip("PostgreSQL estimates from its planner, not a sample")
    return generated_with_postings


def test_samples_taken_in_memory_give_the_pages_probed_in_sql(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    queries = _windowed_lists()
    assert len(queries) > 300
    in_memory = _answers(sqlite_url, queries)
    # Every probe read by id in SQL, and statement windows counted in SQL, as before.
    monkeypatch.setattr(counting, "_hits_in_memory", lambda *args: None)
    monkeypatch.setattr(statements_service, "_window_from_columns", lambda *args: None)
    in_sql = _answers(sqlite_url, queries)

    firsts = [first for first, _ in in_sql]
    estimated = [
        q
        for q, first in zip(queries, firsts, strict=True)
        if first["total_accuracy"] == "estimated"
    ]
    assert sum(q.startswith("/incidents") for q in estimated) > 20
    assert sum(q.startswith("/sources") for q in estimated) > 5
    assert sum(q.startswith("/statements") for q in estimated) > 5
    assert sum(first["total"] == 0 for first in firsts) > 20
    assert sum(second is not None for _, second in in_sql) > 100
    for query, wanted, got in zip(queries, in_sql, in_memory, strict=True):
        assert got == wanted, query


def _probes_read(client: AppClient, path: str) -> tuple[Any, list[str]]:
    with counted_statements(client) as seen:
        response = client.get(path)
    assert response.status_code == 200, response.text
    return response.json(), [sql for sql in seen if _probes(sql)]


def _probes(sql: str) -> bool:
    """A sample's probes: every one (a recursive CTE), or some of them (a JSON array each
    tested in an EXISTS: `counting.probe_statement`)."""
    return "WITH RECURSIVE probes" in sql or ("json_each" in sql and "EXISTS" in sql)


@pytest.mark.parametrize(
    "path",
    [
        "/incidents?date_from=2003-01-01&date_to=2012-12-31",
        "/incidents?date_from=2027-06-10&country=IRN&sort=-date",  # beyond the data
        "/sources?date_from=2003-01-01&date_to=2012-12-31&q=talks",
        "/statements?date_from=2003-01-01&date_to=2012-12-31&speaker=Iran",
    ],
)
def test_a_sample_tested_in_memory_reads_no_row_per_probe(sqlite_url: str, path: str) -> None:
    settings = Settings(database_url=sqlite_url, sqlite_exact_count_threshold=SAMPLED_ABOVE)
    with AppClient(create_app(settings)) as client:
        _columns_read()
        answer, probes = _probes_read(client, path)
    assert probes == []
    if "2027" not in path:
        assert answer["total_accuracy"] == "estimated"


def test_a_sample_under_a_short_window_probes_only_the_ids_inside_it(sqlite_url: str) -> None:
    """An actor in one year of sources: of ~1,000 probes, only those the year holds are
    tested for the actor's mentions, in one statement; none where it holds none."""
    settings = Settings(database_url=sqlite_url, sqlite_exact_count_threshold=SAMPLED_ABOVE)
    with AppClient(create_app(settings)) as client:
        _columns_read()
        with counted_statements(client) as seen:
            year = client.get("/sources?date_from=2010-01-01&date_to=2010-12-31&actor=Iran")
        beyond, beyond_probes = _probes_read(client, "/sources?date_from=2031-01-01&actor=Iran")
    assert year.status_code == 200 and year.json()["items"]
    assert not any("WITH RECURSIVE probes" in sql for sql in seen)  # not every probe
    assert sum(_probes(sql) for sql in seen) == 1
    assert beyond["total"] == 0 and beyond_probes == []


def test_a_relevance_page_asked_again_counts_its_sample_once(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relevance page's estimated total tests the sample's probes against the word's
    matches: once per sample and match list, the same total after."""
    settings = Settings(database_url=sqlite_url, sqlite_exact_count_threshold=SAMPLED_ABOVE)
    with AppClient(create_app(settings)) as client:
        _columns_read()
        first = client.get("/incidents?q=talks&limit=5").json()
        assert first["total_accuracy"] == "estimated"
        counted: list[int] = []
        count_in = ranking.RankedMatches.count_in

        def spy(self: ranking.RankedMatches, row_ids: Any) -> int:
            counted.append(len(row_ids))
            return count_in(self, row_ids)

        monkeypatch.setattr(ranking.RankedMatches, "count_in", spy)
        monkeypatch.setattr(ranking.MatchSet, "count_in", spy)
        again = [client.get("/incidents?q=talks&limit=5").json() for _ in range(3)]
        other = client.get("/incidents?q=pipeline&limit=5").json()
    assert again == [first] * 3
    assert len(counted) == 1  # pipeline's, the first time
    assert other["total_accuracy"] == "estimated"


# Filtered searches whose totals are estimated from a sample (SAMPLED_ABOVE), second pages too.
FILTERED_SEARCHES = [
    "/incidents?q=talks&actor=Iran&limit=5",
    "/incidents?q=border&actor=Iran&limit=5",  # the same filters (and sample), another word
    "/incidents?q=talks&type=arrest&limit=5",
    "/incidents?q=border&date_from=2005-01-01&limit=5",
    "/incidents?q=talks&actor=Iran&sort=-date&limit=5",
    "/sources?q=talks&date_from=2010-01-01&limit=5",
    "/statements?q=talks&speaker=Iran&limit=5",
]


def test_a_broad_words_probes_sought_in_sql_are_sought_once_per_sample(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A word whose matches are not listed (broad, FTS5 seeks each probe in them) is tested
    on a sample's probes once per sample and word; the same totals and pages after, and as
    when sought on every request."""
    monkeypatch.setattr(search, "_SEEKS_PER_WALKED_MATCH", 0)  # seek, never list
    sought: list[int] = []
    tested = search._MatchCount._tested

    def spy(self: Any, row_ids: list[int]) -> set[int]:
        sought.append(len(row_ids))
        return tested(self, row_ids)

    monkeypatch.setattr(search._MatchCount, "_tested", spy)

    def answers(*, again: bool) -> list[tuple[Any, Any]]:
        search._SAMPLES.clear()
        search.MATCH_SETS.clear()
        settings = Settings(database_url=sqlite_url, sqlite_exact_count_threshold=SAMPLED_ABOVE)
        with AppClient(create_app(settings)) as client:
            _columns_read()
            first = first_two_pages(client, FILTERED_SEARCHES)
            sought_first = len(sought)
            if again:
                assert first_two_pages(client, FILTERED_SEARCHES) == first
                assert len(sought) == sought_first, "asked again, no probe was sought"
        return first

    kept = answers(again=True)
    assert sought, "the probes were sought in SQL"
    assert sum(first["total_accuracy"] == "estimated" for first, _ in kept) >= 3
    # Sought on every request, as before.
    monkeypatch.setattr(
        counting.Sample, "hits_of_search", lambda self, _key, count_in: count_in(self.ids)
    )
    assert answers(again=False) == kept

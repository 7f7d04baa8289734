"""Statement facets not grouped by SQL statement per request: a search's facets counted from
its listed matches with every statement's date, speaker and source kept in memory per data
version (`app.statements.columns`; on PostgreSQL a search whose one term has postings, here
every word of the seeds), a window's years and months from the same columns, and on SQLite
the years and months of filters over the statement table alone counted per day first
(`statements.service._by_day`). Each equals the facet grouped in one statement and the listed
statements' own tally, syndicated copies left out unless asked for, and stays so after a
re-ingest that edits, adds and prunes statements and copies."""

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.main import create_app
from app.settings import Settings
from app.statements import columns as statement_columns
from app.statements import service as statements_service
from tests.api.syndication import ingest, seeds_with_a_copy, syndicated
from tests.api.test_postings import _postings_settings
from tests.inprocess import AppClient

FACETS = ["year", "month", "speaker", "source"]
# A window's facets without a search counted in memory when these alone are asked for.
PERIODS = ["year", "month"]


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    return seeds_with_a_copy(tmp_path)


@pytest.fixture
def api(database_url: str) -> Iterator[AppClient]:
    settings = Settings(database_url=database_url, facet_budget_ms=60_000)
    with AppClient(create_app(settings)) as client:
        yield client


def _answer(
    api: AppClient, params: list[tuple[str, str]], facets: list[str] = FACETS
) -> dict[str, Any]:
    asked = [*params, ("limit", "500"), *(("facet", name) for name in facets)]
    response = api.get("/statements", params=asked)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert body["next_cursor"] is None, "every statement on one page"
    for facet in body["facets"].values():
        assert not facet["truncated"]
    return body


def _words(api: AppClient) -> list[str]:
    """The most frequent longer words of the statements (the seeds' own, whatever they say)."""
    items = _answer(api, [("include_duplicates", "true")])["items"]
    counted = Counter(w for s in items for w in set(re.findall(r"[a-z]{6,}", s["text"].lower())))
    return [word for word, _ in counted.most_common(4)]


def _cases(api: AppClient) -> list[list[tuple[str, str]]]:
    days = sorted(s["said_on"] for s in _answer(api, [])["items"] if s["said_on"])
    middle = days[len(days) // 2]
    windows = [[], [("date_from", middle)], [("date_to", middle)], [("date_from", days[0])]]
    cases = list(windows)
    cases += [[*window, ("include_duplicates", "true")] for window in windows]
    for word in [*_words(api), "zzznowhere"]:
        cases += [[("q", word), *window] for window in windows]
        cases.append([("q", word), ("include_duplicates", "true")])
    return cases


def _tally(items: list[dict[str, Any]], name: str) -> Counter[Any]:
    if name in ("year", "month"):
        width = 4 if name == "year" else 7
        return Counter(s["said_on"][:width] if s["said_on"] else None for s in items)
    if name == "speaker":
        return Counter(s["speaker"]["slug"] for s in items if s["speaker"])
    return Counter(s["source_id"] for s in items)


def _compared(api: AppClient, monkeypatch: pytest.MonkeyPatch, backend: str) -> int:
    """Every case's facets against the same facets grouped in one statement and against the
    listed statements' tally; how many searches had matches. Without a search, each case
    is asked twice: every facet, and the years and months alone."""
    cases = _cases(api)
    counted_in_memory = statement_columns.search_facets
    in_memory: list[int] = []
    counted_searches = 0

    def counted(*args: Any) -> Any:
        in_memory.append(1)
        return counted_in_memory(*args)

    asked_for = [
        (params, names)
        for params in cases
        for names in ([FACETS] if any(name == "q" for name, _ in params) else [FACETS, PERIODS])
    ]
    for params, names in asked_for:
        with monkeypatch.context() as patched:
            # The columns read before the facets are counted (a large database's are read
            # while its first requests group them in SQL).
            patched.setattr(statement_columns._reads, "wait_seconds", 60.0)
            patched.setattr(statement_columns, "search_facets", counted)
            asked = _answer(api, params, names)
        searched = any(name == "q" for name, _ in params) and asked["total"] > 0
        windowed = any(name.startswith("date_") for name, _ in params) and asked["total"] > 0
        # Every search with matches (on PostgreSQL: each word has postings), and every
        # window's years and months (none matched: nothing to count).
        by_columns = searched or (windowed and names == PERIODS)
        assert len(in_memory) == by_columns, (params, names, backend)
        in_memory.clear()
        with monkeypatch.context() as grouped:
            grouped.setattr(statement_columns, "handles", lambda *args: False)
            grouped.setattr(statements_service, "_by_day_on", lambda *args: False)
            whole = _answer(api, params, names)
        assert asked["facets"] == whole["facets"], params
        assert asked["total"] == whole["total"] == len(asked["items"]), params
        for name in names:
            facet = asked["facets"][name]["values"]
            counts = [v["count"] for v in facet]
            tally = _tally(asked["items"], name)
            if name in ("year", "month"):
                assert {v["value"]: v["count"] for v in facet} == dict(tally), (name, params)
                # Without a date first on SQLite, last on PostgreSQL (where each sorts NULL).
                first = backend == "sqlite"
                in_order = sorted(tally, key=lambda v: ((v is None) != first, v or ""))
                assert [v["value"] for v in facet] == in_order, (name, params)
            else:
                assert counts == sorted(tally.values(), reverse=True), (name, params)
        counted_searches += searched
    return counted_searches


def test_statement_facets_equal_the_facets_grouped_in_one_statement(
    corpus: Path, api: AppClient, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Every word of the seeds with postings: on PostgreSQL its matches are listed off them.
    _postings_settings(monkeypatch, min_matches=1, depth=10)
    ingest(corpus)
    copy = api.get("/sources/zz-copy").json()
    assert copy["duplicate_of"] is not None and copy["statements"], "a copy with statements"
    assert _compared(api, monkeypatch, backend) > 0
    # Edited, added and pruned: the copy rewritten into an original, a new copy of another
    # article, an article and its statement pruned; the kept columns are the new version's.
    (corpus / "articles" / "zz-copy.txt").write_text(
        'A different story: Azerbaijan and Georgia signed a rail agreement. "We are glad," '
        "Azerbaijan's foreign minister said on Tuesday in Tbilisi.\n",
        encoding="utf-8",
    )
    articles = sorted((corpus / "articles").glob("0*.txt"))
    (corpus / "articles" / "zz-copy-b.txt").write_text(
        syndicated(articles[1].read_text(encoding="utf-8")), encoding="utf-8"
    )
    (corpus / "articles" / "zz-other.txt").unlink()
    ingest("--prune", "--yes", corpus)
    assert api.get("/sources/zz-copy").json()["duplicate_of"] is None
    assert api.get("/sources/zz-copy-b").json()["duplicate_of"] is not None
    assert _compared(api, monkeypatch, backend) > 0

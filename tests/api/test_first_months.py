"""A month facet shows the first 50 months. On PostgreSQL, under one actor (with a date
window at most: incidents) and without a search (statements), it is counted in two parts
split at the 50th month after the earliest date its rows can have (`facets.first_months`):
the months before, then as many of the others as are still wanted. Each such facet equals
the facet grouped in one statement, whether the months before the split fill the facet or
not, and the split is taken only where it should be."""

from typing import Any

import pytest

from app.kit import facets
from app.main import create_app
from app.settings import Settings
from app.statements import columns as statement_columns
from tests.conftest import Databases
from tests.inprocess import AppClient

Case = tuple[str, list[tuple[str, str]]]

# bench.generate's incidents and statements run from 1995 to 2025, few in the early years.
SPLIT: list[Case] = [
    ("/incidents", [("actor", "Iran")]),  # few early months have rows: the second part counts
    ("/incidents", [("actor", "Iran"), ("date_from", "2019-01-01")]),  # the first part fills
    ("/incidents", [("actor", "China"), ("date_from", "2004-02-29"), ("date_to", "2016-01-01")]),
    ("/statements", [("date_from", "2014-01-15")]),
    ("/statements", [("speaker", "Iran"), ("date_from", "2009-09-09"), ("date_to", "2021-01-01")]),
    ("/statements", [("date_from", "2001-02-03")]),
]
NOT_SPLIT: list[Case] = [
    ("/incidents", [("actor", "Iran"), ("type", "attack"), ("date_from", "2010-01-01")]),
    ("/incidents", [("q", "talks"), ("date_from", "2010-01-01")]),
    ("/incidents", [("date_from", "2011-07-04"), ("date_to", "2017-07-15")]),  # kept months
    ("/incidents", [("actor", "Russia"), ("date_from", "2020-01-01"), ("date_to", "2023-01-01")]),
    ("/incidents", [("actor", "Iran"), ("date_to", "1998-12-31")]),  # ends before the split
    ("/statements", [("q", "talks"), ("date_from", "2010-01-01")]),
    ("/statements", [("speaker", "Iran")]),  # no date_from: no earliest date known
]


def _months(client: AppClient, path: str, params: list[tuple[str, str]]) -> list[Any]:
    body = client.get(path, params=[*params, ("facet", "month"), ("count", "none")]).json()
    facet = body["facets"]["month"]
    assert not facet["truncated"]
    return [(v["value"], v["label"], v["count"]) for v in facet["values"]]


def test_month_facets_split_at_a_month_equal_the_facet_grouped_whole(
    databases: Databases, backend: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.generate import generate

    url = databases.fresh("empty")
    generate(url, incidents=4000, seed=7, postings=False)
    split_at, run = facets.first_months, facets._run_with_budget
    taken: list[bool] = []
    calls: list[int] = []

    def recorded(*args: Any) -> Any:
        split = split_at(*args)
        taken.append(split is not None)
        return split

    def counted(*args: Any) -> Any:
        calls.append(1)
        return run(*args)

    # Grouped in SQL: the incident columns (app/incidents/columns.py) split nothing, nor the
    # statement columns (app/statements/columns.py), which count a window's months.
    settings = Settings(database_url=url, facet_budget_ms=60_000, incident_columns=False)
    monkeypatch.setattr(statement_columns, "handles", lambda *args: False)
    with AppClient(create_app(settings)) as client:
        monkeypatch.setattr(facets, "first_months", recorded)
        monkeypatch.setattr(facets, "_run_with_budget", counted)
        read, parts = [], []
        for path, params in SPLIT + NOT_SPLIT:
            taken.clear()
            calls.clear()
            read.append(_months(client, path, params))
            assert any(taken) == (backend == "postgresql" and (path, params) in SPLIT), params
            parts.append(len(calls))
        monkeypatch.setattr(facets, "first_months", lambda *args: None)
        whole = [_months(client, path, params) for path, params in SPLIT + NOT_SPLIT]
    assert read == whole
    assert all(len(months) == 50 for months in whole[:6])  # each cut at 50 months
    if backend == "postgresql":
        # Iran's and China's first 50 months hold fewer with rows: the second part counted
        # the rest; Iran's since 2019 and the statements since 2014 fill the first part.
        assert parts[:4] == [2, 1, 2, 1]
    databases.release(url)

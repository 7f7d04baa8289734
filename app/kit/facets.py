"""Facet counts over a filtered set, each under a time budget.

A facet that would stall the request is cut off and reported as truncated, the way a
search engine degrades, instead of holding a worker for seconds.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import pycountry
from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, func, literal_column, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from app.db.versions import data_version, database_key
from app.kit.counting import TotalAccuracy

MAX_VALUES = 50


class FacetValue(BaseModel):
    value: str | int | None = Field(description="The value to filter by (slug, code, year...).")
    label: str = Field(description="Human-readable label.")
    count: int = Field(description="Matching items with this value.")


class Facet(BaseModel):
    values: list[FacetValue] = Field(description="Most frequent first (dates: in order).")
    truncated: bool = Field(
        default=False,
        description="True when the facet ran out of its time budget and is incomplete.",
    )


@dataclass(frozen=True)
class FacetSpec:
    """How to count one facet: a GROUP BY statement and how to label its rows."""

    query: Select[Any, Any, Any]  # rows of (value, label, count), in the order to show
    relabel: Callable[[Any], str] | None = None  # a label from the value (country names)
    # The statement split at a month (`first_months`): the rows before it, whose values
    # come first, then those from it on for the values still wanted.
    split: tuple[Select[Any, Any, Any], Select[Any, Any, Any]] | None = None


def first_months(
    session: Session,
    query: Select[Any, Any, Any],
    column: Any,
    lowest: date | None,
    highest: date | None,
) -> tuple[Select[Any, Any, Any], Select[Any, Any, Any]] | None:
    """PostgreSQL: the month facet `query` (months of `column` in order) split at the
    MAX_VALUES-th month after `lowest`'s: the months before it, then the others. A month's
    rows are all on one side, so its count is the same, and the first part's months come
    first: the split is right at any month. It saves grouping the rows after it when at
    least MAX_VALUES months before it have rows, so `lowest` is where most of the facet's
    rows begin; `highest` bounds `column` from above (None when the split would cut
    nothing).

    A month facet shows the first 50 months, yet grouped every row of the filters: Russia's
    171,000 entries since 1983 sorted by month (to disk), 0.11 s at 1M, for its first 50
    months' 3,101 entries (3 ms)."""
    if session.get_bind().dialect.name != "postgresql" or lowest is None:
        return None
    months = lowest.year * 12 + lowest.month - 1 + MAX_VALUES
    if months // 12 > date.max.year:
        return None
    bound = date(months // 12, months % 12 + 1, 1)
    if highest is not None and highest < bound:
        return None
    return query.where(column < bound), query.where(column >= bound)


def of_nothing(
    names: Sequence[str], total: int, accuracy: TotalAccuracy
) -> dict[str, Facet] | None:
    """Every facet empty when the list's total is exactly 0 (nothing to count), else None.

    The filters were counted already: grouping them again found nothing after reading as
    much (`/incidents?date_from=2026-06-18&actor=Azerbaijan&facet=month`, past the data:
    0.12 s of the request's 0.3 s at 1M, profiled).
    """
    if total != 0 or accuracy is not TotalAccuracy.exact:
        return None
    return {name: Facet(values=[]) for name in names}


def period(session: Session, column: Any, unit: str) -> ColumnElement[str]:
    """`YYYY` or `YYYY-MM` of a date column, on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY" if unit == "year" else "YYYY-MM")
    # SQLite stores a date as YYYY-MM-DD text: its first four (seven) characters are the year
    # (month), a quarter less CPU than strftime's over 900,000 incidents (profiled at 1M).
    prefix: ColumnElement[int] = literal_column("4" if unit == "year" else "7")
    return func.substr(column, literal_column("1"), prefix)


def country_label(code: str | None) -> str:
    if code is None:
        return "unknown"
    country = pycountry.countries.get(alpha_3=code)
    return str(country.name) if country else code


# How long a whole-dataset facet may take, once per data version.
WHOLE_DATASET_BUDGET_MS = 10_000

# Whole-dataset facets, (database, query) -> (data version, facet): only an ingest changes
# them (it bumps the data version), and grouping a million incidents by month took 0.4 s of
# every unfiltered `facet=month` request at 1M (profiled).
_whole_dataset: dict[tuple[str, str], tuple[int, Facet]] = {}

# Facets of filtered lists, (database, query) -> (data version, facet), the most recently
# used last: a facet is the same on every page of a list (a cursor, the limit and the order
# change none of it), and each next page counted it again (page 2 of
# `date_from=1992-11-30&q=talks&sort=-date&facet=month`: 0.35 s of CPU at 1M, profiled). Only
# a facet counted within its budget is kept, and not one whose query carries a long list of
# ids (its key alone would be as long).
_filtered: OrderedDict[tuple[str, str], tuple[int, Facet]] = OrderedDict()
_FILTERED_KEPT = 2_048
_KEPT_KEY_CHARS = 16_384
_filtered_lock = threading.Lock()  # request threads reorder and evict it


def _kept_filtered(key: tuple[str, str], version: int) -> Facet | None:
    with _filtered_lock:
        kept = _filtered.get(key)
        if kept is None or kept[0] != version:
            return None
        _filtered.move_to_end(key)
        return kept[1]


def _keep_filtered(key: tuple[str, str], version: int, facet: Facet) -> None:
    with _filtered_lock:
        _filtered[key] = (version, facet)
        _filtered.move_to_end(key)
        while len(_filtered) > _FILTERED_KEPT:
            _filtered.popitem(last=False)


def compute(
    session: Session, specs: dict[str, FacetSpec], budget_ms: int, *, whole_dataset: bool = False
) -> dict[str, Facet]:
    """Each facet's values, most relevant first; a facet over budget comes back truncated.

    `whole_dataset`: the facets count every row (no filter); each is counted once per data
    version under a longer budget (`WHOLE_DATASET_BUDGET_MS`) and kept until the version
    changes: under the request's budget a month histogram of 1M incidents (0.6 s) came back
    truncated on every request.
    """
    facets: dict[str, Facet] = {}
    version = data_version(session)
    for name, spec in specs.items():
        query = spec.query.limit(MAX_VALUES)
        compiled = query.compile(session.get_bind())
        # The parameters too: `year` and `month` differ only in strftime's bound format.
        key = (database_key(session), f"{compiled} {sorted(compiled.params.items())}")
        if version is not None:
            if whole_dataset:
                whole = _whole_dataset.get(key)
                found = whole[1] if whole is not None and whole[0] == version else None
            else:
                found = _kept_filtered(key, version)
            if found is not None:
                facets[name] = found
                continue
        budget = max(budget_ms, WHOLE_DATASET_BUDGET_MS) if whole_dataset else budget_ms
        if spec.split is None:
            rows = _run_with_budget(session, query, budget)
        else:
            rows = _split_rows(session, spec.split, budget)
        if rows is None:
            facets[name] = Facet(values=[], truncated=True)
            continue
        values = [
            FacetValue(
                value=value,
                label=spec.relabel(value) if spec.relabel else str(row_label),
                count=int(count),
            )
            for value, row_label, count in rows
        ]
        facets[name] = Facet(values=values)
        if version is None:
            continue
        if whole_dataset:
            _whole_dataset[key] = (version, facets[name])
        elif len(key[1]) <= _KEPT_KEY_CHARS:
            _keep_filtered(key, version, facets[name])
    return facets


def _split_rows(
    session: Session,
    split: tuple[Select[Any, Any, Any], Select[Any, Any, Any]],
    budget_ms: int,
) -> list[Any] | None:
    """The first MAX_VALUES rows of a statement split in two (`FacetSpec.split`): those of
    the first part, then as many of the second as are still wanted; None past the budget."""
    before, after = split
    rows = _run_with_budget(session, before.limit(MAX_VALUES), budget_ms)
    if rows is None or len(rows) == MAX_VALUES:
        return rows
    more = _run_with_budget(session, after.limit(MAX_VALUES - len(rows)), budget_ms)
    return None if more is None else rows + more


def _run_with_budget(session: Session, query: Select[Any], budget_ms: int) -> list[Any] | None:
    """The query's rows, or None when it did not finish within `budget_ms`."""
    if session.get_bind().dialect.name == "postgresql":
        savepoint = session.begin_nested()
        try:
            session.execute(text(f"SET LOCAL statement_timeout = {int(budget_ms)}"))
            rows = list(session.execute(query))
        except DBAPIError as exc:
            if "statement timeout" not in str(exc.orig):
                raise
            rows = None
        # Rolling back the savepoint also restores the request's own statement_timeout.
        savepoint.rollback()
        return rows
    raw = session.connection().connection.driver_connection
    deadline = time.monotonic() + budget_ms / 1000
    # SQLite calls this every N virtual-machine steps; a non-zero answer interrupts the query.
    raw.set_progress_handler(lambda: int(time.monotonic() > deadline), 10_000)  # type: ignore[union-attr]
    try:
        return list(session.execute(query))
    except DBAPIError as exc:
        if "interrupted" not in str(exc.orig):
            raise
        return None
    finally:
        raw.set_progress_handler(None, 0)  # type: ignore[union-attr]

"""Full-text search on both backends: SQLite FTS5 on the embedded default, tsvector on PostgreSQL.

Any user string is safe: it is tokenised here and passed as a bound parameter, never spliced
into SQL or into FTS5 query syntax.
"""

import functools
import math
import re
import threading
import typing
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

import numpy as np
import pydantic_core
from sqlalchemy import (
    ColumnElement,
    Date,
    Double,
    Executable,
    Integer,
    Select,
    String,
    Subquery,
    Table,
    any_,
    bindparam,
    cast,
    column,
    func,
    literal,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import (
    BinaryExpression,
    BindParameter,
    BooleanClauseList,
    ColumnClause,
)
from sqlalchemy.sql.functions import Function

from app.db import kept_sql
from app.db.arrays import IntegerArray, array_text
from app.db.base import built_json, json_ids
from app.db.versions import KeptPerDataVersion, database_key
from app.errors import InvalidParameter
from app.kit import counting, postings, ranking
from app.kit.counting import CountLimits, CountMode, TotalAccuracy
from app.kit.cursors import decode_cursor, encode_cursor
from app.kit.pagination import (
    SortKey,
    Walking,
    Window,
    after_cursor,
    cursor_at,
    cursor_position,
    highest_id,
    order_by,
    paginate,
    paging_of,
    rows_after_in_two,
    rows_by_id,
    walking_of,
)
from app.kit.ranking import MatchSet, RankedMatches, RankingCache

M = TypeVar("M")

# English stemming on both sides (FTS5's porter tokenizer, PostgreSQL's 'english' config), so
# "accused" finds "accuses" on either backend.
PG_CONFIG = "english"
MARK_START, MARK_END = "<mark>", "</mark>"
PG_HEADLINE = f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8, MaxFragments=1"

_PHRASE_OR_WORD = re.compile(r'"([^"]*)"|(\w+\*?)', re.UNICODE)


@dataclass(frozen=True)
class Searchable:
    fts_table: str  # SQLite FTS5 table, rowid = the row's id
    # The text PostgreSQL builds its stored `search_fts` vector from (see the migrations);
    # headlines are cut from it.
    pg_document: str
    snippet_column: int  # FTS5 column shown in snippets


# The search document of each table, by table name (the migrations build the same ones).
SEARCHABLE: dict[str, Searchable] = {
    "incident": Searchable("incident_fts", "search_text", 0),
    "statement": Searchable("statement_fts", "search_text", 0),
    "actor": Searchable("actor_fts", "search_text", 0),
    # Capped so a huge article stays under the 1 MB tsvector limit (matches the migration).
    "source": Searchable("source_fts", "left(coalesce(title, '') || ' ' || text, 300000)", 1),
}


def _searchable(model: type) -> Searchable:
    return SEARCHABLE[model.__tablename__]  # type: ignore[attr-defined]


def fts5_query(q: str) -> str | None:
    """A user string as an FTS5 query of quoted phrases and words (all must match)."""
    terms = []
    for phrase, word in _PHRASE_OR_WORD.findall(q):
        if phrase:
            words = re.findall(r"\w+", phrase)
            if words:
                terms.append('"' + " ".join(words) + '"')
        elif word:
            prefix = word.endswith("*")
            word = word.rstrip("*")
            if word:
                terms.append(f'"{word}"' + ("*" if prefix else ""))
    return " ".join(terms) or None


def matches(session: Session, model: type, q: str, *, drives: bool = True) -> ColumnElement[bool]:
    """A WHERE condition: the row of `model` matches `q`.

    `drives=False`: another condition (a small date window) selects fewer rows than the
    search does, and SQLite should walk those and test each against the matches rather than
    start from the matches.
    """
    spec = _searchable(model)
    id_column = model.id  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        query = func.websearch_to_tsquery(literal_column(f"'{PG_CONFIG}'"), bindparam("fts_q", q))
        return _pg_vector(model).op("@@")(query)
    expression = fts5_query(q)
    if expression is None:
        return literal_column("1") == literal_column("0")
    fts = table(spec.fts_table, column("rowid", Integer))
    hits = select(fts.c.rowid).where(
        literal_column(spec.fts_table).op("MATCH")(bindparam("fts_q", expression))
    )
    if not drives:
        # `id + 0` is no longer the rowid, so SQLite cannot start from the match list: it
        # walks the other condition's index and looks each row up in the list, built once.
        # A broad word matches a third of a million incidents; counting those of a 34-row
        # window took 1.35 s, starting from the window 6 ms (profiled at 1M).
        not_driving: ColumnElement[bool] = (id_column + 0).in_(hits)
        return not_driving
    condition: ColumnElement[bool] = id_column.in_(hits)
    return condition


def _pg_vector(model: type) -> ColumnElement[Any]:
    """The stored tsvector PostgreSQL searches: parsed once when the row was written
    (migration store_search_vectors_on_postgresql), GIN-indexed."""
    return literal_column(f"{model.__tablename__}.search_fts")  # type: ignore[attr-defined]


def snippets(session: Session, model: type, q: str, ids: list[int]) -> dict[int, str]:
    """A short highlighted excerpt (<mark>…</mark>) per matching id."""
    if not ids:
        return {}
    spec = _searchable(model)
    rows: Iterable[Any]
    if session.get_bind().dialect.name == "postgresql":
        # Our own SQL on the DBAPI cursor, the ids one array parameter: through the Session
        # it was compiled and rendered with an expanding `IN` for each page.
        rows = kept_sql.fetch_plain(
            session.connection(),
            _pg_snippets_sql(spec, model.__tablename__),  # type: ignore[attr-defined]
            {"q": q, "ids": array_text(ids)},
        )
    else:
        expression = fts5_query(q)
        if expression is None:
            return {}
        # Our own SQL, the ids one JSON array: sent on the DBAPI cursor, where SQLAlchemy
        # compiled and rendered an expanding `IN` for each page (a third of the statement's
        # share of a search page's GIL time, profiled at 1M).
        (document,) = kept_sql.fetch_plain(
            session.connection(), _fts5_snippets_sql(spec), (expression, json_ids(ids))
        )[0]
        rows = built_json(document)
    return {int(row[0]): str(row[1]) for row in rows}


@functools.cache
def _pg_snippets_sql(spec: Searchable, table: str) -> str:
    """PostgreSQL: the headlines of the rows among an integer array of ids (`%(ids)s`, its
    text form) for a web search (`%(q)s`), in psycopg's named paramstyle."""
    return (
        f"SELECT id, ts_headline('{PG_CONFIG}', {spec.pg_document}, "
        f"websearch_to_tsquery('{PG_CONFIG}', %(q)s), '{PG_HEADLINE}') "
        f"FROM {table} WHERE id = ANY(%(ids)s::integer[])"
    )


@functools.cache
def _fts5_snippets_sql(spec: Searchable) -> str:
    """SQLite: the snippets of the rows among a JSON array of ids that match an FTS5 query, as
    one JSON document of [id, snippet] pairs: read row by row, each row let another request
    thread take the GIL (`app/db/one_step.py`). FTS5 runs `snippet()` only in the query that
    matches, so that query is a subquery SQLite may not merge into the aggregate (`LIMIT -1`)."""
    return (
        "SELECT json_group_array(json_array(id, snippet)) FROM ("
        f"SELECT rowid AS id, snippet({spec.fts_table}, {spec.snippet_column}, "
        f"'{MARK_START}', '{MARK_END}', '…', 16) AS snippet "
        f"FROM {spec.fts_table} WHERE {spec.fts_table} MATCH ? "
        "AND rowid IN (SELECT value FROM json_each(?)) LIMIT -1)"
    )


# -- ranking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Unsearched(Generic[M]):
    """A list's other filters without `q`, for reading a search's page from its matches."""

    rows: Select[M]  # the page's shape
    # The same rows' ids, shaped for visiting every one (as the list counts them).
    ids: Select[Any] | None = None


@dataclass(frozen=True)
class Ranked(Generic[M]):
    window: Window[M]
    scores: dict[int, float]


def _scores(
    session: Session, model: type, q: str, among: list[int] | Select[Any] | None = None
) -> Subquery:
    """(id, score) of every row matching `q` (of the rows `among`, when given: ids, or a
    query of them; on PostgreSQL a query of the searched rows themselves, filters and search
    in one statement); a higher score is a better match. A row's score is the same either way:
    ts_rank_cd and bm25 read the row and the table's statistics, never the other rows a
    query asks for."""
    spec = _searchable(model)
    if session.get_bind().dialect.name == "postgresql":
        config: ColumnElement[str] = literal_column(f"'{PG_CONFIG}'")
        document = _pg_vector(model)
        query = func.websearch_to_tsquery(config, bindparam("rank_q", q))
        id_column = model.id  # type: ignore[attr-defined]
        scored = (
            # ts_rank_cd is float4; as float8 the cursor's value compares exactly.
            select(
                id_column.label("id"),
                cast(func.ts_rank_cd(document, query), Double).label("score"),
            ).where(document.op("@@")(query))
        )
        if isinstance(among, list):
            # One array parameter rather than thousands of bound values.
            ids: ColumnElement[Any] = bindparam("among", among, type_=IntegerArray())
            scored = scored.where(id_column == any_(ids))
        elif among is not None:
            # The searched rows' own statement (the filters and the search, `_among_searched`):
            # scored where they are found, so the planner ANDs the filters' indexes with the
            # word's before reading a row, instead of listing the filters' rows first.
            scored = among.with_only_columns(*scored.selected_columns, maintain_column_froms=True)
            scored = scored.order_by(None)
        return scored.subquery("ranked")
    fts = table(spec.fts_table, column("rowid", Integer))
    expression = fts5_query(q) or '""'
    # bm25() is lower for better matches; negate it so both backends sort descending.
    scored = select(
        fts.c.rowid.label("id"),
        cast(-func.bm25(literal_column(spec.fts_table)), Double).label("score"),
    ).where(literal_column(spec.fts_table).op("MATCH")(bindparam("rank_q", expression)))
    if among is not None:
        # `rowid + 0`: FTS5 walks the word's matches once and each is looked up in the other
        # rows' list, built once; bm25 runs on those that are in it. As a constraint on the
        # rowid FTS5 would start over for each id, and bm25 count the word's rows again each
        # time (10 ms a row for `talks` at 1M, profiled).
        listed = _json_ids(among) if isinstance(among, list) else among
        scored = scored.where((fts.c.rowid + literal_column("0")).in_(listed))
    return scored.subquery("ranked")


def paginate_ranked(
    session: Session,
    stmt: Select[M],
    model: type,
    q: str,
    *,
    scope: str,
    cursor: str | None,
    limit: int,
    limits: CountLimits,
    count_mode: CountMode,
    without_search: Unsearched[M] | None = None,
    count_stmt: Select[Any] | None = None,
    cache: RankingCache[RankedMatches] | None = None,
) -> Ranked[M]:
    """One page of `stmt` by relevance to `q` (then id), with each item's score.

    `without_search`: the same filters as `stmt` without `q`. With it the page is read from
    every match ranked once per data version (`app.kit.ranking`); without it (or with no
    data version to key the ranking on) the database ranks every match for this page.
    """
    id_column = model.id  # type: ignore[attr-defined]
    if without_search is not None:
        version = ranking.data_version(session)
        if version is not None:
            page_args: dict[str, Any] = {
                "scope": scope,
                "cursor": cursor,
                "limit": limit,
                "limits": limits,
                "count_mode": count_mode,
                "count_stmt": count_stmt,
            }
            # The searched rows, as an exact total counts them.
            searched = count_stmt if count_stmt is not None else stmt
            if (
                cache is None
                and RANKINGS.kept(_ranking_key(session, model, q, version)) is None
                and _kept_among_filters(session, model, q, version, without_search) is None
            ):
                # One frequent word: its first places are read off its postings when they
                # decide the page (`app.kit.postings`), instead of ranking every match.
                prefix = _postings_prefix(session, model, q, version)
                if prefix is not None and _postings_may_decide(
                    session, model, q, prefix, without_search, searched, cursor, scope, limit
                ):
                    counted = _MatchCount(session, model, q, version, prefix.matches)
                    from_postings = _page_of_ranked(
                        session,
                        stmt,
                        without_search,
                        prefix.ranked,
                        model,
                        counted=counted,
                        complete=prefix.complete,
                        **page_args,
                    )
                    if from_postings is not None:
                        return from_postings
            among_listed = False
            if cache is None:
                found = matches_for(session, model, q, version, without_search, limits, searched)
                matches, among_listed = found.ranked, found.among_listed
            else:
                matches = ranked_matches(session, model, q, version, cache)
            page = _page_of_ranked(
                session,
                stmt,
                without_search,
                matches,
                model,
                every_filtered_match=among_listed,
                **page_args,
            )
            assert page is not None  # every match is ranked: the page is always decided
            return page
    scores = _scores(session, model, q)
    ranked = stmt.add_columns(scores.c.score).join(scores, scores.c.id == id_column)
    window = paginate(
        session,
        ranked,
        scope=scope,
        key=SortKey(scores.c.score, descending=True, ties_ascending=True),
        id_column=id_column,
        cursor=cursor,
        limit=limit,
        limits=limits,
        count_mode=count_mode,
        counted=stmt,
    )
    ids = [item.id for item in window.items]
    return Ranked(
        typing.cast(Window[M], window),
        {item_id: round(float(score), 6) for item_id, score in zip(ids, window.keys, strict=True)},
    )


# Every search's ranked matches, per database and data version (bounded: see Settings); also
# the ranked matches of a search among the rows of selective filters, keyed by those filters.
RANKINGS: RankingCache[RankedMatches] = RankingCache(4_000_000)
# Every search's matches, unranked, for pages in another order (SQLite; same bound).
MATCH_SETS: RankingCache[MatchSet] = RankingCache(4_000_000)


def _ranking_key(session: Session, model: type, q: str, version: int) -> tuple[Any, ...]:
    return _table_ranking_key(session, model.__tablename__, q, version)  # type: ignore[attr-defined]


def _table_ranking_key(session: Session, table: str, q: str, version: int) -> tuple[Any, ...]:
    spec = SEARCHABLE[table]
    dialect = session.get_bind().dialect.name
    search = q if dialect == "postgresql" else (fts5_query(q) or '""')
    # The URL's text made once per engine (rendered for each key, ~10 us a search).
    return (database_key(session), version, spec.fts_table, search)


def _ranked(
    session: Session, model: type, q: str, among: list[int] | Select[Any] | None
) -> RankedMatches:
    # Off the term's every row: on PostgreSQL for every match too, on SQLite among the
    # filters' listed rows only (`postings.TermRows.ranked`).
    postgresql = session.get_bind().dialect.name == "postgresql"
    if isinstance(among, list) or (postgresql and among is None):
        off_rows = _ranked_off_term_rows(session, model, q, among)
        if off_rows is not None:
            return off_rows
    scores = _scores(session, model, q, among)
    # Put in the order the page query has always used (score descending, then id) by
    # `RankedMatches.of`; read as the driver's plain tuples, which takes half the time of
    # building a Row for each of a third of a million matches (profiled).
    return RankedMatches.of(_driver_rows(session, select(scores.c.id, scores.c.score)))


def _listed_ids(session: Session, every_id: Select[Any]) -> list[int]:
    """The ids `every_id` selects, listed once per session (a request's): a relevance page
    the kept start of a ranking could not decide lists the filters' rows again on the way it
    falls back to (0.1 s for 36,000 incidents of one type at 1M, profiled)."""
    compiled = every_id.compile(
        dialect=session.get_bind().dialect, compile_kwargs={"render_postcompile": True}
    )
    key = ("search.listed_ids", str(compiled), repr(sorted(compiled.params.items())))
    kept: list[int] | None = session.info.get(key)
    if kept is None:
        listing = counting.listing_of(every_id)
        if listing is not None:
            kept = listing(session)  # each once, ascending (`counting.listed_by`)
        elif session.get_bind().dialect.name == "sqlite":
            # Each id once, ascending: every caller takes them as a set (counts them against
            # a search's matches, or orders them by rank), so the statement need not remove
            # duplicates itself (a DISTINCT over Israel's 104,735 participations since 1994
            # took 54 ms of the shell's 88 at 1M, sorting them here 3 ms).
            kept = counting.distinct_ids(_listed_column(session, every_id)).tolist()
        else:
            kept = [row[0] for row in _driver_rows(session, every_id)]
        session.info[key] = kept
    return kept


def _listed_column(session: Session, stmt: Select[Any]) -> Any:
    """`counting.listed_column`: every id `stmt` selects (SQLite), as an int64 vector."""
    return counting.listed_column(session, stmt)


def _driver_rows(session: Session, stmt: Executable) -> list[Any]:
    """Every row of `stmt` as the driver returns it (ints and floats here)."""
    result = session.connection().execute(stmt)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


def ranked_matches(
    session: Session, model: type, q: str, version: int, cache: RankingCache[RankedMatches]
) -> RankedMatches:
    """Every row of `model` matching `q`, best first, as ranked under data `version`."""
    key = _ranking_key(session, model, q, version)
    return cache.get(key, lambda: _ranked(session, model, q, None))


# On PostgreSQL, other filters selecting at most this many rows, when the search's ranking is
# not kept yet, have only their own rows ranked (by primary key, ts_rank_cd on each: 10-25 us a
# row at 1M on the loaded machine, profiled), not every match of the search (1.5-5 s for a word
# in a third of the rows at 1M).
_CANDIDATES = 10_000
# ... and, for a broader search, filters of up to this share of its matches (the planner's
# estimate of them), at most `_MOST_CANDIDATES` rows: ranking among the filters' rows costs
# 6-9 us a row at 1M, ranking every match ~2.3 us a match (profiled: Brazil's 11,000 rows since
# 1991 in 55-90 ms, every one of `talks`' 348,513 matches in 0.8 s).
_CANDIDATES_SHARE_OF_MATCHES = 0.25
_MOST_CANDIDATES = 50_000
# On SQLite, other filters estimated at no more than this many rows have the search ranked
# among their rows alone: FTS5 walks the word's matches (no score: 0.1-0.2 s for a word in a
# third of a million incidents) and bm25 runs on those in the filters' rows, instead of on
# every match (1 s and more for that word; profiled at 1M). Not by primary key as on
# PostgreSQL: an FTS5 query restricted to one rowid counts the word's rows for bm25 again.
_INTERSECTED_FILTER_ROWS = 100_000
# ... and at no more than this share of the search's matches (see `_selective`).
_INTERSECTED_SHARE_OF_MATCHES = 0.5


@dataclass(frozen=True)
class Matches:
    """The search's matches a page is read from: all of them, ranked and kept, or only those
    among the other filters' rows (`every_match` False), which is all such a page needs."""

    ranked: RankedMatches
    every_match: bool
    # Ranked among every one of the other filters' rows, listed: exactly the rows a total
    # counts (PostgreSQL's candidates).
    among_listed: bool = False


def matches_for(
    session: Session,
    model: type,
    q: str,
    version: int,
    unsearched: Unsearched[Any],
    limits: CountLimits,
    searched: Select[Any] | None = None,
) -> Matches:
    """The matches of `q` to read a relevance page of `unsearched` (plus `q`) from.

    `searched`: the rows of `unsearched` matching `q`, the statement an exact total counts.
    """
    key = _ranking_key(session, model, q, version)
    kept = RANKINGS.kept(key)
    if kept is not None:
        return Matches(kept, True)
    among_kept = _kept_among_filters(session, model, q, version, unsearched)
    if among_kept is not None:
        return among_kept
    if unsearched.rows.whereclause is not None:
        id_column = model.id  # type: ignore[attr-defined]
        ids_only = unsearched.rows.with_only_columns(
            id_column, maintain_column_froms=True
        ).order_by(None)
        every_id = _every_id(unsearched, ids_only)
        if _ranks_searched_rows(session, model, q, version, searched):
            assert searched is not None
            if _searched_few(session, model, q, searched):
                # Ranked where they are found, in one statement; kept under the filters as a
                # ranking among their listed rows is (it holds the same rows).
                ranked = RANKINGS.get(
                    _among_key(session, key, every_id),
                    lambda: _ranked(
                        session, model, q, _among_searched(session, searched, id_column)
                    ),
                )
                return Matches(ranked, False, True)
        else:
            among = _selective(session, model, q, every_id, ids_only, id_column, limits)
            if among is not None:
                # Kept under the filters too: the same filters' next page reads it again.
                among_key = _among_key(session, key, every_id)
                ranked = RANKINGS.get(
                    among_key, lambda: _ranked(session, model, q, _among_listed(session, among))
                )
                return Matches(ranked, False, isinstance(among, list))
    return Matches(RANKINGS.get(key, lambda: _ranked(session, model, q, None)), True)


def _ranks_searched_rows(
    session: Session, model: type, q: str, version: int, searched: Select[Any] | None
) -> bool:
    """PostgreSQL: whether a search under filters ranks the rows that match both
    (`searched`), found and ranked in one statement or listed by the incident columns,
    rather than the filters' rows listed (`_selective`). Not when its term's every row is
    kept and the columns list nothing: ranked off those rows, the filters' listed ids cost
    a scan of an index, where one statement read each match's stored vector (`/sources?
    date_from=1999-03-30&date_to=2000-03-29&actor=Iran&actor=France&q=talks`: 0.55 s at 1M,
    loaded)."""
    if searched is None or session.get_bind().dialect.name != "postgresql":
        return False
    if counting.listing_of(searched) is not None:
        return True
    return _term_rows(session, model.__tablename__, q, version) is None  # type: ignore[attr-defined]


def _among_listed(session: Session, among: list[int] | Select[Any]) -> list[int] | Select[Any]:
    """SQLite: the filters' rows a search is ranked among, as their ids listed once per
    request (`_listed_ids`), which the page's exact total reads too. FTS5 then looks each
    match up in one JSON array where the filters' statement ran again to build its list
    (`date_from=1991-04-04&actor=France&q=talks&type=attack` at 1M: 80 -> 51 ms in the
    shell, 30 of them the filters' statement)."""
    if isinstance(among, list) or session.get_bind().dialect.name != "sqlite":
        return among
    return _listed_ids(session, among)


# Per statement object, while it lives: its ids-only form and its SQL as a key. The
# statements of the other filters are built once per process or data version
# (`IncidentRepository._where`), so these are too: compiled for a key on every request, they
# were 6 % of a search page's GIL time (profiled at 1M, `q=pipeline`).
_IDS_ONLY: "weakref.WeakKeyDictionary[Select[Any], Select[Any]]" = weakref.WeakKeyDictionary()
_SQL_KEYS: "weakref.WeakKeyDictionary[Select[Any], dict[tuple[Any, bool], tuple[str, str]]]" = (
    weakref.WeakKeyDictionary()
)


def ids_only_of(stmt: Select[Any], id_column: Any) -> Select[Any]:
    """`stmt` selecting only `id_column`, unordered; the same object for the same `stmt`."""
    kept = _IDS_ONLY.get(stmt)
    if kept is None:
        kept = stmt.with_only_columns(id_column, maintain_column_froms=True).order_by(None)
        _IDS_ONLY[stmt] = kept
    return kept


def _sql_key(session: Session, stmt: Select[Any], *, postcompile: bool = False) -> tuple[str, str]:
    """`stmt`'s SQL and its bound values, as text: what it selects, as a key."""
    dialect = session.get_bind().dialect
    by_dialect = _SQL_KEYS.get(stmt)
    if by_dialect is None:
        by_dialect = _SQL_KEYS.setdefault(stmt, {})
    kept = by_dialect.get((dialect, postcompile))
    if kept is None and (around := counting.made_around(stmt)) is not stmt:
        # Made with options around another (the same SQL): that one's, compiled once.
        kept = _sql_key(session, around, postcompile=postcompile)
        by_dialect[(dialect, postcompile)] = kept
    if kept is None:
        compiled = stmt.compile(
            dialect=dialect, compile_kwargs={"render_postcompile": True} if postcompile else {}
        )
        kept = by_dialect[(dialect, postcompile)] = (
            str(compiled),
            repr(sorted(compiled.params.items())),
        )
    return kept


def _among_key(session: Session, key: tuple[Any, ...], every_id: Select[Any]) -> tuple[Any, ...]:
    """The key of a search's ranking among the rows `every_id` selects."""
    return (*key, *_sql_key(session, every_id, postcompile=True))


def _kept_among_filters(
    session: Session, model: type, q: str, version: int, unsearched: Unsearched[Any]
) -> Matches | None:
    """The search ranked among the other filters' rows, when an earlier page of the same
    filters ranked and kept it (their next pages, or the same page again): read it before
    trying anything else (a postings prefix that did not decide the first page walked again
    for each: 0.12 s for `actor=France&type=attack&q=talks` at 1M on PostgreSQL)."""
    if unsearched.rows.whereclause is None:
        return None
    id_column = model.id  # type: ignore[attr-defined]
    ids_only = ids_only_of(unsearched.rows, id_column)
    key = _ranking_key(session, model, q, version)
    ranked = RANKINGS.kept(_among_key(session, key, _every_id(unsearched, ids_only)))
    if ranked is None:
        return None
    # PostgreSQL ranks among the filters' rows listed in full, SQLite among their query.
    return Matches(ranked, False, session.get_bind().dialect.name == "postgresql")


def _selective(
    session: Session,
    model: type,
    q: str,
    every_id: Select[Any],
    ids_only: Select[Any],
    id_column: Any,
    limits: CountLimits,
) -> list[int] | Select[Any] | None:
    """The other filters' rows, when they are few enough that ranking the search among them
    alone is cheaper than ranking all its matches (PostgreSQL: their ids; SQLite: the query
    of them); else None."""
    if session.get_bind().dialect.name == "postgresql":
        bound = _candidates_bound(session, model, q)
        if counting.listing_of(every_id) is not None:
            candidates = _listed_ids(session, every_id)  # the incident columns'
        else:
            candidates = list(session.scalars(every_id.limit(bound + 1)))
        return candidates if len(candidates) <= bound else None
    probed = _sample(session, ids_only, id_column, limits.sqlite, every_id)
    # No sample: the table spans at most `limits.sqlite` ids, and so do the filters' rows.
    estimated = limits.sqlite if probed is None else probed.span.estimate(len(probed.ids))
    if estimated > _INTERSECTED_FILTER_ROWS:
        return None
    # Ranking every match costs about three times what walking them does, and is kept for
    # every later request: worth it unless the filters hold well under half the matches
    # (`pipeline` in sources: 125 ms among 35,000 rows of Israel's, 127 ms all 97,000).
    worth_it = estimated <= _match_count(session, model, q) * _INTERSECTED_SHARE_OF_MATCHES
    return every_id if worth_it else None


def _postings_may_decide(
    session: Session,
    model: type,
    q: str,
    prefix: postings.Prefix,
    unsearched: Unsearched[Any],
    searched: Select[Any],
    cursor: str | None,
    scope: str,
    limit: int,
) -> bool:
    """Whether a page under other filters is worth reading off the kept start of a ranking:
    on PostgreSQL, not when the planner expects fewer than a page of the other filters' rows
    among its places from the cursor on (the share of the search's matches they hold, by the
    estimates of both). Walking it then only finds it cannot decide the page: 80-125 ms for
    `date_from=1991-09-09&actor=Brazil&q=talks` at 1M (3,489 of 349,573 matches estimated, 42
    of 4,096 places). An estimate only chooses the way: the page is the same either way."""
    if prefix.complete or unsearched.rows.whereclause is None:
        return True
    if session.get_bind().dialect.name != "postgresql":
        return True
    places = len(prefix.ranked) - _start_after(prefix.ranked, cursor, scope)
    every_match = _estimated_matches(session, model, q)
    among = _searched_rows(session, searched)
    return among * places >= (limit + 1) * max(every_match, 1)


def _searched_few(session: Session, model: type, q: str, searched: Select[Any]) -> bool:
    """PostgreSQL: whether the rows of the other filters matching `q` (`searched`) are, by the
    planner's estimate, few enough to rank in one statement, filters and search together
    (`_candidates_bound`), rather than rank every match of `q`. One statement finds them off
    the indexes of both (a `BitmapAnd` of an actor's `actor_ids_pg` and the word's GIN) where
    listing the filters' rows first read each of them (`date_from=1991-09-09&actor=Brazil&
    q=talks` at 1M: 10,368 rows listed in 186 ms, their 3,578 matches ranked by primary key in
    96 ms; one statement 30-70 ms). An estimate only chooses the way: both rank the same rows.
    """
    bound = _candidates_bound(session, model, q)
    return bound > 0 and _searched_rows(session, searched) < bound


def _searched_rows(session: Session, searched: Select[Any]) -> int:
    """How many rows `searched` selects: exactly when they are listed in memory
    (`counting.listed_by`: the incident columns), else the planner's estimate."""
    if counting.listing_of(searched) is not None:
        return counting.listed_size(session, searched)
    return counting.planner_estimate(session, searched)


def _among_searched(
    session: Session, searched: Select[Any], id_column: Any
) -> list[int] | Select[Any]:
    """The ids of the rows `searched` selects: listed in memory when they are (the incident
    columns: only those rows are read and ranked, by primary key), else its own statement
    (see `_scores`), where the planner had the filters' indexes and the word's GIN to AND and
    read more rows than match both (`actor=China&actor=Russia&q=embassy&type=agreement`:
    110 ms at 1M, warm)."""
    listing = counting.listing_of(searched)
    if listing is not None:
        return listing(session)
    return searched.with_only_columns(id_column, maintain_column_froms=True).order_by(None)


def _candidates_bound(session: Session, model: type, q: str) -> int:
    """How many of the other filters' rows, at most, PostgreSQL ranks alone rather than every
    match of `q` (which the ranking keeps for later requests): `_CANDIDATES`, or a share of a
    broad search's matches as the planner estimates them (an estimate only chooses the way;
    both give the same pages)."""
    if _CANDIDATES <= 0:
        return _CANDIDATES
    estimated = _estimated_matches(session, model, q)
    broad = min(int(estimated * _CANDIDATES_SHARE_OF_MATCHES), _MOST_CANDIDATES)
    return max(_CANDIDATES, broad)


# How many rows match a search, per database, data version and search (SQLite).
_MATCH_COUNTS: OrderedDict[tuple[Any, ...], int] = OrderedDict()
_MATCH_COUNTS_KEPT = 1024
_MATCH_COUNTS_LOCK = threading.Lock()


def _match_count(session: Session, model: type, q: str) -> int:
    """How many rows match `q` (SQLite): FTS5 counts them off the index without reading a
    row (16 ms for a word in a third of a million incidents at 1M), once per data version."""
    version = ranking.data_version(session)
    if version is None:
        return _fts5_count(session, model, q)
    key = _ranking_key(session, model, q, version)
    with _MATCH_COUNTS_LOCK:
        if key in _MATCH_COUNTS:
            _MATCH_COUNTS.move_to_end(key)
            return _MATCH_COUNTS[key]
    # A word's kept postings prefix counted its matches the same way (FTS5, same data version):
    # a relevance page under filters reads both (16-19 ms a count for `talks` at 1M).
    prefix = PREFIXES.kept(("postings", *key))
    if prefix is not None and prefix is not postings.UNUSABLE and prefix.matches is not None:
        counted = prefix.matches
    else:
        counted = _fts5_count(session, model, q)
    with _MATCH_COUNTS_LOCK:
        _MATCH_COUNTS[key] = counted
        while len(_MATCH_COUNTS) > _MATCH_COUNTS_KEPT:
            _MATCH_COUNTS.popitem(last=False)
    return counted


def _fts5_count(session: Session, model: type, q: str) -> int:
    spec = _searchable(model)
    fts = table(spec.fts_table, column("rowid", Integer))
    counted = (
        select(func.count())
        .select_from(fts)
        .where(
            literal_column(spec.fts_table).op("MATCH")(bindparam("count_q", fts5_query(q) or '""'))
        )
    )
    return int(session.scalar(counted) or 0)


def _search_for_order(session: Session, model: type, q: str, version: int) -> "_Search":
    """Which rows match `q`, as a page in an order other than relevance needs to know."""
    key = _ranking_key(session, model, q, version)
    kept = RANKINGS.kept(key)
    if kept is not None:
        return _Search(session, model, q, kept, len(kept))
    if session.get_bind().dialect.name == "postgresql":
        table = model.__tablename__  # type: ignore[attr-defined]
        listed = _listed(session, table, q) if table in LISTED_FOR_ORDER else None
        if listed is not None:
            return _Search(session, model, q, listed, len(listed))
        # Listing every match reads each row's stored vector (a second for a word in a third
        # of a million incidents at 1M): the rows a page walks are tested in SQL instead, by
        # primary key, and the planner estimates how broad the search is.
        return _Search(session, model, q, None, _estimated_matches(session, model, q))
    table = model.__tablename__  # type: ignore[attr-defined]
    found = MATCH_SETS.get(("matches", *key), lambda: _match_set(session, table, q))
    return _Search(session, model, q, found, len(found))


def _estimated_matches(session: Session, model: type, q: str) -> int:
    """The planner's estimate of the rows matching `q`, kept per database, data version,
    table and words: the statement built and its cache key generated for each request were
    ~0.1 ms of `q=pipeline&sort=-date`'s CPU on PostgreSQL (profiled at 1M)."""
    table = model.__tablename__  # type: ignore[attr-defined]

    def estimated() -> int:
        id_column = model.id  # type: ignore[attr-defined]
        searched = select(id_column).where(matches(session, model, q))
        return counting.planner_estimate(session, searched)

    return _ESTIMATED_MATCHES.get(session, (table, q), estimated)


_ESTIMATED_MATCHES: KeptPerDataVersion[int] = KeptPerDataVersion(10_000)


# PostgreSQL: the tables whose searches in another order than relevance test rows against
# their term's listed matches (`_listed`) in memory, where each walked batch was tested in
# SQL by primary key (`/statements?q=corridor&sort=-date`: 40-60 ms of probes at 1M).
LISTED_FOR_ORDER = frozenset({"statement"})


def listed_matches(session: Session, model: type, q: str) -> Any | None:
    """Every row matching `q`, as an int64 vector of ids ascending (read-only); None on
    PostgreSQL when they are not listed cheaply (`_listed`)."""
    found = _listed(session, model.__tablename__, q)  # type: ignore[attr-defined]
    return None if found is None else np.frombuffer(found.ids_ascending, dtype=np.int64)


def _listed(session: Session, table: str, q: str) -> RankedMatches | MatchSet | None:
    """Every row of `table` matching `q`, kept per data version as the pages in date order
    keep them (`MATCH_SETS`), or the search's ranking when a page by relevance kept it.
    Both list them off the postings' every row of its one term (`postings.term_rows`: 10 ms
    for `talks`' 348,513 incidents at 1M on SQLite, where FTS5 listed them in 40-45). Where
    `q` is not one such term or the table's postings are out of date, SQLite lists them off
    FTS5, and PostgreSQL not at all (None): its GIN index would read each match's row."""
    version = ranking.data_version(session)
    sqlite = session.get_bind().dialect.name == "sqlite"
    if version is None:
        return _match_set(session, table, q) if sqlite else None
    key = _table_ranking_key(session, table, q, version)
    found: RankedMatches | MatchSet | None = RANKINGS.kept(key) or MATCH_SETS.kept(
        ("matches", *key)
    )
    if found is not None:
        return found
    found_rows = _term_rows(session, table, q, version)
    if found_rows is not None:
        rows = found_rows[1]
        return MATCH_SETS.get(("matches", *key), lambda: MatchSet.of_ids(rows.ids()))
    if sqlite:
        return MATCH_SETS.get(("matches", *key), lambda: _match_set(session, table, q))
    return None


def _term_rows(
    session: Session, table: str, q: str, version: int
) -> tuple[str, postings.TermRows] | None:
    """(term, every row of it) when `q` is one term with postings, else None; kept per data
    version (`TERM_ROWS`), the None too: finding it out is a round trip or two
    (the term of `q`, its rows) that every page of a search of two words would pay again."""
    searched = postings.SEARCHED.get(table)
    if searched is None:
        return None
    key = ("term rows", *_table_ranking_key(session, table, q, version))
    kept = TERM_ROWS.kept(key)
    if kept is None:
        connection = session.connection()
        sqlite = connection.dialect.name == "sqlite"
        term = postings.term_of(connection, fts5_query(q) if sqlite else None, q)
        rows = None if term is None else postings.term_rows(connection, searched, term)
        kept = TERM_ROWS.get(key, lambda: _KeptTermRows(term, rows))
    if kept.term is None or kept.rows is None:
        return None
    return kept.term, kept.rows


@dataclass(frozen=True)
class _KeptTermRows:
    """A search's term and its every row; None for either where `q` has none."""

    term: str | None
    rows: postings.TermRows | None

    def __len__(self) -> int:
        # What a kept None holds against the cache's bound: one entry's worth.
        return 1 if self.rows is None else len(self.rows)


# The terms' every row read for searches (`postings.term_rows`): 4-10 ms a read on PostgreSQL
# for a word in a third of 1M incidents.
TERM_ROWS: RankingCache[_KeptTermRows] = RankingCache(8_000_000)


def _ranked_off_term_rows(
    session: Session, model: type, q: str, among: list[int] | None
) -> RankedMatches | None:
    """The matches of `q` (among the rows `among` lists, when given) ranked off its term's
    every row (`postings.TermRows.ranked`); None when `q` is not one term with postings.
    PostgreSQL's ts_rank_cd read each one's stored vector (3,578 of `talks` among Brazil's
    incidents since 1991: 100 ms warm, 0.75 s from a cold disk, at 1M); SQLite's FTS5 walked
    every match of the word to find those among the filters' rows (604 of `talks`' 348,513
    among France's attacks since 1991: 98 ms at 1M), where their ids and lengths are looked
    up."""
    version = ranking.data_version(session)
    if version is None:
        return None
    found = _term_rows(session, model.__tablename__, q, version)  # type: ignore[attr-defined]
    if found is None:
        return None
    term, rows = found
    within = None if among is None else np.unique(np.asarray(among, dtype=np.int64))
    searched = postings.SEARCHED[model.__tablename__]  # type: ignore[attr-defined]
    return rows.ranked(session.connection(), searched, term, q, within)


def _match_set(session: Session, table_name: str, q: str) -> MatchSet:
    """Every row matching `q` (SQLite), unscored: FTS5 lists them in rowid order."""
    spec = SEARCHABLE[table_name]
    fts = table(spec.fts_table, column("rowid", Integer))
    expression = fts5_query(q) or '""'
    listed = select(fts.c.rowid).where(
        literal_column(spec.fts_table).op("MATCH")(bindparam("match_q", expression))
    )
    return MatchSet.of_ids(_listed_column(session, listed))


@dataclass(frozen=True)
class _Search:
    """A search as a page in another order tests its rows against: in memory when every
    match is listed (`listed`), else in SQL."""

    session: Session
    model: type
    q: str
    listed: RankedMatches | MatchSet | None
    estimated: int  # how many rows match: exact when listed

    def matched(self, row_ids: list[int]) -> list[bool]:
        """Whether each of `row_ids` matches, in their order."""
        if self.listed is not None:
            return ranking.found_among(self.listed, row_ids)
        found = self.matching(row_ids)
        return [row_id in found for row_id in row_ids]

    def matching(self, row_ids: list[int]) -> set[int]:
        """Those of `row_ids` that match."""
        if self.listed is not None:
            return set(self.listed.matching(row_ids))
        if not row_ids:
            return set()
        id_column = self.model.id  # type: ignore[attr-defined]
        tested = select(id_column).where(
            id_column.in_(row_ids), matches(self.session, self.model, self.q)
        )
        return {int(row_id) for row_id in self.session.scalars(tested)}


def _page_of_ranked(
    session: Session,
    stmt: Select[M],
    unsearched: Unsearched[M],
    matches: RankedMatches,
    model: type,
    *,
    scope: str,
    cursor: str | None,
    limit: int,
    limits: CountLimits,
    count_mode: CountMode,
    count_stmt: Select[Any] | None,
    counted: "RankedMatches | _MatchCount | None" = None,
    complete: bool = True,
    every_filtered_match: bool = False,
) -> Ranked[M] | None:
    """The page `paginate` would cut from `stmt` ordered by score, then id: read from
    `matches`, with only the other filters (`unsearched`) asked of the database.

    `complete` False: `matches` is only the start of the ranking (a term's postings) and
    `counted` answers for every match in totals; None when that start does not hold the page.
    `every_filtered_match`: `matches` holds every row of the other filters that matches, so
    an exact total is their number (where SQL counted the same rows again).
    """
    id_column = model.id  # type: ignore[attr-defined]
    without_search = unsearched.rows
    ids_only = ids_only_of(without_search, id_column)
    filtered = without_search.whereclause is not None
    every_id = _every_id(unsearched, ids_only)
    start = _start_after(matches, cursor, scope)
    wanted = limit + 1
    if not complete and start >= len(matches):
        return None

    walked = _walked_first(
        session, ids_only, every_id, id_column, matches, start, wanted, complete, filtered
    )
    if walked is not None and len(walked) < wanted:
        return None

    def decided(listed: list[int]) -> None:
        # The filters' rows are listed: whether the start of the ranking holds the page is
        # known before their matches are counted (which may list every match).
        if not complete and len(_ranks_of(matches, listed, start)) < wanted:
            raise _Undecided

    try:
        total, accuracy, listed = _ranked_total(
            session,
            stmt,
            ids_only,
            every_id,
            filtered,
            counted if counted is not None else matches,
            count_mode,
            limits,
            id_column,
            count_stmt,
            on_listed=decided,
            known_exact=len(matches) if every_filtered_match else None,
        )
    except _Undecided:
        return None
    if not filtered or every_filtered_match:
        # Every ranked row meets the other filters (none, or the ranking is among their rows
        # alone): the page is the next places, without testing them (three statements, 50 ms
        # for a second page under `actor=Russia` over a decade at 1M on PostgreSQL).
        ranks = list(range(start, min(start + wanted, len(matches))))
    elif listed is not None:
        ranks = _ranks_of(matches, listed, start)[:wanted]
    else:
        ranks = walked or _walk(session, ids_only, every_id, id_column, matches, start, wanted)
    if not (complete or len(ranks) >= wanted):
        return None  # a row the postings did not keep may come next
    more = len(ranks) > limit
    ranks = ranks[:limit]
    page_ids = [matches.ids[r] for r in ranks]
    scores = [matches.scores[r] for r in ranks]
    items = rows_by_id(session, without_search, id_column, page_ids)
    next_cursor = encode_cursor([scope, scores[-1], page_ids[-1]]) if more else None
    if count_mode is CountMode.none:
        total, accuracy = len(items) + (1 if next_cursor else 0), TotalAccuracy.at_least
    window: Window[M] = Window(items, next_cursor, total, accuracy, scores)
    return Ranked(
        window,
        {row_id: round(score, 6) for row_id, score in zip(page_ids, scores, strict=True)},
    )


def _walked_first(
    session: Session,
    ids_only: Select[Any],
    every_id: Select[Any],
    id_column: Any,
    matches: RankedMatches,
    start: int,
    wanted: int,
    complete: bool,
    filtered: bool,
) -> list[int] | None:
    """PostgreSQL never lists the filters' rows for a total: whether the start of a ranking
    (`complete` False) holds the page is known by walking it, before a total is counted in SQL
    (seconds for a broad word under an actor at 1M). None: walked later, as always."""
    if complete or not filtered or session.get_bind().dialect.name != "postgresql":
        return None
    return _walk(session, ids_only, every_id, id_column, matches, start, wanted)


def _start_after(matches: RankedMatches, cursor: str | None, scope: str) -> int:
    """The place in `matches` a page after `cursor` starts at."""
    if not cursor:
        return 0
    _, value, last_id = decode_cursor(cursor, scope)
    try:
        return matches.position_after(float(value), int(last_id))
    except (TypeError, ValueError):
        raise InvalidParameter("cursor", "not a cursor this list issued") from None


# Other filters whose own rows are estimated at no more than this are listed (one index walk,
# ~1 µs a row) to count them exactly and order them by rank in memory: an exact count in SQL
# of `actor=Brazil&date_from=1991-09-09&q=talks` took 34 s at 1M (profiled), drawn from the
# search's third of a million matches.
_LISTED_FILTER_ROWS = 200_000


def _every_id(unsearched: Unsearched[Any], ids_only: Select[Any]) -> Select[Any]:
    """The other filters' ids in the shape that visits every one cheapest."""
    if unsearched.ids is None:
        return ids_only
    if not unsearched.ids._order_by_clauses:
        # The statement itself, not a copy made for each request: what is kept of it (its
        # SQL as a key, `_sql_key`) is found again.
        return unsearched.ids
    return unsearched.ids.order_by(None)


def _ranked_total(
    session: Session,
    stmt: Select[Any],
    ids_only: Select[Any],
    every_id: Select[Any],
    filtered: bool,
    matches: "RankedMatches | MatchSet | _MatchCount | None",
    mode: CountMode,
    limits: CountLimits,
    id_column: Any,
    count_stmt: Select[Any] | None,
    on_listed: Callable[[list[int]], None] = lambda listed: None,
    counted_ids: list[int] | None = None,
    known_exact: int | None = None,
) -> tuple[int, TotalAccuracy, list[int] | None]:
    """`total_for(stmt)`: the same decisions on the same numbers, so the same total, with
    the search tested in memory instead of in SQL (where it first listed every match: 60-400
    ms for a broad word at 1M). Also the ids the other filters select when they were listed.
    Without `matches` (a search tested in SQL), in SQL as `total_for` does; given
    `counted_ids`, that exact count lists the counted rows' ids into it instead (the same
    rows visited, one query: their number is the count). `known_exact`: the exact count is
    already known (every matching row of the filters listed), where it would be counted.
    """
    if mode is CountMode.none:
        return 0, TotalAccuracy.at_least, None
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        decided = _postgresql_total(session, stmt, mode, limits, known_exact)
        if decided is not None:
            return decided[0], decided[1], None
    filter_rows = None
    if dialect == "sqlite" and matches is not None:
        probed = _sample(session, ids_only, id_column, limits.sqlite, every_id)
        if probed is not None:
            if mode is CountMode.estimated:
                # The same probes `count` takes, the search tested on them in memory.
                sampled = probed.span.estimate(_hits_in_sample(probed, matches))
                if sampled > limits.sqlite:
                    return sampled, TotalAccuracy.estimated, None
            filter_rows = probed.span.estimate(len(probed.ids))
    if not filtered and matches is not None:
        return len(matches), TotalAccuracy.exact, None
    if matches is not None and filter_rows is not None and filter_rows <= _LISTED_FILTER_ROWS:
        total, listed = _filter_rows_matching(
            session, ids_only, every_id, id_column, matches, filter_rows, on_listed
        )
        return total, TotalAccuracy.exact, listed
    exact = count_stmt if count_stmt is not None else stmt
    return _counted_in_sql(session, exact, id_column, counted_ids), TotalAccuracy.exact, None


def _hits_in_sample(
    probed: counting.Sample, matches: "RankedMatches | MatchSet | _MatchCount"
) -> int:
    """How many of a sample's probes match: counted once per sample and match list where the
    matches are listed (`Sample.hits_in`), else once per sample and search, tested in SQL
    (`Sample.hits_of_search`)."""
    listed = (
        matches.every_match_for(len(probed.ids)) if isinstance(matches, _MatchCount) else matches
    )
    if listed is not None:
        return probed.hits_in(listed)
    assert isinstance(matches, _MatchCount)
    table_name = matches.model.__tablename__  # type: ignore[attr-defined]
    return probed.hits_of_search((table_name, matches.q), matches.count_in)


def _filter_rows_matching(
    session: Session,
    ids_only: Select[Any],
    every_id: Select[Any],
    id_column: Any,
    matches: "RankedMatches | MatchSet | _MatchCount",
    filter_rows: int,
    on_listed: Callable[[list[int]], None],
) -> tuple[int, list[int]]:
    """How many of the other filters' rows match the search, and their rows listed (those
    that match, or all of them): all a page's places and the date order's hits need."""
    few = _few_matches(matches, filter_rows, every_id)
    if few is not None:
        # A rare word: each of its matches tested against the other filters costs less than
        # listing their rows (`/sources?q=ghana&date_from=2013-01-01` at 1M: 198,925 sources
        # listed for 1,058 matches).
        listed = _matches_meeting_filters(session, ids_only, every_id, id_column, few, filter_rows)
        on_listed(listed)
        return len(listed), listed
    # Counted exactly by listing the other filters' rows and testing each in memory: SQL
    # would first list every match of the search, or drive the count from them.
    # As the driver's tuples: a Row for each of 100,000 ids took a third of the time.
    listed = _listed_ids(session, every_id)
    on_listed(listed)
    return matches.count_in(listed), listed


def _matches_meeting_filters(
    session: Session,
    ids_only: Select[Any],
    every_id: Select[Any],
    id_column: Any,
    few: Any,
    filter_rows: int,
) -> list[int]:
    """Those of the search's `few` matches (ascending, an int64 vector) that meet the other filters,
    ascending: told apart in memory where the filters say how (`counting.tested_by`), else
    probed by primary key."""
    tester = counting.tester_of(every_id)
    if tester is None:
        return sorted(_meeting_filters(session, ids_only, id_column, few.tolist(), filter_rows))
    return few[np.asarray(tester(session, few), dtype=bool)].tolist()  # type: ignore[no-any-return]


def _few_matches(
    matches: "RankedMatches | MatchSet | _MatchCount", filter_rows: int, every_id: Select[Any]
) -> Any | None:
    """The id of every match of the search (ascending, an int64 vector over the kept
    matches: made a list, then a vector again, 25,093 of them were ~1 ms of each request of
    `q=pipeline&type=arrest` at 1M, measured), when they are few enough that
    testing each one against the other filters (`_matches_meeting_filters`) costs less than
    listing the filters' `filter_rows` rows; else None. A search's matches not listed yet
    (`_MatchCount`) are listed only when their known number is that small."""
    if counting.tester_of(every_id) is not None:
        per_match = 1  # tested in memory
    elif counting.listing_of(every_id) is not None:
        # Listed in memory too (~0.25 us a row all told), each match probed by primary key
        # (~5 us for a source under `actor=Iran` at 1M, measured).
        per_match = _LISTED_PER_PROBED_MATCH
    else:
        per_match = _PROBED_PER_BATCH_ID  # both in SQL
    if isinstance(matches, _MatchCount):
        if matches.known is None or filter_rows <= per_match * matches.known:
            return None
        every = matches.every_match()
        return None if every is None else np.frombuffer(every.ids_ascending, dtype=np.int64)
    if filter_rows <= per_match * len(matches):
        return None
    return np.frombuffer(matches.ids_ascending, dtype=np.int64)


# Rows of the other filters listed in memory (`counting.listed_by`) per match of a search
# that costs as much to probe by primary key.
_LISTED_PER_PROBED_MATCH = 32


def _postgresql_total(
    session: Session,
    stmt: Select[Any],
    mode: CountMode,
    limits: CountLimits,
    known_exact: int | None,
) -> tuple[int, TotalAccuracy] | None:
    """The planner's estimate when it is over the exact-count threshold, else the exact count
    when it is already known; None: still to be counted."""
    if mode is CountMode.estimated:
        planned = counting.planner_estimate(session, stmt)
        if planned > limits.postgresql:
            return planned, TotalAccuracy.estimated
    return None if known_exact is None else (known_exact, TotalAccuracy.exact)


def _counted_in_sql(
    session: Session, exact: Select[Any], id_column: Any, counted_ids: list[int] | None
) -> int:
    """How many rows `exact` selects; their ids listed into `counted_ids` when given."""
    _roomy_bitmaps(session)
    counted_another_way = counting.counter_of(exact) if counted_ids is None else None
    if counted_another_way is not None:
        return counted_another_way(session)  # the same rows (`counting.counted_by`)
    if counted_ids is None:
        in_window = _kept_window_count(session, exact)
        if in_window is not None:
            return in_window
    if counted_ids is not None:
        listed = counting.listing_of(exact)
        if listed is not None:
            # The same rows, listed more cheaply (`counting.listed_by`: the incident columns).
            counted_ids.extend(listed(session))
            return len(counted_ids)
        listing = exact.with_only_columns(id_column, maintain_column_froms=True).order_by(None)
        counted_ids.extend(int(row[0]) for row in _driver_rows(session, listing))
        return len(counted_ids)
    counter = exact.with_only_columns(func.count(), maintain_column_froms=True).order_by(None)
    return int(session.scalar(counter) or 0)


# PostgreSQL: a word's matches' dates, kept per (database, data version, q), so an exact total
# of the word in a date window is counted in memory. A rarer word over a decade was counted in
# SQL by reading a heap page per match (`q=gas` from 2014-04-26 to 2024-04-23: 12,764 of its
# 25,093 matches, 15,700 pages and a 612,000-row bitmap of the window's date_end, 220-420 ms
# warm, every request); every match's two dates, read once, are 170-200 ms, and each window
# after that is two comparisons over 25,000 numbers. Only where the window's estimate is at
# least a quarter of the word's (a short window stays cheaper in SQL), and for words of up to
# `_KEPT_DATES_MATCHES` matches (by the planner's estimate); `_KEPT_DATES_TOTAL` dates in all.
_KEPT_DATES_MATCHES = 64_000
_KEPT_DATES_WINDOW_SHARE = 4  # the window's estimate times this at least the word's
_KEPT_DATES_TOTAL = 4_000_000
_KEPT_DATES: OrderedDict[tuple[str, int, str], tuple[Any, Any]] = OrderedDict()
_KEPT_DATES_LOCK = threading.Lock()
_EPOCH = date(1970, 1, 1)
_DATE_TESTS: dict[str, Callable[[Any, int], Any]] = {
    "ge": lambda days, value: days >= value,
    "gt": lambda days, value: days > value,
    "le": lambda days, value: days <= value,
    "lt": lambda days, value: days < value,
    "eq": lambda days, value: days == value,
}


def _kept_window_count(session: Session, exact: Select[Any]) -> int | None:
    """How many rows `exact` selects, from the kept dates of its word's matches, when `exact`
    is a word and comparisons of the searched table's date_start and date_end with days, or
    from its listed matches when it is the word alone (None: counted in SQL)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    shape = _word_in_window(exact)
    if shape is None:
        return None
    searched, q, tests = shape
    version = ranking.data_version(session)
    if version is None:
        return None
    if not tests:
        # The search alone: as many rows as its term's postings list (a count through the
        # GIN index read each match's row: `/sources?q=embassy&count=exact`, 284,498
        # sources, 0.69 s at 1M).
        listed = _listed(session, searched.name, q)
        return None if listed is None else len(listed)
    key = (database_key(session), version, f"{searched.name}:{q}")
    with _KEPT_DATES_LOCK:
        kept = _KEPT_DATES.get(key)
        if kept is not None:
            _KEPT_DATES.move_to_end(key)
    if kept is None:
        every_match = counting.planner_estimate(
            session, select(searched.c.id).where(_pg_match(searched, q))
        )
        if every_match > _KEPT_DATES_MATCHES:
            return None
        if counting.planner_estimate(session, exact) * _KEPT_DATES_WINDOW_SHARE < every_match:
            return None  # a short window: its own rows are fewer to read
        kept = _dates_of_matches(session, searched, q)
        _keep_dates(key, kept)
    starts, ends = kept
    selected = np.ones(len(starts), dtype=bool)
    for name, operator, value in tests:
        days = starts if name == "date_start" else ends
        selected &= _DATE_TESTS[operator](days, (value - _EPOCH).days)
    return int(np.count_nonzero(selected))


def _keep_dates(key: tuple[str, int, str], kept: tuple[Any, Any]) -> None:
    with _KEPT_DATES_LOCK:
        _KEPT_DATES[key] = kept
        held = sum(len(starts) for starts, _ in _KEPT_DATES.values())
        while held > _KEPT_DATES_TOTAL and len(_KEPT_DATES) > 1:
            _, (dropped, _) = _KEPT_DATES.popitem(last=False)
            held -= len(dropped)


def _pg_match(searched: Any, q: str) -> ColumnElement[bool]:
    """`matches(session, model, q)` on PostgreSQL, for the model's table."""
    query = func.websearch_to_tsquery(literal_column(f"'{PG_CONFIG}'"), bindparam("fts_q", q))
    condition: ColumnElement[bool] = literal_column(f"{searched.name}.search_fts").op("@@")(query)
    return condition


def _dates_of_matches(session: Session, searched: Any, q: str) -> tuple[Any, Any]:
    """Every match's (date_start, date_end) as days since 1970, read-only numpy arrays."""
    epoch = literal(_EPOCH)
    days = select(
        func.array_agg(searched.c.date_start - epoch), func.array_agg(searched.c.date_end - epoch)
    ).where(_pg_match(searched, q))
    row = _driver_rows(session, days)[0]
    starts = np.array(row[0] or [], dtype=np.int32)
    ends = np.array(row[1] or [], dtype=np.int32)
    starts.setflags(write=False)
    ends.setflags(write=False)
    return starts, ends


def _word_in_window(stmt: Select[Any]) -> tuple[Any, str, list[tuple[str, str, date]]] | None:
    """(table, q, [(column name, operator, day)]) when `stmt` selects rows of one table by
    exactly one search of `q` and comparisons of its NOT NULL date_start and date_end with
    days (none: the search alone, in any table); else None."""
    froms = stmt.get_final_froms()
    if len(froms) != 1 or not isinstance(froms[0], Table):
        return None
    searched = froms[0]
    dates = [searched.c.get("date_start"), searched.c.get("date_end")]
    dated = not any(column is None or column.nullable for column in dates)
    if (
        stmt._group_by_clauses
        or stmt._having_criteria
        or stmt._limit_clause is not None
        or stmt._offset_clause is not None
        or stmt._distinct
    ):
        return None
    q: str | None = None
    tests: list[tuple[str, str, date]] = []
    for criterion in _conjuncts(stmt):
        searched_q = _searched_q(searched, criterion)
        if searched_q is not None and q is None:
            q = searched_q
            continue
        test = _date_test(dates, criterion) if dated else None
        if test is None:
            return None
        tests.append(test)
    return None if q is None else (searched, q, tests)


def _conjuncts(stmt: Select[Any]) -> list[Any]:
    criteria: list[Any] = []
    for criterion in stmt._where_criteria:
        if isinstance(criterion, BooleanClauseList) and criterion.operator is operators.and_:
            criteria.extend(criterion.clauses)
        else:
            criteria.append(criterion)
    return criteria


def _date_test(dates: list[Any], criterion: Any) -> tuple[str, str, date] | None:
    """(column name, operator, day) of `date column <op> :day`, else None."""
    if not isinstance(criterion, BinaryExpression):
        return None
    operator = getattr(criterion.operator, "__name__", None)
    if operator not in _DATE_TESTS or not any(criterion.left.compare(c) for c in dates):
        return None
    if not isinstance(criterion.right, BindParameter):
        return None
    value = criterion.right.effective_value
    if type(value) is not date:
        return None
    return criterion.left.name, operator, value


def _searched_q(searched: Any, criterion: Any) -> str | None:
    """The q of `matches(session, model, q)` on PostgreSQL for `searched`, or None."""
    if not isinstance(criterion, BinaryExpression):
        return None
    operator, left, right = criterion.operator, criterion.left, criterion.right
    if not (isinstance(operator, operators.custom_op) and operator.opstring == "@@"):
        return None
    if not (isinstance(left, ColumnClause) and left.name == f"{searched.name}.search_fts"):
        return None
    if not (isinstance(right, Function) and right.name == "websearch_to_tsquery"):
        return None
    arguments = list(right.clauses)
    if len(arguments) != 2 or not isinstance(arguments[1], BindParameter):
        return None
    config = arguments[0]
    if not (isinstance(config, ColumnClause) and config.name == f"'{PG_CONFIG}'"):
        return None
    value = arguments[1].effective_value
    return value if isinstance(value, str) else None


# PostgreSQL's work_mem for the rest of a request's transaction once it counts a search's rows
# exactly: the count ANDs the word's GIN bitmap (a third of a million rows for `talks` at 1M)
# with the filters' and reads the rows of both; in the default 4 MB the bitmap went lossy and
# every row of 31,081 whole pages was tested again (`q=talks` in a year: 680 ms in `psql`,
# 164,533 rows removed by the recheck; 205 ms with 21,000 exact pages). Per transaction (`SET
# LOCAL`): a statement's bitmap takes what it needs, at most this.
_COUNT_WORK_MEM = "32MB"


def _roomy_bitmaps(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.connection().exec_driver_sql(f"SET LOCAL work_mem = '{_COUNT_WORK_MEM}'")


# The other filters' sample per (database, data version, statement): it does not depend on the
# search, and a list without other filters (the search page's four) probes the same ~1,000 ids
# for every word: 5-45 ms each at 1M (profiled).
_SAMPLES: OrderedDict[tuple[str, int, str, str, int], counting.Sample | None] = OrderedDict()
_SAMPLES_KEPT = 256
_SAMPLES_LOCK = threading.Lock()


def _sample(
    session: Session, ids_only: Select[Any], id_column: Any, bound: int, every_id: Select[Any]
) -> counting.Sample | None:
    """`counting.sample` of `ids_only`, kept; `every_id` selects the same rows (and may say
    how to test them in memory)."""
    version = ranking.data_version(session)
    if version is None:
        return counting.sample(session, ids_only, id_column, bound, every_id)
    key = (database_key(session), version, *_sql_key(session, ids_only), bound)
    with _SAMPLES_LOCK:
        if key in _SAMPLES:
            _SAMPLES.move_to_end(key)
            return _SAMPLES[key]
    probed = counting.sample(session, ids_only, id_column, bound, every_id)
    with _SAMPLES_LOCK:
        _SAMPLES[key] = probed
        while len(_SAMPLES) > _SAMPLES_KEPT:
            _SAMPLES.popitem(last=False)
    return probed


def _ranks_of(matches: RankedMatches, row_ids: Iterable[int], start: int) -> list[int]:
    """The places of the matching `row_ids` from `start` on, best first."""
    return matches.ranks_in(row_ids, start)


# Matches tested against the other filters per query while walking the ranked list: growing,
# so a broad filter costs one small query and a narrow one a few larger ones.
_WALK_BATCHES = (256, 1024, 4096, 8192)
# Past this many matches walked without filling the page, the other filters are selective:
# their own rows are listed instead and ordered by rank (a date window of a few hundred
# incidents against a word matching a third of a million).
_WALK_BUDGET = 16_384


def _walk(
    session: Session,
    ids_only: Select[Any],
    every_id: Select[Any],
    id_column: Any,
    matches: RankedMatches,
    start: int,
    wanted: int,
) -> list[int]:
    """The first `wanted` places from `start` on whose rows meet the other filters.

    A walk is kept with the ranking it walked: a ranking is one data version's, and so are
    the filters' rows, so the same places under the same filters (their SQL and values) meet
    them the same way until an ingest. The first page of a statement search tested its first
    256 places against "not from a syndicated copy" in SQL on every request (0.28 ms of a
    1.5 ms `/statements?q=corridor` on SQLite, 0.16 of 1.2 on PostgreSQL, at 1M); one tested in
    memory (the incident columns) ~0.05 ms."""
    key = (
        _sql_key(session, ids_only, postcompile=True),
        _sql_key(session, every_id, postcompile=True),
        start,
        wanted,
    )
    walks = matches.walks
    kept = walks.get(key)
    if kept is None:
        found = _walked_places(session, ids_only, every_id, id_column, matches, start, wanted)
        if len(walks) >= _KEPT_WALKS_PER_RANKING:
            walks.clear()
        kept = walks[key] = tuple(found)
    return list(kept)


# Walks kept per ranking, by filters, start and length: past this many it starts again.
_KEPT_WALKS_PER_RANKING = 256


def _walked_places(
    session: Session,
    ids_only: Select[Any],
    every_id: Select[Any],
    id_column: Any,
    matches: RankedMatches,
    start: int,
    wanted: int,
) -> list[int]:
    """`_walk`'s places, found by testing each batch of the ranking against the filters."""
    found: list[int] = []
    # The filters' rows told apart in memory (the incident columns): each batch tested there,
    # where it was a statement reading each row (`date_from=2013-10-12&date_to=2023-10-10&
    # actor=Turkey&actor=Iran&q=gas`: three batches, 166 ms at 1M on PostgreSQL, loaded), and
    # where the filters' every id was listed to test it against (a window of decades: ~1M
    # ids, 80-100 ms of each `date_from=1985-06-23&q=border` page on PostgreSQL at 1M).
    tester = counting.tester_of(every_id)
    filter_rows = None if tester is not None else _kept_estimate(session, ids_only)
    at, batches = start, iter(_WALK_BATCHES)
    size = next(batches)
    while at < len(matches) and len(found) < wanted:
        if at - start >= _WALK_BUDGET:
            rest = _ranks_of(matches, _listed_ids(session, every_id), at)
            return found + rest[: wanted - len(found)]
        if tester is not None:
            batch_ids = np.asarray(matches.ids[at : at + size], dtype=np.int64)
            found += (at + np.flatnonzero(tester(session, batch_ids))).tolist()
            at += len(batch_ids)
            size = next(batches, size)
            continue
        batch = list(matches.ids[at : at + size])
        kept = _meeting_filters(session, ids_only, id_column, batch, filter_rows)
        found += [at + i for i, row_id in enumerate(batch) if row_id in kept]
        at += len(batch)
        size = next(batches, size)
    return found[:wanted]


# PostgreSQL: per filters' statement object, while it lives, its ids among a batch.
_BATCH_TESTS: "weakref.WeakKeyDictionary[Select[Any], Select[Any]]" = weakref.WeakKeyDictionary()


def _meeting_filters(
    session: Session,
    ids_only: Select[Any],
    id_column: Any,
    batch: list[int],
    filter_rows: int | None,
) -> set[int]:
    """Those of `batch` that `ids_only` selects. On SQLite, when the filters' own rows are
    known (a kept sample's estimate) to be many more than the batch, each is probed by
    primary key (an EXISTS per id of a JSON array): as `id IN (batch)` beside the filters,
    SQLite, without statistics, walked an index of the filters instead (`speaker=Iran` since
    1992: each of Iran's statements since then for a batch of 1,024 ids, 24 -> 2.5 ms,
    measured). A probe reads the row (~2-9 us): a small window's index walk is cheaper
    (`actor=Turkey&type=protest` since 2025-12-02, 4,096 ids: 15 ms walked, 36 probed)."""
    probe = filter_rows is not None and filter_rows > _PROBED_PER_BATCH_ID * len(batch)
    if session.get_bind().dialect.name == "postgresql":
        # One statement per filters' statement, the batch one array parameter, read on the
        # DBAPI cursor: as `id IN (batch)` through the Session, each of up to thousands of
        # ids was rendered, bound and read back as a row (1.3 ms of a 3.2 ms statements
        # search, `q=corridor` at 1M, measured in process).
        tested = _BATCH_TESTS.get(ids_only)
        if tested is None:
            among = id_column == any_(bindparam("batch", type_=IntegerArray()))
            tested = _BATCH_TESTS[ids_only] = ids_only.where(among)
        return set(kept_sql.first_column(session.connection(), tested, {"batch": batch}))
    if not probe:
        return set(session.scalars(ids_only.where(id_column.in_(batch))))
    return set(counting.probed_in_sql(session, ids_only, id_column, batch))


# SQLite: the filters' rows per batch id past which a walked batch's ids are probed one by one.
_PROBED_PER_BATCH_ID = 8


def _kept_estimate(session: Session, ids_only: Select[Any]) -> int | None:
    """SQLite: how many rows `ids_only` selects, by a sample already kept for it (never
    taken here); None when there is none."""
    if session.get_bind().dialect.name != "sqlite":
        return None
    version = ranking.data_version(session)
    if version is None:
        return None
    sql, params = _sql_key(session, ids_only)
    prefix = (database_key(session), version, sql)
    with _SAMPLES_LOCK:
        for key, probed in reversed(_SAMPLES.items()):
            if key[:3] == prefix and key[3] == params:
                return None if probed is None else probed.span.estimate(len(probed.ids))
    return None


def _id_among(session: Session, id_column: Any, ids: list[int]) -> ColumnElement[bool]:
    """`id_column` is one of `ids`: one array parameter on PostgreSQL (thousands of bound
    values cost more to compile and send than the query takes)."""
    if session.get_bind().dialect.name == "postgresql":
        among: ColumnElement[bool] = id_column == any_(
            bindparam("among_ids", ids, type_=IntegerArray())
        )
        return among
    # SQLite: one JSON array too (5,000 hits bound one by one cost more to compile and bind
    # than the statement takes to run).
    listed: ColumnElement[bool] = id_column.in_(_json_ids(ids))
    return listed


def _json_ids(ids: list[int]) -> Select[Any]:
    """SQLite: the values of `ids` as one bound JSON array (`json_each`)."""
    each = func.json_each(bindparam("among_json", json_ids(ids))).table_valued("value")
    return select(each.c.value)


def paginate_listing(
    session: Session,
    stmt: Select[M],
    model: type,
    f: Any,
    *,
    scope: str,
    key: SortKey,
    limits: CountLimits,
    count_stmt: Select[Any] | None = None,
    without_search: Callable[[], Unsearched[M]] | None = None,
    every_match: Select[Any] | None = None,
    cut_from_ids: bool = True,
) -> Ranked[M]:
    """A list's page: by relevance when the filters search and ask for it, else by `key`.

    `without_search` builds the same filters without `q`: relevance pages are then read from
    the search's ranked matches (see `paginate_ranked`). `every_match`, when `stmt` only
    selects the rows of the page it is for, selects every match: what a total estimates;
    `cut_from_ids` as `paginate`'s.
    """
    id_column = model.id  # type: ignore[attr-defined]
    if f.effective_sort == "relevance" and not f.q:
        raise InvalidParameter("sort", "relevance needs q (there is nothing to rank by)")
    if f.q and f.effective_sort == "relevance":
        return paginate_ranked(
            session,
            stmt,
            model,
            f.q,
            scope=f"{scope}:relevance",
            cursor=f.cursor,
            limit=f.limit,
            limits=limits,
            count_mode=f.count,
            without_search=without_search() if without_search is not None else None,
            count_stmt=count_stmt,
        )
    if f.q and without_search is not None:
        # A search in another order: the search's matches are tested in memory while the
        # other filters are walked in that order.
        version = ranking.data_version(session)
        if version is not None:
            unsearched = without_search()
            searched = _search_for_order(session, model, f.q, version)
            # A narrow search is left to SQL (see _BROAD_MATCHES).
            broad = _BROAD_MATCHES
            if session.get_bind().dialect.name == "sqlite":
                broad //= _SQLITE_NARROWER
            if searched.estimated >= broad:
                walked = _page_in_order(
                    session,
                    stmt,
                    unsearched,
                    searched,
                    model,
                    key,
                    scope=f"{scope}:{f.effective_sort}",
                    cursor=f.cursor,
                    limit=f.limit,
                    limits=limits,
                    count_mode=f.count,
                    count_stmt=count_stmt,
                )
                if walked is not None:
                    return walked
    window = paginate(
        session,
        stmt,
        scope=f"{scope}:{f.effective_sort}",
        key=key,
        id_column=id_column,
        cursor=f.cursor,
        limit=f.limit,
        limits=limits,
        count_mode=f.count,
        count_stmt=count_stmt,
        counted=every_match,
        cut_from_ids=cut_from_ids,
    )
    return Ranked(window, {})


# A search matching fewer rows than this is tested in SQL (its match list is small to build);
# a broader one in memory, where SQL listed every match for each request (60-400 ms at 1M for
# a word in a third of all incidents), or drove the page from the matches and probed each
# against the other filters (seconds with an actor).
_BROAD_MATCHES = 20_000
# On SQLite a search this many times narrower is walked in memory already: its plan in SQL
# reads every match's row by primary key and sorts them, ~1 us a match whatever the other
# filters (`/statements?q=drills&sort=-date`, 19,051 matches: 20 ms of CPU on every request
# at 1M, an empty window beyond the data as much; in memory 1.5-5.6 ms). PostgreSQL's plans
# stay cheaper there in SQL (its date index walked against the word's GIN bitmap).
_SQLITE_NARROWER = 4
# Rows of the other filters walked in order, at most, before giving the page back to SQL: a
# broad search meets a broad filter within a few hundred rows.
_ORDER_WALK_BUDGET = 50_000
# The same, when each walked row is tested against the search in SQL (PostgreSQL, no match
# list): each row costs a primary-key probe there.
_SQL_TESTED_WALK_BUDGET = 20_000
# Matching rows of listed filters, at most, ordered by the database from a list of their ids.
_LISTED_HITS = 20_000


def _page_in_order(
    session: Session,
    stmt: Select[M],
    unsearched: Unsearched[M],
    searched: _Search,
    model: type,
    key: SortKey,
    *,
    scope: str,
    cursor: str | None,
    limit: int,
    limits: CountLimits,
    count_mode: CountMode,
    count_stmt: Select[Any] | None,
) -> Ranked[M] | None:
    """The page `paginate` would cut from `stmt` in the order of `key`: the other filters'
    rows walked in that order, each tested against the search's matches in memory (in SQL by
    primary key when they are not listed).

    None when the walk would go on too long (the filters and the search rarely meet).
    """
    id_column = model.id  # type: ignore[attr-defined]
    without_search = unsearched.rows
    dialect = session.get_bind().dialect.name
    walk = functools.partial(_walk_in_order, without_search, id_column, key, dialect)
    after = after_cursor(key, id_column, cursor, scope) if cursor else None
    ids_only = ids_only_of(without_search, id_column)
    # The search tested in SQL (PostgreSQL): an exact total visits every matching row of the
    # filters anyway; listing their ids instead of counting them costs the same, and they are
    # then the page's candidates (a walk in order probed the filters' rows one by one: 0.5-1 s
    # for `actor=France&q=corridor&sort=-date` at 1M, where the count took 0.26 s).
    counted_ids: list[int] | None = [] if searched.listed is None else None
    total, accuracy, listed = _ranked_total(
        session,
        stmt,
        ids_only,
        _every_id(unsearched, ids_only),
        without_search.whereclause is not None,
        searched.listed,
        count_mode,
        limits,
        id_column,
        count_stmt,
        counted_ids=counted_ids,
    )
    wanted = limit + 1
    found: list[tuple[int, Any]] = []
    read: list[Any] | None = None  # the rows of `found`, when read already
    paging = paging_of(count_stmt) if count_stmt is not None else None
    first = None
    if paging is not None:
        first = paging(
            key.descending, cursor_position(key, cursor, scope) if cursor else None, wanted
        )
    hits = None if listed is None or first is not None else list(searched.matching(listed))
    if hits is None and counted_ids is not None and accuracy is TotalAccuracy.exact:
        hits = sorted(set(counted_ids))  # the only exact total without a match list
    if first is not None:
        # The page's ids found in memory among the filters' and the search's matches
        # (`pagination.paged_by`): their rows are read by id, each key from its row.
        read = rows_by_id(session, without_search, id_column, first)
        found = [(row_id, getattr(row, key.name)) for row_id, row in zip(first, read, strict=True)]
    elif hits is not None and len(hits) <= _LISTED_HITS:
        # Narrow filters, counted by listing their rows: the few that match are the list;
        # walking the filters in order could pass every row they skip.
        # Each of them meets every filter already (they were listed under them all): put in
        # order alone, without testing each one's participants again (`actor=Israel&
        # q=corridor&sort=-date` since 1994: 5,000 probes, 30-220 ms -> a few ms at 1M on
        # PostgreSQL; on SQLite 53 -> 12 ms in process, the filters' date index walked with
        # every hit probed against them, where each hit is now read by primary key and sorted).
        in_order = (
            select(id_column, key.column)
            .where(_id_among(session, id_column, hits))
            .order_by(*order_by(key, id_column, dialect))
        )
        in_order = in_order if after is None else in_order.where(after)
        found = [(int(r[0]), r[1]) for r in session.execute(in_order.limit(wanted)).all()]
    elif searched.listed is None and dialect == "postgresql" and without_search.whereclause is None:
        # The search alone: PostgreSQL walks the date index and tests each row. Under other
        # filters its plan for the bounded walk could sort every row they keep
        # (`actor=Iran&q=talks&sort=-date`: 42 -> 190 ms, measured): those keep the batches.
        tested = _tested_in_order(session, walk, after, searched, wanted, (without_search, key))
        if tested is None:
            return None
        found = tested
    elif (kept := _kept_in_date_order(session, without_search, searched, model, key)) is not None:
        # The search alone, in date order: its matches are kept in that order.
        found = kept.page(
            key.descending, cursor_position(key, cursor, scope) if cursor else None, wanted
        )
    else:
        walked_rows = _walked(
            session, walk(), after, unsearched, searched, model, key, cursor, scope, wanted
        )
        if walked_rows is None:
            return None
        found = walked_rows
    more = len(found) > limit
    found = found[:limit]
    page_ids = [row_id for row_id, _ in found]
    items = (
        read[:limit]
        if read is not None
        else rows_by_id(session, without_search, id_column, page_ids)
    )
    next_cursor = cursor_at(scope, found[-1][1], found[-1][0]) if more else None
    if count_mode is CountMode.none:
        total, accuracy = len(items) + (1 if next_cursor else 0), TotalAccuracy.at_least
    window: Window[M] = Window(items, next_cursor, total, accuracy, [value for _, value in found])
    return Ranked(window, {})


def _walk_in_order(rows: Select[Any], id_column: Any, key: SortKey, dialect: str) -> Select[Any]:
    """The (id, key) of `rows` in the order of `key`: what a page in that order walks."""
    return (
        rows.with_only_columns(id_column, key.column, maintain_column_froms=True)
        .order_by(None)
        .order_by(*order_by(key, id_column, dialect))
    )


def _walked(
    session: Session,
    walk: Select[Any],
    after: ColumnElement[bool] | None,
    unsearched: Unsearched[Any],
    searched: "_Search",
    model: type,
    key: SortKey,
    cursor: str | None,
    scope: str,
    wanted: int,
) -> list[tuple[int, Any]] | None:
    """The first `wanted` rows of the other filters in the order of `key` that match the
    search: walked in memory where they can be (`pagination.walked_by`), else in SQL."""
    walking = walking_of(unsearched.ids) if unsearched.ids is not None else None
    if walking is not None:
        start = cursor_position(key, cursor, scope) if cursor else None
        try:
            return _walked_in_memory(
                session, walking, key.descending, start, unsearched.rows, searched, model, wanted
            )
        except _NotWalked:
            pass
    then = None
    if cursor:
        # The rows after the cursor's, then those without a key (`rows_after_in_two`).
        value, last_id = cursor_position(key, cursor, scope)
        after, then = rows_after_in_two(key, model.id, value, last_id)  # type: ignore[attr-defined]
    return _walked_in_batches(
        session, walk, after, then, unsearched.rows, searched, model, key, wanted
    )


class _NotWalked(Exception):
    """The other filters' rows cannot be walked in memory (`pagination.walked_by`)."""


def _walked_in_memory(
    session: Session,
    walking: Walking,
    descending: bool,
    start: tuple[Any, int] | None,
    without_search: Select[Any],
    searched: "_Search",
    model: type,
    wanted: int,
) -> list[tuple[int, Any]] | None:
    """`_walked_in_batches`, the other filters' rows listed in order by `walking` (the
    incident columns) instead of walked in SQL: the same batches, tested against the search
    the same way, within the same budget."""
    size = _first_batch(session, without_search, searched, model, wanted)
    budget = _ORDER_WALK_BUDGET if searched.listed is not None else _SQL_TESTED_WALK_BUDGET
    found: list[tuple[int, Any]] = []
    walked = 0
    position = start
    while len(found) < wanted:
        if walked >= budget:
            return None
        batch = walking(descending, position, size)
        if batch is None:
            raise _NotWalked
        kept = searched.matching([row_id for row_id, _ in batch])
        found += [(row_id, value) for row_id, value in batch if row_id in kept]
        if len(batch) < size or len(found) >= wanted:
            break
        walked += len(batch)
        last_id, last_value = batch[-1]
        position = (last_value, last_id)
        size = min(4 * size, _WALK_BATCHES[-1])
    return found


def _walked_in_batches(
    session: Session,
    walk: Select[Any],
    after: ColumnElement[bool] | None,
    then: ColumnElement[bool] | None,
    without_search: Select[Any],
    searched: "_Search",
    model: type,
    key: SortKey,
    wanted: int,
) -> list[tuple[int, Any]] | None:
    """The first `wanted` rows of `walk` (after `after`, then those `then` selects, when the
    rows after `after` run out: `pagination.rows_after_in_two`) that match the search, as (id,
    key value): batches of rows in order, each tested against the search. None: the walk went
    on past its budget (the filters and the search rarely meet)."""
    id_column = model.id  # type: ignore[attr-defined]
    # Enough rows for a page when a third of them match (or as many as the search's share
    # of all rows says), then four times more each time.
    size = _first_batch(session, without_search, searched, model, wanted)
    budget = _ORDER_WALK_BUDGET if searched.listed is not None else _SQL_TESTED_WALK_BUDGET
    # The driver's own rows: the key's values are converted (SQLite's dates parsed) for
    # the rows kept alone, not for each of the thousands walked (the ORM's rows and their
    # dates took a fifth of `q=pipeline&sort=-date`'s CPU, profiled at 1M).
    as_key = _key_values(session, key)
    found: list[tuple[int, Any]] = []
    walked = 0
    while len(found) < wanted:
        if walked >= budget:
            return None
        page = walk if after is None else walk.where(after)
        # (id, key value) rows; the drivers give an INTEGER id as an int.
        batch = _walked_batch(session, page.limit(size), key)
        matched = searched.matched([row[0] for row in batch])
        found += [(row[0], row[1]) for row, hit in zip(batch, matched, strict=True) if hit]
        if len(found) >= wanted:
            break
        walked += len(batch)
        if len(batch) < size:
            if then is None:
                break
            after, then = then, None  # the rows without a key, which come last
            continue
        after, then = rows_after_in_two(key, id_column, as_key(batch[-1][1]), batch[-1][0])
        size = min(4 * size, _WALK_BATCHES[-1])
    return [(row_id, as_key(value)) for row_id, value in found]


def _walked_batch(session: Session, batch: Select[Any], key: SortKey) -> list[Any]:
    """A walk's batch of (id, key value) rows as the driver gives them. On SQLite in one step,
    one JSON document (`app/db/one_step.py`), where the key's values travel exactly (a date's
    text, an integer): read row by row, every row let another request thread take the GIL and
    waited to take it back, thousands a batch (`/statements?q=drills&sort=-date` at 1M: 4.8 ms
    of CPU a request alone, 12.5 at 4 connections; py-spy: the fetch)."""
    if session.get_bind().dialect.name != "sqlite" or not isinstance(
        key.column.type, (Date, Integer, String)
    ):
        return _driver_rows(session, batch)
    walked = batch.subquery()
    document = select(func.json_group_array(func.json_array(*walked.c)))
    rows: list[Any] = pydantic_core.from_json(session.connection().execute(document).scalar_one())
    return rows


def _key_values(session: Session, key: SortKey) -> Callable[[Any], Any]:
    """A sort key's value as SQLAlchemy reads it, from the value the driver gives."""
    dialect = session.get_bind().dialect
    convert = key.column.type.dialect_impl(dialect).result_processor(dialect, None)
    return convert if convert is not None else _as_given


def _as_given(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class InDateOrder:
    """Every match of a search, in the order of a date that no row lacks, then id: each as
    the integer (day << 32) | id, ascending (ids are 32-bit), so that one binary search finds
    where a page starts in either direction."""

    keys: Any  # int64 vector, ascending

    def __len__(self) -> int:
        return len(self.keys)

    def page(
        self, descending: bool, after: tuple[date, int] | None, wanted: int
    ) -> list[tuple[int, date]]:
        """Up to `wanted` (id, date) after the row (date, id) (None: from the start)."""
        keys = self.keys
        if after is None:
            at = len(keys) if descending else 0
        else:
            mark = (after[0].toordinal() << 32) | after[1]
            at = int(np.searchsorted(keys, mark, side="left" if descending else "right"))
        chosen = keys[max(0, at - wanted) : at][::-1] if descending else keys[at : at + wanted]
        return [(int(k) & 0xFFFFFFFF, date.fromordinal(int(k) >> 32)) for k in chosen]


# A search's matches in date order, per database, data version, search and date column.
DATE_ORDERS: RankingCache[InDateOrder] = RankingCache(4_000_000)


def _kept_in_date_order(
    session: Session, without_search: Select[Any], searched: "_Search", model: type, key: SortKey
) -> InDateOrder | None:
    """The search's matches in the order of `key`, when no other filter applies, its matches
    are listed (SQLite) and the key is a date every row has: a page is then read off them,
    where walking the rows in order tested 40 of them per match of a word in 2.5 % of the
    rows (3,000 rows for a page of 50 of `q=pipeline&sort=-date` at 1M)."""
    column = key.column
    if (
        searched.listed is None
        or without_search.whereclause is not None
        or key.nullable
        or key.ties_ascending
        or not isinstance(column, InstrumentedAttribute)
        or not isinstance(column.type, Date)
    ):
        return None
    version = ranking.data_version(session)
    if version is None:
        return None
    cache_key = ("in date order", column.key, *_ranking_key(session, model, searched.q, version))
    kept = DATE_ORDERS.kept(cache_key)
    if kept is not None:
        return kept
    # Kept for a word a walk would test many rows per match of, once it is asked for again:
    # listing a word's matches with their dates costs 60-150 ms for 25,000 at 1M, a walk a few
    # ms, so a word asked for once (or a broad one, met within a few rows) is walked.
    rows_per_match = _highest_id(session, model) / max(len(searched.listed), 1)
    if rows_per_match < _KEPT_IN_ORDER_ROWS_PER_MATCH or len(searched.listed) > _KEPT_IN_ORDER_MOST:
        return None
    if _WALKS.seen(cache_key) < _WALKS_BEFORE_KEEPING:
        return None
    # While one request lists them, the others walk rather than wait for it (four clients
    # asking at once: the three waiting had the listing's time added to theirs).
    return DATE_ORDERS.get_unless_busy(
        cache_key, lambda: _in_date_order(session, model, searched, key)
    )


# A word is kept in date order when a walk tests at least this many rows per match (a page of
# 50: 400 rows) and it matches at most this many rows, from its third walk on.
_KEPT_IN_ORDER_ROWS_PER_MATCH = 8
_KEPT_IN_ORDER_MOST = 500_000
_WALKS_BEFORE_KEEPING = 2


class _Seen:
    """How often each key was asked for (bounded: past `limit` keys it starts again)."""

    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._counts: dict[Hashable, int] = {}

    def seen(self, key: Hashable) -> int:
        """How many times `key` was asked for before this time."""
        if len(self._counts) >= self._limit:
            self._counts.clear()
        before = self._counts.get(key, 0)
        self._counts[key] = before + 1
        return before


_WALKS = _Seen(10_000)


def _in_date_order(session: Session, model: type, searched: "_Search", key: SortKey) -> InDateOrder:
    as_key = _key_values(session, key)
    ids, dates = _matches_with_dates(session, model, searched, key)
    try:
        # SQLite's ISO dates parsed by numpy, in C: days since 1970 -> proleptic ordinals.
        days = np.array(dates, dtype="datetime64[D]").astype(np.int64) + _ORDINAL_OF_1970
    except (TypeError, ValueError):
        days = np.fromiter((as_key(value).toordinal() for value in dates), np.int64, len(dates))
    return InDateOrder(np.sort((days << 32) | ids))


_ORDINAL_OF_1970 = date(1970, 1, 1).toordinal()


def _matches_with_dates(
    session: Session, model: type, searched: "_Search", key: SortKey
) -> tuple[Any, list[Any]]:
    """The ids (int64) and dates of every match of the search, in the same order.

    SQLite reads the dates off an index of (id, date) when the table has one, for the listed
    ids: looking each match up in the table read its whole row (25,000 matches of
    `q=pipeline` at 1M: 90-170 ms, against 40-50 ms off incident's (id, date_start) index,
    migration 0011). The planner does not weigh the narrower index, so it is named, and
    SQLAlchemy renders no SQLite table hints, hence the text. The rows come back as two
    strings in one step: read row by row, each step let the requests walking meanwhile take
    the GIL, and the listing's 25,000 steps waited for it (`app/db/one_step.py`: under four
    clients the newest-first p99 went from ~130 to 210-255 ms, measured with wrk).
    """
    id_column = model.id  # type: ignore[attr-defined]
    index = _index_of_id_and(model, key.column)
    if session.get_bind().dialect.name != "sqlite" or index is None or searched.listed is None:
        stmt = select(id_column, key.column).where(matches(session, model, searched.q))
        rows = _driver_rows(session, stmt)
        ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=len(rows))
        return ids, [row[1] for row in rows]
    table_name = model.__tablename__  # type: ignore[attr-defined]
    both = text(
        f"SELECT group_concat(t.id), group_concat(t.{key.column.key}) FROM json_each(:ids) AS j "
        f"JOIN {table_name} AS t INDEXED BY {index} ON t.id = j.value"
    ).bindparams(ids=json_ids(searched.listed.ids_ascending.tolist()))
    listed_ids, listed_dates = session.connection().execute(both).one()
    if not listed_ids:
        return np.empty(0, dtype=np.int64), []
    # Both aggregates read the rows in one pass, in the same order. A date never holds a
    # comma: the column is a date every row has (`_kept_in_date_order`), ISO text here.
    return np.array(listed_ids.split(","), dtype=np.int64), listed_dates.split(",")


def _index_of_id_and(model: type, column: Any) -> str | None:
    """The name of an index of `model`'s table on (id, `column`) and nothing else, if any."""
    for index in model.__table__.indexes:  # type: ignore[attr-defined]
        if [c.key for c in index.columns] == ["id", column.key]:
            return str(index.name)
    return None


def _first_batch(
    session: Session, without_search: Select[Any], searched: "_Search", model: type, wanted: int
) -> int:
    """Rows of the first batch a walk in order tests against the search: enough for a page
    when a third of them match, or, without other filters and with the matches listed, when
    the search matches as often as it does over all rows (`q=pipeline&sort=-date`: 1 in 40,
    three batches of 63, 252 and 1,008 rows at 1M -> one of ~1,300)."""
    size = max(16, 3 * wanted)
    filtered = without_search.whereclause is not None
    if searched.listed is None or not len(searched.listed) or filtered:
        return size
    expected = math.ceil(1.5 * wanted * _highest_id(session, model) / len(searched.listed))
    return min(max(size, expected), _WALK_BATCHES[-1])


def _highest_id(session: Session, model: type) -> int:
    """How many rows of `model` a walk without filters may pass: its highest id."""
    return highest_id(session, model.id)  # type: ignore[attr-defined]


def _tested_in_order(
    session: Session,
    walk: Callable[[], Select[Any]],
    after: ColumnElement[bool] | None,
    searched: _Search,
    wanted: int,
    walked: tuple[Select[Any], SortKey],
) -> list[tuple[int, Any]] | None:
    """The first `wanted` of the walk's (id, key) rows (after `after`) that match the search,
    PostgreSQL testing each row as it walks them in order; None when they are not within its
    first _SQL_TESTED_WALK_BUDGET rows. `walked`: the filters' rows and the key the walk
    orders them by, under which a first page's statement is kept.

    One statement: the walk's rows (bounded), each with its match, the first `wanted` matches
    taken as they come, so the walk stops there. Walked from Python in growing batches, each
    batch's ids were tested by a statement of their own: `q=pipeline&sort=-date` at 1M took
    three round trips, the last with 2,448 bound ids, ~40 ms a page, where this reads ~1,900
    index entries and rows in 4 ms (EXPLAIN ANALYZE, warm).
    """
    if after is None:
        first = _kept_first_tested(walk, searched, wanted, walked)
    else:
        first = _first_tested(walk().where(after), searched, wanted)
    rows = kept_sql.named_rows(session.connection(), first)
    if rows is None:
        rows = list(session.execute(first).all())
    found = [(int(r[0]), r[1]) for r in rows]
    if len(found) < wanted:
        page = walk() if after is None else walk().where(after)
        walked_rows = session.scalar(
            select(func.count()).select_from(page.limit(_SQL_TESTED_WALK_BUDGET).subquery())
        )
        if walked_rows == _SQL_TESTED_WALK_BUDGET:
            return None  # the budget ran out before the page did: SQL cuts it (paginate)
    return found


def _first_tested(page: Select[Any], searched: _Search, wanted: int) -> Select[Any]:
    """The first `wanted` (id, key) rows of the walk `page` that match the search."""
    hit = matches(searched.session, searched.model, searched.q).label("hit")
    bounded = page.add_columns(hit).limit(_SQL_TESTED_WALK_BUDGET).subquery()
    row_id, key_value = list(bounded.c)[:2]
    # No ORDER BY outside: the subquery's order is the walk's, and a sort here would read the
    # whole budget before the first row.
    return select(row_id, key_value).where(bounded.c.hit).limit(wanted)


def _kept_first_tested(
    walk: Callable[[], Select[Any]],
    searched: _Search,
    wanted: int,
    walked: tuple[Select[Any], SortKey],
) -> Select[Any]:
    """`_first_tested` of a first page, kept per filters' statement (kept per filters
    themselves), key, words and page size: the same statement object again, executed on the
    DBAPI cursor (`kept_sql`). Built and sent through SQLAlchemy's execution path for each
    request it was ~0.5 ms of `q=pipeline&sort=-date`'s CPU (profiled at 1M)."""
    rows, key = walked
    shape = (key.name, key.descending, key.ties_ascending, key.nullable, key.nulls_filtered)
    kept_key = (*shape, searched.model.__tablename__, searched.q, wanted)  # type: ignore[attr-defined]
    try:
        kept = _FIRST_TESTED.setdefault(rows, {})
    except TypeError:  # not weakly referenced
        return _first_tested(walk(), searched, wanted)
    first = kept.get(kept_key)
    if first is None:
        first = _first_tested(walk(), searched, wanted)
        if len(kept) >= _FIRST_TESTED_PER_FILTERS:
            kept.clear()  # a flood of distinct words
        kept[kept_key] = first
    return first


# Filters' statements -> their first pages' statements walked in order and tested in SQL.
_FIRST_TESTED: "weakref.WeakKeyDictionary[Select[Any], dict[tuple[Any, ...], Select[Any]]]" = (
    weakref.WeakKeyDictionary()
)
_FIRST_TESTED_PER_FILTERS = 256


# -- postings ------------------------------------------------------------------------------

# The kept start of each frequent word's ranking, per database and data version (`app.kit.
# postings`); a search that has none is kept as `postings.UNUSABLE`.
PREFIXES: RankingCache[postings.Prefix] = RankingCache(4_000_000)


def _postings_prefix(session: Session, model: type, q: str, version: int) -> postings.Prefix | None:
    """The start of `q`'s ranking kept in postings, when `q` is one word that has them."""
    searched = postings.SEARCHED.get(model.__tablename__)  # type: ignore[attr-defined]
    if searched is None:
        return None
    sqlite = session.get_bind().dialect.name == "sqlite"
    expression = fts5_query(q) if sqlite else None
    if sqlite and (expression is None or not postings.one_word(expression)):
        return None
    conn = session.connection()

    def read() -> postings.Prefix:
        term = postings.term_of(conn, expression, q)
        found = None if term is None else postings.prefix(conn, searched, term, expression, q)
        return postings.UNUSABLE if found is None else found

    key = ("postings", *_ranking_key(session, model, q, version))
    found = PREFIXES.get(key, read)
    return None if found is postings.UNUSABLE else found


class _Undecided(Exception):
    """The start of a ranking kept in postings does not hold the page asked for."""


@dataclass
class _MatchCount:
    """What a total needs to know of a search whose matches are not all listed: how many rows
    match it, and how many of given rows do."""

    session: Session
    model: type
    q: str
    version: int
    known: int | None  # how many rows match, when already counted

    def __len__(self) -> int:
        if self.known is None:
            listed = self._listed_off_term_rows()
            if listed is not None:
                # Its term's postings list every match: a count through the GIN index read
                # each match's row (`/sources?q=embassy&count=exact`, 284,498 sources: 0.7-0.9
                # s at 1M, warm); FTS5 counted `talks`' 348,513 incidents in 19-29 ms, where
                # they are listed in 10 and kept.
                self.known = len(listed)
                return self.known
            id_column = self.model.id  # type: ignore[attr-defined]
            counter = select(func.count(id_column)).where(matches(self.session, self.model, self.q))
            self.known = int(self.session.scalar(counter) or 0)
        return self.known

    def _listed_off_term_rows(self) -> RankedMatches | MatchSet | None:
        """Every match, where its term's postings list them (`_listed`); on SQLite None
        where they do not (FTS5 would list every match where a count is asked for)."""
        table_name = self.model.__tablename__  # type: ignore[attr-defined]
        sqlite = self.session.get_bind().dialect.name == "sqlite"
        if sqlite and _term_rows(self.session, table_name, self.q, self.version) is None:
            return None
        return _listed(self.session, table_name, self.q)

    def count_in(self, row_ids: Iterable[int]) -> int:
        ids = row_ids if isinstance(row_ids, list) else list(row_ids)
        if not ids:
            return 0
        every = self.every_match_for(len(ids))
        if every is not None:
            # Tested in numpy: a Python set of the ids and a test for each was a fifth of a
            # search's request under an actor since 2013 (100,000 ids, profiled at 1M).
            return every.count_in(ids)
        matching = self._tested(sorted(set(ids)))
        return sum(1 for row_id in ids if row_id in matching)

    def every_match(self) -> RankedMatches | MatchSet | None:
        """Every match, listed (`_listed`: kept, off its term's rows, or on SQLite FTS5)."""
        return _listed(self.session, self.model.__tablename__, self.q)  # type: ignore[attr-defined]

    def every_match_for(self, tested: int) -> RankedMatches | MatchSet | None:
        """Every match, listed, where `tested` rows are tested against them: on PostgreSQL
        where its term's postings list them; on SQLite where they are kept, or where listing
        them costs less than seeking each row in them."""
        if self.session.get_bind().dialect.name == "postgresql":
            return self._listed_off_term_rows()
        key = ("matches", *_ranking_key(self.session, self.model, self.q, self.version))
        kept: RankedMatches | MatchSet | None = MATCH_SETS.kept(key)
        seek = self.known is not None and tested * _SEEKS_PER_WALKED_MATCH < self.known
        if kept is None and not seek:
            # Walking the word's matches costs about what listing them does (a relevance
            # page's total samples 1,000 probes against `q=pipeline`'s 25,000 matches: 4.5
            # ms of SQL on every request at 1M): list them once per data version instead, as
            # pages in date order do (off its term's every row where it has them), and test
            # rows against them in memory from then on.
            table_name = self.model.__tablename__  # type: ignore[attr-defined]
            kept = _listed(self.session, table_name, self.q)
        return kept

    def _tested(self, row_ids: list[int]) -> set[int]:
        """Those of `row_ids` (ascending, once each) that match, tested by the database."""
        if self.session.get_bind().dialect.name == "postgresql":
            id_column = self.model.id  # type: ignore[attr-defined]
            tested = select(id_column).where(
                id_column == any_(bindparam("among", row_ids, type_=IntegerArray())),
                matches(self.session, self.model, self.q),
            )
            return {int(row_id) for row_id in self.session.scalars(tested)}
        # A few rows (a sample's probes) against a broad word whose matches are not listed:
        # FTS5 seeks each one in the word's doclist (~26 us a row, where a walk costs ~0.07
        # us a match: the 8 probes of `actor=Brazil&q=talks` since 1991, 24 -> 0.2 ms at 1M,
        # measured).
        spec = _searchable(self.model)
        found = self.session.execute(
            text(
                f"SELECT rowid FROM {spec.fts_table} WHERE {spec.fts_table} MATCH :q "
                "AND rowid IN (SELECT value FROM json_each(:ids))"
            ),
            {"q": fts5_query(self.q) or '""', "ids": json_ids(row_ids)},
        )
        return {int(row[0]) for row in found}


# SQLite: how many of a word's matches FTS5 walks in the time it seeks one row in them.
_SEEKS_PER_WALKED_MATCH = 400

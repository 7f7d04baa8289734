"""Full-text search on both backends: SQLite FTS5 on the embedded default, tsvector on PostgreSQL.

Any user string is safe: it is tokenised here and passed as a bound parameter, never spliced
into SQL or into FTS5 query syntax.
"""

import re
import typing
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Double,
    Integer,
    Select,
    Subquery,
    bindparam,
    cast,
    column,
    func,
    literal_column,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

from app.errors import InvalidParameter
from app.kit.counting import CountLimits, CountMode
from app.kit.pagination import SortKey, Window, paginate

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
    params = {"ids": ids}
    if session.get_bind().dialect.name == "postgresql":
        sql = text(
            f"SELECT id, ts_headline('{PG_CONFIG}', {spec.pg_document}, "
            f"websearch_to_tsquery('{PG_CONFIG}', :q), "
            f"'{PG_HEADLINE}') "
            f"FROM {model.__tablename__} WHERE id IN :ids"  # type: ignore[attr-defined]
        ).bindparams(bindparam("ids", expanding=True))
        rows = session.execute(sql, {**params, "q": q})
    else:
        expression = fts5_query(q)
        if expression is None:
            return {}
        sql = text(
            f"SELECT rowid, snippet({spec.fts_table}, {spec.snippet_column}, "
            f"'{MARK_START}', '{MARK_END}', '…', 16) "
            f"FROM {spec.fts_table} WHERE {spec.fts_table} MATCH :q AND rowid IN :ids"
        ).bindparams(bindparam("ids", expanding=True))
        rows = session.execute(sql, {**params, "q": expression})
    return {int(row[0]): str(row[1]) for row in rows}


# -- ranking -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Ranked(Generic[M]):
    window: Window[M]
    scores: dict[int, float]


def _scores(session: Session, model: type, q: str) -> Subquery:
    """(id, score) of every row matching `q`; a higher score is a better match."""
    spec = _searchable(model)
    if session.get_bind().dialect.name == "postgresql":
        config: ColumnElement[str] = literal_column(f"'{PG_CONFIG}'")
        document = _pg_vector(model)
        query = func.websearch_to_tsquery(config, bindparam("rank_q", q))
        id_column = model.id  # type: ignore[attr-defined]
        return (
            # ts_rank_cd is float4; as float8 the cursor's value compares exactly.
            select(
                id_column.label("id"),
                cast(func.ts_rank_cd(document, query), Double).label("score"),
            )
            .where(document.op("@@")(query))
            .subquery("ranked")
        )
    fts = table(spec.fts_table, column("rowid", Integer))
    expression = fts5_query(q) or '""'
    # bm25() is lower for better matches; negate it so both backends sort descending.
    return (
        select(
            fts.c.rowid.label("id"),
            cast(-func.bm25(literal_column(spec.fts_table)), Double).label("score"),
        )
        .where(literal_column(spec.fts_table).op("MATCH")(bindparam("rank_q", expression)))
        .subquery("ranked")
    )


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
) -> Ranked[M]:
    """One page of `stmt` by relevance to `q` (then id), with each item's score.

    Relevance is one more sort key: the score column joined to `stmt`, best first.
    """
    id_column = model.id  # type: ignore[attr-defined]
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
) -> Ranked[M]:
    """A list's page: by relevance when the filters search and ask for it, else by `key`."""
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
        )
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
    )
    return Ranked(window, {})

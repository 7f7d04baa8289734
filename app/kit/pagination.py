"""Keyset pagination: one page after a cursor, or every row in batches, in a stable order."""

import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from operator import attrgetter
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    and_,
    any_,
    bindparam,
    func,
    literal,
    or_,
    select,
    tuple_,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression, BindParameter
from sqlalchemy.sql.schema import Column

from app.db import kept_sql
from app.db.arrays import IntegerArray
from app.db.base import json_ids
from app.db.one_step import OneStepRows, one_step_rows
from app.db.versions import KeptPerDataVersion
from app.errors import InvalidParameter
from app.kit import counting
from app.kit.counting import CountLimits, CountMode, TotalAccuracy, listing_of, total_and_ids
from app.kit.cursors import decode_cursor, encode_cursor

M = TypeVar("M")
S = TypeVar("S", bound=Select[Any])


@dataclass(frozen=True)
class Window(Generic[M]):
    items: list[M]
    next_cursor: str | None
    total: int
    total_accuracy: TotalAccuracy
    # Each item's value of the sort key, in order (a relevance score, a date...).
    keys: list[Any] = field(default_factory=list, compare=False)


@dataclass(frozen=True)
class SortKey:
    """Order by `column` (then id), descending or not; NULLs always come last.

    `column` is a model's column or one the statement adds (a relevance score). Ties go by id
    in the same direction, or ascending with `ties_ascending` (best score first, then oldest).
    """

    column: InstrumentedAttribute[Any] | ColumnElement[Any]
    descending: bool
    nullable: bool = False
    ties_ascending: bool = False
    # The list's filters exclude NULL keys (a date window on a nullable date): a cursor's
    # condition then has no `OR column IS NULL` branch, with which SQLite read and sorted every
    # row of the window instead of walking the index from the cursor (6 s for a second page
    # of /sources?date_from=1985-10-23 at 1M incidents, profiled).
    nulls_filtered: bool = False

    def filtering_nulls(self, filtered: bool) -> "SortKey":
        """This key, told whether the list's filters exclude NULL keys."""
        return replace(self, nulls_filtered=filtered) if self.nullable else self

    @property
    def name(self) -> str:
        """The attribute a fetched row holds the key's value under."""
        return str(self.column.key)


def _to_json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _from_json(value: Any, like: SortKey) -> Any:
    if value is None:
        return None
    python_type = like.column.type.python_type
    if python_type is date:
        return date.fromisoformat(value)
    return python_type(value)


def _after(
    key: SortKey, id_column: InstrumentedAttribute[int], value: Any, last_id: int
) -> ColumnElement[bool]:
    """Rows strictly after (value, last_id) in the order key, NULLs last."""
    col = key.column
    ids_descending = key.descending and not key.ties_ascending
    beyond_id = id_column < last_id if ids_descending else id_column > last_id
    if value is None:
        return and_(col.is_(None), beyond_id)
    if ids_descending != key.descending:
        # Key and id run in opposite directions: no row-value comparison can say "after".
        return or_(col < value if key.descending else col > value, and_(col == value, beyond_id))
    condition = _pair_after(key, id_column, value, last_id)
    if key.nullable and not key.nulls_filtered:
        condition = or_(condition, col.is_(None))
    return condition


def _pair_after(
    key: SortKey, id_column: InstrumentedAttribute[int], value: Any, last_id: int
) -> ColumnElement[bool]:
    """Rows whose (key, id) comes after (value, last_id), key and id in the same direction."""
    # A row-value comparison walks the (key, id) index from the cursor on, on both backends;
    # the equivalent OR of two comparisons made page 1,000 three times slower than page 1.
    pair = tuple_(key.column, id_column)
    bound = tuple_(literal(value, key.column.type), literal(last_id))
    return pair < bound if key.descending else pair > bound


def rows_after_in_two(
    key: SortKey, id_column: InstrumentedAttribute[int], value: Any, last_id: int
) -> tuple[ColumnElement[bool], ColumnElement[bool] | None]:
    """`rows_after` as two conditions to walk one after the other: the rows whose key comes
    after (value, last_id), then the rows without a key, which come last in either order
    (None where none can follow). As one condition, an OR, SQLite could not walk the key's
    index under a list of another column's values: the next batch of a speaker's statements
    in date order sorted every one of them first (30 ms of a 35 ms search at 1M, measured)."""
    ids_descending = key.descending and not key.ties_ascending
    if value is None or not key.nullable or key.nulls_filtered or ids_descending != key.descending:
        return _after(key, id_column, value, last_id), None
    return _pair_after(key, id_column, value, last_id), key.column.is_(None)


def after_cursor(
    key: SortKey, id_column: InstrumentedAttribute[int], cursor: str, scope: str
) -> ColumnElement[bool]:
    """Rows strictly after a cursor this list issued (`scope`) in the order of `key`."""
    value, last_id = _decoded(key, cursor, scope)
    return _after(key, id_column, value, last_id)


def _decoded(key: SortKey, cursor: str, scope: str) -> tuple[Any, int]:
    """(the key's value, the id) of the last row before a cursor this list issued."""
    _, value, last_id = decode_cursor(cursor, scope)
    try:
        return _from_json(value, key), int(last_id)
    except (TypeError, ValueError):
        raise InvalidParameter("cursor", "not a cursor this list issued") from None


def cursor_position(key: SortKey, cursor: str, scope: str) -> tuple[Any, int]:
    """(the key's value, the id) of the last row before a cursor this list issued; a cursor
    it did not issue is an InvalidParameter, as `paginate` reports it."""
    return _decoded(key, cursor, scope)


def rows_after(
    key: SortKey, id_column: InstrumentedAttribute[int], value: Any, last_id: int
) -> ColumnElement[bool]:
    """Rows strictly after the row (value, last_id) in the order of `key`."""
    return _after(key, id_column, value, last_id)


def cursor_at(scope: str, value: Any, last_id: int) -> str:
    """The cursor of a page that ends at the row (value, last_id)."""
    return encode_cursor([scope, _to_json(value), last_id])


def order_by(key: SortKey, id_column: InstrumentedAttribute[int], dialect: str) -> list[Any]:
    """ORDER BY for `key` then id, NULLs last, in a form the (key, id) index serves."""
    col = key.column
    if key.descending and key.ties_ascending:
        return [col.desc(), id_column.asc()]
    if key.descending:
        # SQLite sorts NULLs first ascending, so last descending: plain DESC already puts them
        # last and keeps the index usable. PostgreSQL needs it said.
        primary = col.desc().nulls_last() if key.nullable and dialect != "sqlite" else col.desc()
        return [primary, id_column.desc()]
    if key.nullable:
        return [col.is_(None).asc(), col.asc(), id_column.asc()]
    return [col.asc(), id_column.asc()]


# Up to how many matches, counted exactly, a page is cut from the list of their ids.
_LISTED_PAGE = 2_000


def paginate(
    session: Session,
    stmt: Select[M],
    *,
    scope: str,
    key: SortKey,
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    limit: int,
    limits: CountLimits,
    count_mode: CountMode = CountMode.estimated,
    count_stmt: Select[Any] | None = None,
    counted: Select[Any] | None = None,
    cut_from_ids: bool = True,
) -> Window[M]:
    """One page of `stmt` after `cursor`, ordered by `key` then id, with the total.

    `counted`, when given, is what to count when `stmt` adds to it (a relevance score and
    its join, or every match when `stmt` selects only the page's rows); `count_stmt` selects
    the same rows in a shape cheaper to count exactly. `cut_from_ids=False`: `stmt` already
    finds its page in a few reads, so a few counted matches are not listed to cut it from.
    A `stmt` that selects a model plus such columns yields the model objects as items.
    """
    if cursor:
        _decoded(key, cursor, scope)  # a cursor this list did not issue is a 422, even on none
    base = counted if counted is not None else stmt
    total, accuracy, listed = total_and_ids(
        session, base, count_mode, limits, id_column, count_stmt, list_ids=cut_from_ids
    )
    if count_stmt is not None and accuracy is TotalAccuracy.exact and total == 0:
        # Nothing matches: no page to look for (an empty answer is never slower than a full
        # page; walking it found nothing after every row of the walk).
        return Window([], None, 0, accuracy, [])
    page_stmt: Select[M] | _PageIds = stmt
    if cut_from_ids and count_stmt is not None:
        page_stmt = _page_statement(
            session,
            stmt,
            count_stmt,
            _Counted(total, accuracy, listed),
            key,
            id_column,
            cursor,
            scope,
            limit + 1,
        )
    if not isinstance(page_stmt, _PageIds):
        rows = _page_rows(session, page_stmt, key, id_column, cursor, scope, limit + 1)
    elif _shape(stmt).columns_only:
        # Plain columns read by the page's ids, in its order, with a statement built once per
        # `stmt` (`rows_by_id`): one built per page by `among` (its ORM column descriptions,
        # its cache key, its ORDER BY again) was ~0.3 ms of CPU of a PostgreSQL page of 50
        # under two actors in a window at 1M (profiled).
        rows = rows_by_id(session, stmt, id_column, page_stmt.ids)
    else:
        by_ids = among(session, stmt, id_column, page_stmt.ids)
        rows = _page_rows(session, by_ids, key, id_column, cursor, scope, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    keys = list(map(attrgetter(key.name), rows))  # the key's name once, not once a row
    # (Model, score) rows: the items are the model objects.
    items = [row[0] for row in rows] if _shape(stmt).entity_plus_columns else rows
    next_cursor = None
    if more:
        last_id = getattr(items[-1], id_column.key)
        next_cursor = cursor_at(scope, keys[-1], last_id)
    if count_mode is CountMode.none:
        total, accuracy = len(items) + (1 if next_cursor else 0), TotalAccuracy.at_least
    return Window(items, next_cursor, total, accuracy, keys)


# A page's ids in the list's order, found without SQL: (descending, the cursor's (key value,
# id) or None, how many) -> the first ids after it, or None when it cannot say.
Paging = Callable[[bool, tuple[Any, int] | None, int], list[int] | None]


def paged_by(stmt: S, paging: Paging) -> S:
    """`stmt` (a list's count-shaped statement), whose page `paging` finds: the page's rows
    are then read by id instead of walked in order (the incident columns,
    app/incidents/columns.py)."""
    return counting.with_options(stmt, paged_by=paging)


def paging_of(stmt: Select[Any]) -> Paging | None:
    paging: Paging | None = stmt.get_execution_options().get("paged_by")
    return paging


def listed_paged_by(stmt: S, paging: Paging) -> S:
    """`stmt` (a list's count-shaped statement), whose page among its listed ids `paging`
    finds, where PostgreSQL read each listed row's key by id to sort them (`_first_listed`:
    a year's 22,000 incidents, 0.2 s warm at 1M); only once its exact count has listed them
    (`paged_by`: always)."""
    return counting.with_options(stmt, listed_paged_by=paging)


def _listed_paging_of(stmt: Select[Any]) -> Paging | None:
    paging: Paging | None = stmt.get_execution_options().get("listed_paged_by")
    return paging


# A list's filters' rows in its order, found without SQL, each with its key value:
# (descending, the cursor's (key value, id) or None, how many) -> the first (id, key value)
# after it, or None when it cannot say.
Walking = Callable[[bool, tuple[Any, int] | None, int], list[tuple[int, Any]] | None]


def walked_by(stmt: S, walking: Walking) -> S:
    """`stmt` (the ids of a search's other filters), whose rows `walking` lists in the list's
    order: a search in date order tests them against its matches batch by batch, instead of
    walking the filters in SQL (the incident columns, app/incidents/columns.py)."""
    return counting.with_options(stmt, walked_by=walking)


def walking_of(stmt: Select[Any]) -> Walking | None:
    walking: Walking | None = stmt.get_execution_options().get("walked_by")
    return walking


@dataclass(frozen=True)
class _Counted:
    total: int
    accuracy: TotalAccuracy
    listed: list[int] | None  # every match's id, when the count listed them


@dataclass(frozen=True)
class _PageIds:
    """A page's ids, in its order, found before its rows are read (`_page_statement`)."""

    ids: list[int]


def _page_statement(
    session: Session,
    stmt: Select[M],
    count_stmt: Select[Any],
    counted: _Counted,
    key: SortKey,
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    scope: str,
    wanted: int,
) -> Select[M] | _PageIds:
    """`stmt`, or its rows among the exactly counted matches' ids, or the page's own ids
    when they are known first: found in memory (`paged_by`) or among the listed ids."""
    paging = paging_of(count_stmt)
    if paging is not None:
        first = paging(key.descending, _decoded(key, cursor, scope) if cursor else None, wanted)
        if first is not None:
            return _PageIds(first)
    if counted.accuracy is not TotalAccuracy.exact:
        return stmt
    listed = counted.listed
    if counted.total <= _LISTED_PAGE and not _most_rows_match(session, id_column, counted.total):
        # Few matches, counted in `count_stmt`'s shape: the page is cut from their ids.
        # Walking `stmt` in order could pass every row the filters skip (0.5 s through
        # 140,000 agreements for the 33 of actor=Brazil&type=agreement&country=RUS at 1M).
        # Where the page's own ids are found among them in memory (`listed_paged_by`), only
        # those are read: every one of them bound and read to be sorted in SQL was ~3 ms of
        # `date_from=2025-12-03&type=accusation` (679 incidents) at 1M, on every request.
        listed_paging = _listed_paging_of(count_stmt)
        if listed_paging is not None:
            decoded = _decoded(key, cursor, scope) if cursor else None
            first = listed_paging(key.descending, decoded, wanted)
            if first is not None:
                return _PageIds(first)
        ids = listed if listed is not None else _listed(session, count_stmt)
        return among(session, stmt, id_column, ids)
    if listed is not None and _sorts_listed(session, key, id_column, cursor):
        # More than that, already listed by the exact count (PostgreSQL): the page's ids
        # are the first of those ids in order, off an index, then their rows are read by
        # id. Walking `stmt` probed each walked row's participants or mentions
        # (`actor=Turkey&actor=China`: 4,266 listed, 25,913 probes, 80-100 ms;
        # `/sources?...&actor=Brazil&sort=-date`: 3,118 listed, 10,189 probes, 73-476 ms).
        listed_paging = _listed_paging_of(count_stmt)
        first = None
        if listed_paging is not None:
            decoded = _decoded(key, cursor, scope) if cursor else None
            first = listed_paging(key.descending, decoded, wanted)
        if first is None:
            first = _first_listed(session, listed, key, id_column, cursor, scope, wanted)
        return _PageIds(first)
    return stmt


# How many rows of each table a walk in order may pass at most: its highest id (ids start
# at 1), per data version.
_HIGHEST_IDS: KeptPerDataVersion[int] = KeptPerDataVersion(1_000)


def highest_id(session: Session, id_column: InstrumentedAttribute[int]) -> int:
    """The highest id of `id_column`'s table: no more rows than that to walk."""
    return _HIGHEST_IDS.get(
        session,
        ("highest id", id_column.class_.__tablename__),
        lambda: int(session.connection().scalar(select(func.max(id_column))) or 0),
    )


def _most_rows_match(session: Session, id_column: InstrumentedAttribute[int], total: int) -> bool:
    """Whether at least half of the table's rows match: walked in order, a page then passes
    no more rows that fail the filters than there are matches, fewer than listing the matches
    first reads. Listing them cost more than the walk it saved in a small database: the
    unfiltered page of 2,000 incidents took 14 ms with its 2,000 ids listed and sent back as
    `id IN (...)`, 2.2 ms walked (measured in process)."""
    return highest_id(session, id_column) - total <= total


def _listed(session: Session, count_stmt: Select[Any]) -> list[int]:
    """The ids `count_stmt` selects, by what lists them more cheaply when it says
    (`counting.listed_by`): with the total kept, a later page listed them in SQL (the
    INTERSECT of two states' mentions, 0.1-0.15 s for `actor=Iran&actor=Brazil` page 2 at
    1M on SQLite, where their listing takes ~50 ms)."""
    listing = listing_of(count_stmt)
    if listing is not None:
        return listing(session)
    return list(session.scalars(count_stmt.order_by(None)))


def _sorts_listed(
    session: Session, key: SortKey, id_column: InstrumentedAttribute[int], cursor: str | None
) -> bool:
    """Whether a page is found among listed ids by `_first_listed`: on PostgreSQL, for a key
    on the listed rows' own table, and after a cursor only where one condition says "after"
    (no undated rows to add after the dated ones)."""
    if _dialect(session) != "postgresql" or not isinstance(key.column, InstrumentedAttribute):
        return False
    if key.column.class_ is not id_column.class_:
        return False
    return cursor is None or not key.nullable or key.nulls_filtered


def _first_listed(
    session: Session,
    listed: list[int],
    key: SortKey,
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    scope: str,
    wanted: int,
) -> list[int]:
    """The ids of the first `wanted` rows among `listed` after `cursor`, in `key`'s order.

    The listed rows' keys are read by id first (a subquery fenced by OFFSET 0), then sorted:
    the planner otherwise walked the key's index until it met enough listed ids, which for
    ids far down the walk (a window long ago, newest first) passes most of the table.
    """
    among = id_column == any_(bindparam("listed_ids", listed, type_=IntegerArray()))
    keyed = select(id_column.label("id"), key.column.label("key")).where(among).offset(0)
    rows = keyed.subquery("listed")
    sorted_key = replace(key, column=rows.c.key)
    page = select(rows.c.id)
    if cursor is not None:
        value, last_id = _decoded(key, cursor, scope)
        page = page.where(_after(sorted_key, rows.c.id, value, last_id))  # type: ignore[arg-type]
    ordering = order_by(sorted_key, rows.c.id, "postgresql")  # type: ignore[arg-type]
    return [int(row_id) for row_id in session.scalars(page.order_by(*ordering).limit(wanted))]


def among(
    session: Session, stmt: Select[M], id_column: InstrumentedAttribute[int], ids: list[int]
) -> Select[M]:
    """`stmt`'s rows whose ids are among `ids`, every one of which is a row of `stmt`.

    They are read by id alone, the filters not tested again. With the filters PostgreSQL's
    planner read the page from a filter's index and fetched each of the 51 rows by a
    range scan of it (`actor=Turkey&actor=Iran&type=arrest`, page 2: 7.7 ms a row, 400 ms),
    or ran the ids-first subquery once per listed id (`actor=Turkey&facet=actor`: 983 times,
    360 ms; measured at 1M). SQLite probed each listed incident's participants again (501
    of Iran's in a two-day window: 5 ms of a 15 ms page at 1M, profiled).
    """
    shape = _shape(stmt)
    described = stmt.column_descriptions
    if shape.entities:
        by_id: Select[Any] = select(described[0]["entity"])
    elif shape.columns_only and all(
        getattr(column, "table", None) is id_column.table for column in stmt.selected_columns
    ):
        by_id = select(*stmt.selected_columns)
    else:
        return stmt.where(id_column.in_(ids))
    if _dialect(session) != "postgresql":
        return by_id.where(id_column.in_(ids)).execution_options(read_by_id=True)
    among = id_column == any_(bindparam("page_ids", ids, type_=IntegerArray()))
    return by_id.where(among).execution_options(read_by_id=True)


def _page_rows(
    session: Session,
    stmt: Select[Any],
    key: SortKey,
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    scope: str,
    wanted: int,
) -> list[Any]:
    """The first `wanted` rows of `stmt` after `cursor`, in the order of `key`."""
    dialect = _dialect(session)
    shape = _shape(stmt)
    entities, columns_only = shape.entities, shape.columns_only

    id_first = _finds_ids_first(session, stmt, id_column) and not _walks_only_matches(
        stmt, key, id_column
    )

    def fetch(query: Select[Any], n: int) -> list[Any]:
        if id_first:
            query = _ids_first(query, key, id_column, dialect, n)
        unordered = query
        query = _ordered(query, key, id_column, dialect, n)
        if entities:
            return list(session.scalars(query))
        if columns_only:
            # Plain rows (attribute access by name) straight from the connection: through
            # the Session they went through the ORM's loading machinery for nothing. On
            # SQLite, in one step of the statement (app/db/one_step.py).
            connection = session.connection()
            one_step = _one_step(unordered, query, key, id_column, dialect, n, connection.dialect)
            if one_step is not None:
                return one_step.rows(connection)
            rows = kept_sql.named_rows(connection, query)
            if rows is not None:
                return rows
            return list(connection.execute(query).all())
        return list(session.execute(query).all())  # (Model, score): ORM objects first

    if cursor is None:
        return fetch(stmt, wanted)
    value, last_id = _decoded(key, cursor, scope)
    if value is None or not key.nullable or key.nulls_filtered:
        return fetch(stmt.where(_after(key, id_column, value, last_id)), wanted)
    # The rows after a dated cursor, then the undated ones (NULLs last): one condition
    # `(key, id) < cursor OR key IS NULL` made SQLite read and sort every row before the
    # cursor (0.6 s for page 2 of /statements?speaker=Israel at 1M, profiled).
    dated = replace(key, nulls_filtered=True)
    rows = fetch(stmt.where(_after(dated, id_column, value, last_id)), wanted)
    if len(rows) < wanted:
        rows += fetch(stmt.where(key.column.is_(None)), wanted - len(rows))
    return rows


@dataclass(frozen=True)
class _Shape:
    """What a statement selects, as `_page_rows` and `paginate` ask it."""

    entities: bool  # select(Model): ORM objects
    columns_only: bool  # plain columns: rows straight from the connection
    entity_plus_columns: bool  # (Model, score) rows


@dataclass
class _Kept:
    shape: _Shape
    ordered: dict[tuple[Any, ...], Select[Any]] = field(default_factory=dict)
    ids_first: dict[tuple[Any, ...], Select[Any]] = field(default_factory=dict)
    final_froms: tuple[Any, ...] | None = None
    walks_only_matches: dict[tuple[Any, ...], bool] = field(default_factory=dict)
    one_step: dict[tuple[Any, ...], OneStepRows | None] = field(default_factory=dict)


# Per statement object, while it lives: its shape and its page queries (ordered, limited).
# Statements built once per process (`IncidentRepository._where`, built by each request's
# filters otherwise) then give the same page query object each time, whose SQLAlchemy cache
# key is kept on it; building the ORDER BY, the LIMIT, the key and the column descriptions
# again was ~8 % of a list page's CPU (profiled).
_kept: "weakref.WeakKeyDictionary[Select[Any], _Kept]" = weakref.WeakKeyDictionary()


def _kept_for(stmt: Select[Any]) -> _Kept:
    kept = _kept.get(stmt)
    if kept is None:
        described = stmt.column_descriptions
        entity_first = bool(described) and isinstance(described[0]["type"], type)
        shape = _Shape(
            entities=len(described) == 1 and entity_first,
            columns_only=not any(isinstance(d["type"], type) for d in described),
            entity_plus_columns=len(described) > 1 and entity_first,
        )
        kept = _kept.setdefault(stmt, _Kept(shape))
    return kept


def _shape(stmt: Select[Any]) -> _Shape:
    return _kept_for(stmt).shape


def _ordered(
    stmt: Select[Any], key: SortKey, id_column: InstrumentedAttribute[int], dialect: str, n: int
) -> Select[Any]:
    """`stmt` in `key`'s order, its first `n` rows; the same object for the same statement
    object. Only for a key on a mapped column: one a statement adds (a score) is built per
    request, and its id could come back on another."""
    if not isinstance(key.column, InstrumentedAttribute):
        return stmt.order_by(*order_by(key, id_column, dialect)).limit(n)
    ordered = _kept_for(stmt).ordered
    which = _which(key, id_column, dialect, n)
    query = ordered.get(which)
    if query is None:
        query = stmt.order_by(*order_by(key, id_column, dialect)).limit(n)
        ordered[which] = query
    return query


def _ids_first(
    stmt: Select[Any], key: SortKey, id_column: InstrumentedAttribute[int], dialect: str, n: int
) -> Select[Any]:
    """`stmt` where the id is among its page's ids (see _finds_ids_first); kept as `_ordered`
    keeps its query (built per request, with its cache key and the ORM's compile state, it
    was ~0.2 ms of a PostgreSQL list page's CPU, profiled)."""

    def build() -> Select[Any]:
        ordering = order_by(key, id_column, dialect)
        ids = stmt.with_only_columns(id_column).order_by(*ordering).limit(n)
        return stmt.where(id_column.in_(ids))

    if not isinstance(key.column, InstrumentedAttribute):
        return build()
    kept = _kept_for(stmt).ids_first
    which = _which(key, id_column, dialect, n)
    query = kept.get(which)
    if query is None:
        query = kept[which] = build()
    return query


def _which(
    key: SortKey, id_column: InstrumentedAttribute[int], dialect: str, n: int
) -> tuple[Any, ...]:
    # By id: mapped columns live as long as their classes.
    which: tuple[Any, ...] = (id(key.column), key.descending, key.nullable, key.ties_ascending)
    return (*which, id(id_column), dialect, n)


def _one_step(
    stmt: Select[Any],
    query: Select[Any],
    key: SortKey,
    id_column: InstrumentedAttribute[int],
    dialect: str,
    n: int,
    sa_dialect: Dialect,
) -> OneStepRows | None:
    """How `query`, `_ordered(stmt, ...)`, is read in one step (app/db/one_step.py), kept as
    `_ordered` keeps its query: its document built and keyed again per request was ~0.1 ms
    of a list page's CPU (profiled). Kept beside the statement, not by the page's query:
    the document holds that query, and a weak key its own value holds would never go."""
    if not isinstance(key.column, InstrumentedAttribute):
        return one_step_rows(query, sa_dialect)
    kept = _kept_for(stmt).one_step
    which = _which(key, id_column, dialect, n)
    if which not in kept:
        kept[which] = one_step_rows(query, sa_dialect)
    return kept[which]


def _finds_ids_first(
    session: Session, stmt: Select[Any], id_column: InstrumentedAttribute[int]
) -> bool:
    """PostgreSQL: whether a page of `stmt` (filters over one table) is found as ids first,
    its rows read after. A page walked in date order read each walked row from the table to
    test the filters' probes (a participant, a mention), though an index holds all they
    need: 14,000 pages of wide incident rows, mostly from disk, for 51 incidents of two
    states (`actor=Turkey&actor=China`: 0.33 s; 0.08 s as ids first, every page from the
    index, profiled at 1M). SQLite defers reading a row until a column needs it."""
    if _dialect(session) != "postgresql" or stmt.whereclause is None:
        return False
    if stmt.get_execution_options().get("read_by_id"):
        return False  # rows read by primary key (`_among`): nothing to walk
    kept = _kept_for(stmt)
    if kept.final_froms is None:
        # get_final_froms() compiles the statement (~0.3 ms of a PostgreSQL page's CPU for
        # each request, profiled): once per statement object.
        kept.final_froms = tuple(stmt.get_final_froms())
    froms = kept.final_froms
    return len(froms) == 1 and froms[0] is id_column.table and not kept.shape.entity_plus_columns


def _walks_only_matches(
    stmt: Select[Any], key: SortKey, id_column: InstrumentedAttribute[int]
) -> bool:
    """Whether every row a walk of `key`'s order meets is one of `stmt`'s: its one filter is
    one value of a column that an index leads with, the key and the id next (`type=arrest`:
    (type, date_start, id)). Its page's ids found first then cost ten times the walk they
    replace (`/incidents?type=arrest`: 0.58 against 0.07 ms, 245 buffers against 54, at 1M
    on PostgreSQL), as nothing is passed over."""
    if not isinstance(key.column, InstrumentedAttribute):
        return False
    kept = _kept_for(stmt).walks_only_matches
    which = (id(key.column), id(id_column))
    found = kept.get(which)
    if found is None:
        found = kept[which] = _one_value_leading(stmt.whereclause, key, id_column)
    return found


def _one_value_leading(criteria: Any, key: SortKey, id_column: InstrumentedAttribute[int]) -> bool:
    if not isinstance(criteria, BinaryExpression) or not isinstance(criteria.left, Column):
        return False
    value = criteria.right
    if not isinstance(value, BindParameter):
        return False
    if criteria.operator is operators.in_op:
        if not (isinstance(value.value, list | tuple) and len(value.value) == 1):
            return False
    elif criteria.operator is not operators.eq:
        return False
    table = id_column.table
    if criteria.left.table is not table:
        return False
    walked = [criteria.left.name, key.column.property.columns[0].name, id_column.name]
    return any([column.name for column in index.columns][:3] == walked for index in table.indexes)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def selects_entity(stmt: Select[Any]) -> bool:
    """Whether `stmt` selects ORM objects (select(Model)) rather than plain columns. Kept per
    statement object: its column descriptions are an ORM compile state worked out each time
    (~30 us of every search page, for a statement kept per data version; profiled)."""
    try:
        return _SELECTS_ENTITY[stmt]
    except KeyError:
        pass
    described = stmt.column_descriptions
    entity = len(described) == 1 and isinstance(described[0]["type"], type)
    _SELECTS_ENTITY[stmt] = entity
    return entity


_SELECTS_ENTITY: "weakref.WeakKeyDictionary[Select[Any], bool]" = weakref.WeakKeyDictionary()


def stream_batches(
    session: Session,
    stmt: Select[M],
    *,
    key: SortKey,
    id_column: InstrumentedAttribute[int],
    batch: int = 1000,
) -> Iterator[list[Any]]:
    """Every row of `stmt` in page order, `batch` at a time (keyset): constant memory."""
    entities = selects_entity(stmt)
    after: ColumnElement[bool] | None = None
    while True:
        page_stmt = stmt if after is None else stmt.where(after)
        page_stmt = page_stmt.order_by(*order_by(key, id_column, _dialect(session))).limit(batch)
        rows: list[Any] = (
            list(session.scalars(page_stmt)) if entities else list(session.execute(page_stmt))
        )
        if rows:
            yield rows
        if len(rows) < batch:
            return
        last = rows[-1]
        after = _after(key, id_column, getattr(last, key.name), getattr(last, id_column.key))
        if entities:
            # Rows already yielded need not stay in the identity map.
            session.expunge_all()


def stream(
    session: Session,
    stmt: Select[M],
    *,
    key: SortKey,
    id_column: InstrumentedAttribute[int],
    batch: int = 500,
) -> Iterator[M]:
    """Every row of `stmt` in page order, fetched `batch` at a time: constant memory."""
    for rows in stream_batches(session, stmt, key=key, id_column=id_column, batch=batch):
        yield from rows


def rows_by_id(session: Session, stmt: Select[Any], id_column: Any, ids: list[int]) -> list[Any]:
    """The rows of `stmt` with these ids, every one a row of it, in the order of `ids`.

    Read by id alone (`among`): with the filters SQLite read the page's 51 rows
    off the country's index instead (`date_from=1991-04-17&q=border&country=IRN&sort=date`:
    26 ms of a 43 ms page at 1M, profiled)."""
    if not ids:
        return []
    # An entity keeps its statement's loader options (the web pages' statements load their
    # speakers with them): read with its filters as before.
    entity = selects_entity(stmt)
    reader = None if entity else _by_id_reader(session, stmt, id_column)
    if reader is not None:
        rows_read = reader.rows(session.connection(), {"page_ids_json": json_ids(ids)})
        read_by_id = {getattr(row, id_column.key): row for row in rows_read}
        return [read_by_id[row_id] for row_id in ids]
    by_ids = None if entity else _by_ids_statement(session, stmt, id_column)
    if by_ids is not None:
        named = kept_sql.named_rows(session.connection(), by_ids, {"page_ids": ids})
        if named is not None:
            read_by_id = {getattr(row, id_column.key): row for row in named}
            return [read_by_id[row_id] for row_id in ids]
    read = stmt.where(id_column.in_(ids)) if entity else among(session, stmt, id_column, ids)
    page_stmt = read.order_by(None)
    # Columns, not an entity: plain rows through the connection (the ORM's loading of a
    # page of 50 took 1 ms of a search's CPU, profiled at 1M).
    rows: list[Any] = (
        list(session.scalars(page_stmt))
        if entity
        else list(session.connection().execute(page_stmt).all())
    )
    by_id = {getattr(row, id_column.key): row for row in rows}
    return [by_id[row_id] for row_id in ids]


# SQLite: per statement object, while it lives, how its rows are read by id (None: as usual).
_BY_ID_READERS: "weakref.WeakKeyDictionary[Select[Any], OneStepRows | None]" = (
    weakref.WeakKeyDictionary()
)


# PostgreSQL: per statement object, while it lives, its columns read by an array of ids.
_BY_IDS: "weakref.WeakKeyDictionary[Select[Any], Select[Any] | None]" = weakref.WeakKeyDictionary()


def _by_ids_statement(session: Session, stmt: Select[Any], id_column: Any) -> Select[Any] | None:
    """PostgreSQL: `stmt`'s columns for the ids of one array given at execution (`page_ids`),
    built once per statement object and read past SQLAlchemy's execution path
    (`kept_sql.named_rows`): built per page (`pagination.among`), its cache key generated and
    its rows made as SQLAlchemy rows, it went the whole way each time. None where the columns
    are not all of `id_column`'s table (`pagination.among` then keeps the filters)."""
    if session.get_bind().dialect.name != "postgresql":
        return None
    try:
        return _BY_IDS[stmt]
    except KeyError:
        pass
    by_ids = None
    if all(getattr(column, "table", None) is id_column.table for column in stmt.selected_columns):
        among_ids = id_column == any_(bindparam("page_ids", type_=IntegerArray()))
        by_ids = select(*stmt.selected_columns).where(among_ids)
    _BY_IDS[stmt] = by_ids
    return by_ids


def _by_id_reader(session: Session, stmt: Select[Any], id_column: Any) -> OneStepRows | None:
    """SQLite: `stmt`'s columns for the ids of one JSON array given at execution
    (`page_ids_json`), read in one step, built once per statement object: built, compiled
    and rendered with an expanding `IN` for each page, the read was a fifth of a search
    page's GIL time (profiled at 1M, `q=pipeline`). None where `pagination.among` would not
    read the columns by id alone (another table's column), or not in one step."""
    dialect = session.get_bind().dialect
    if dialect.name != "sqlite":
        return None
    try:
        return _BY_ID_READERS[stmt]
    except KeyError:
        pass
    reader = None
    if all(getattr(column, "table", None) is id_column.table for column in stmt.selected_columns):
        listed = func.json_each(bindparam("page_ids_json", type_=String)).table_valued("value")
        by_id = select(*stmt.selected_columns).where(id_column.in_(select(listed.c.value)))
        reader = one_step_rows(by_id, dialect)
    _BY_ID_READERS[stmt] = reader
    return reader

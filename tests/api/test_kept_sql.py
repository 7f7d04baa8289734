"""Kept statements read on the DBAPI cursor (app/db/kept_sql.py) send the SQL text and the
parameters SQLAlchemy's own execution sends, give the same value, are seen by cursor
listeners, and report a DBAPI error as SQLAlchemy does."""

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import (
    Float,
    Numeric,
    any_,
    bindparam,
    cast,
    event,
    exc,
    func,
    literal,
    select,
    text,
    type_coerce,
)
from sqlalchemy.sql.base import Executable

from app.actors.models import Actor
from app.db import kept_sql
from app.db.arrays import IntegerArray
from app.db.session import create_db_engine
from app.db.versions import _VERSION_ROW
from app.incidents import repository
from app.incidents.models import Incident
from app.settings import Settings


def _statements(backend: str) -> list[tuple[Executable, dict[str, Any] | None]]:
    """Statements of the shapes the list pages keep: bound values of several types (a day
    goes through its bind processor on SQLite), a text with parameters given at execution."""
    links = (
        repository._PAGE_LINKS_SQLITE if backend == "sqlite" else repository._PAGE_LINKS_POSTGRESQL
    )
    ids: Any = "[1, 2, 3]" if backend == "sqlite" else [1, 2, 3]
    return [
        (_VERSION_ROW, None),
        (select(func.count()).where(Incident.date_start >= date(2020, 1, 1)), None),
        (
            select(func.max(Incident.id)).where(
                Incident.type == "arrest", Incident.date_end <= date(2030, 12, 31)
            ),
            None,
        ),
        (select(func.count()).select_from(Incident).where(Incident.id > 1).limit(1), None),
        (links, {"ids": ids}),
        # Rendered per execution by SQLAlchemy (an expanding IN, a literal): kept rendered.
        (select(func.count()).where(Incident.id.in_([1, 2, 3]), Incident.type != "x"), None),
        (
            select(func.count()).where(
                Incident.id.not_in([5, 6]),
                Incident.date_start.in_([date(2020, 1, 1), date(2021, 2, 3)]),
            ),
            None,
        ),
        (select(func.count()).where(Incident.id > literal(2, literal_execute=True)), None),
    ]


def test_same_sql_parameters_and_value_as_sqlalchemys(shared_seeded_url: str, backend: str) -> None:
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    seen: list[tuple[str, Any]] = []

    def record(_c: Any, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        with engine.connect() as connection, connection.begin():  # its BEGIN seen first
            for statement, params in _statements(backend):
                for _ in range(2):  # compiled, then kept
                    seen.clear()
                    expected = connection.execute(statement, params).scalar_one()
                    by_sqlalchemy = list(seen)
                    seen.clear()
                    assert kept_sql.scalar(connection, statement, params) == expected
                    assert seen == by_sqlalchemy, statement
                    names = tuple(sorted(params or ()))
                    assert kept_sql._kept(connection, statement, names) is not None, "kept"
                    assert kept_sql.scalar_or_none(connection, statement, params) == expected
            assert kept_sql.scalar(connection, _statements(backend)[1][0]) > 0, "seeded"
    finally:
        event.remove(engine, "before_cursor_execute", record)
        engine.dispose()


def test_what_sqlalchemy_renders_per_execution_goes_its_way(shared_seeded_url: str) -> None:
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    expanding = select(func.count()).where(Incident.id.in_(bindparam("ids", expanding=True)))
    none_found = select(Incident.id).where(Incident.id < 0)
    two_rows = select(Incident.id).order_by(Incident.id).limit(2)
    with engine.connect() as connection:
        ids = {"ids": [1, 2, 3]}
        by_sqlalchemy = connection.execute(expanding, ids).scalar_one()
        assert kept_sql.scalar(connection, expanding, ids) == by_sqlalchemy
        assert kept_sql._kept(connection, expanding, ("ids",)) is None
        with pytest.raises(exc.NoResultFound):
            kept_sql.scalar(connection, none_found)
        assert kept_sql.scalar_or_none(connection, none_found) is None
        with pytest.raises(exc.MultipleResultsFound):
            kept_sql.scalar(connection, two_rows)
        assert (
            kept_sql.scalar_or_none(connection, two_rows) == connection.execute(two_rows).scalar()
        )
    engine.dispose()


def test_a_dbapi_error_is_sqlalchemys(shared_seeded_url: str) -> None:
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    broken = text("SELECT no_such_column FROM incident")
    with engine.connect() as connection, pytest.raises(exc.DBAPIError):
        kept_sql.scalar(connection, broken)
    engine.dispose()


def test_a_read_transaction_begins_where_listeners_see_it(
    shared_seeded_url: str, backend: str
) -> None:
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    seen: list[str] = []

    def record(_c: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    with engine.connect() as connection, connection.begin():
        assert kept_sql.scalar(connection, _VERSION_ROW) is not None
    event.remove(engine, "before_cursor_execute", record)
    engine.dispose()
    if backend == "sqlite":
        assert seen[0] == "BEGIN"  # issued by the reader's begin listener (app/db/session.py)
    assert seen[-1].startswith("SELECT dataset_meta.data_version")


def _row_statements() -> list[Any]:
    """Page-like statements: plain columns of several types, a value only a result processor
    makes what SQLAlchemy gives (a decimal from SQLite's number, a float from PostgreSQL's
    numeric), labels and repeated names."""
    amount = cast(Incident.id, Numeric(10, 2)).label("amount")
    ratio = type_coerce(cast(Incident.id, Numeric(10, 2)) / 3, Float).label("ratio")
    return [
        select(Incident.id, Incident.title, Incident.type, Incident.date_start, Incident.date_end)
        .order_by(Incident.id.desc())
        .limit(7),
        select(Incident.id, amount, ratio).order_by(Incident.id).limit(5),
        select(Incident.id).where(Incident.id < 0),  # no rows
        # Two columns of one name: SQLAlchemy's rows name the second `id_1`, as ours do.
        select(Incident.id, Actor.id).join(Actor, Actor.id == Incident.id).limit(3),
    ]


def _unnamed_statements() -> list[Any]:
    """Rows a named tuple cannot name as SQLAlchemy does: SQLAlchemy's path reads them."""
    return [
        select(Incident.id.label("from")).limit(3),
        select(Incident.id, Incident.title.label("_title")).limit(3),
    ]


def test_named_rows_are_sqlalchemys_rows(shared_seeded_url: str) -> None:
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    try:
        with engine.connect() as connection, connection.begin():
            for statement in _row_statements():
                for _ in range(2):  # the shape found, then kept
                    expected = connection.execute(statement).all()
                    rows = kept_sql.named_rows(connection, statement)
                    assert rows is not None, str(statement)
                    assert [tuple(row) for row in rows] == [tuple(row) for row in expected]
                    for row, theirs in zip(rows, expected, strict=True):
                        assert [type(v) for v in row] == [type(v) for v in theirs], statement
                        for name in theirs._fields:
                            if name.isidentifier() and not name.startswith("_"):
                                assert getattr(row, name) == getattr(theirs, name)
            for statement in _unnamed_statements():
                assert connection.execute(statement).all(), "rows to read"
                assert kept_sql.named_rows(connection, statement) is None
            decimals = kept_sql.named_rows(connection, _row_statements()[1])
            assert decimals and isinstance(decimals[0].amount, Decimal)
            assert isinstance(decimals[0].ratio, float)
    finally:
        engine.dispose()


def test_a_listener_that_rewrites_the_statement_is_obeyed(shared_seeded_url: str) -> None:
    """As on SQLAlchemy's path: a `before_cursor_execute` listener registered with
    `retval=True` returns the statement run (tests/reliability stand a slow query in so)."""
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))

    @event.listens_for(engine, "before_cursor_execute", retval=True)
    def rewrite(_c: Any, _cursor: Any, statement: str, params: Any, *_: Any) -> tuple[str, Any]:
        return ("SELECT 42 AS id", {}) if "FROM incident" in statement else (statement, params)

    try:
        with engine.connect() as connection, connection.begin():
            page = select(Incident.id).order_by(Incident.id).limit(3)
            assert connection.execute(page).all() == [(42,)], "SQLAlchemy's path obeys it"
            assert [tuple(row) for row in kept_sql.named_rows(connection, page) or []] == [(42,)]
            assert kept_sql.scalar(connection, select(func.max(Incident.id))) == 42
    finally:
        engine.dispose()


def test_named_rows_with_parameters_given_at_execution(
    shared_seeded_url: str, backend: str
) -> None:
    """Parameters given at execution (a page's ids, on PostgreSQL one array: app/kit/search.py
    `_by_ids_statement`) are each execution's own: the rows are SQLAlchemy's for each."""
    engine = create_db_engine(shared_seeded_url, settings=Settings(database_url=shared_seeded_url))
    statements: list[tuple[Executable, list[dict[str, Any]]]] = [
        (
            select(Incident.id, Incident.slug, Incident.date_start)
            .where(Incident.id > bindparam("floor"), Incident.type != bindparam("kind"))
            .order_by(Incident.id),
            [{"floor": 3, "kind": "arrest"}, {"floor": 20, "kind": "threat"}],
        )
    ]
    if backend == "postgresql":
        by_ids = select(Incident.id, Incident.title).where(
            Incident.id == any_(bindparam("page_ids", type_=IntegerArray()))
        )
        statements.append((by_ids, [{"page_ids": [1, 2, 5]}, {"page_ids": [7]}, {"page_ids": []}]))
    try:
        with engine.connect() as connection, connection.begin():
            for statement, executions in statements:
                for params in executions:
                    expected = connection.execute(statement, params).all()
                    rows = kept_sql.named_rows(connection, statement, params)
                    assert rows is not None
                    assert sorted(map(tuple, rows)) == sorted(map(tuple, expected)), params
            first, executions = statements[0]
            assert kept_sql.named_rows(connection, first, executions[0]), "rows to compare"
    finally:
        engine.dispose()

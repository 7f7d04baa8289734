"""A kept statement's one value, or its rows, read on the connection's DBAPI cursor.

A list page runs three or four statements that are built once and kept (per process, per
data version or per statement: app/db/one_step.py, app/kit/pagination.py, the page's links).
Through `Connection.execute` each one still pays SQLAlchemy's whole execution path: its cache
key generated again (a walk of the statement), the compiled cache looked up, an execution
context and a cursor result built, events dispatched; ~15-20 us a statement on SQLite, where
the DBAPI's own execute of a page's document is a few microseconds of Python (measured:
bench/README, "Request path, eleventh pass").

`scalar` does what `connection.execute(statement, params).scalar_one()` does, with the
compiled form kept beside the statement object: SQLAlchemy compiles it (through the engine's
compiled cache, as an execution would), then each execution builds its parameters the way
SQLAlchemy's execution context does (the statement's values, or those given, each through its
type's bind processor, in the dialect's paramstyle) and executes them on the cursor of the
connection's own DBAPI connection, inside the transaction the Session began. The SQL text and
its parameters are SQLAlchemy's own, so the statements are still written with SQLAlchemy
Core; what is left out is only the machinery around them:

- `before_cursor_execute` / `after_cursor_execute` listeners are still called (the tests and
  `bench.inprocess` see every statement through them), and the statement a `retval=True`
  listener returns is the one run;
- a DBAPI error goes through the Connection's own handling (wrapped in SQLAlchemy's
  exception, a lost connection invalidated), so a database that is down is still a 503;
- a statement whose SQL SQLAlchemy renders per execution (an expanding `IN`, a literal
  parameter), whose value needs a result processor, or given several parameter sets, is
  executed the usual way.

`named_rows` does what `connection.execute(statement).all()` does for a list page that is not
read in one step (app/db/one_step.py: SQLite's), that is PostgreSQL's: named tuples, each value
through its type's result processor for the type the database sent, as SQLAlchemy's cursor
result would. Served at 4 connections on PostgreSQL at 1M, a list page cost ~0.4-0.6 ms less of
the process's CPU (bench/README, "Session 25").

tests/api/test_kept_sql.py compares the SQL text and parameters with SQLAlchemy's own, and the
rows with SQLAlchemy's rows.
"""

import keyword
import weakref
from collections import namedtuple
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, cast

from sqlalchemy import Connection
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import NoResultFound
from sqlalchemy.sql import compiler
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.compiler import SQLCompiler


@dataclass(frozen=True)
class _Kept:
    """One statement compiled for one dialect and one set of parameter names."""

    dialect: Dialect
    names: tuple[str, ...]  # the parameter names given at execution, sorted
    compiled: SQLCompiler
    extracted: Any  # the statement's own bound values, when compiled from the cache
    collected: Any
    sql: str
    # (name, processor or None) in the order the paramstyle sends them; None: by name
    positions: tuple[tuple[str, Callable[[Any], Any] | None], ...] | None
    processors: Mapping[str, Callable[[Any], Any]]
    escaped: Mapping[str, str] | None
    constant: Any  # the parameters when none are given: the same each execution
    # `named_rows`' row type ("shape") and result processors ("processors", found at its
    # first execution by the cursor's description).
    rows_shape: dict[str, Any] = field(default_factory=dict, compare=False)


# Execution options that change nothing of one statement's execution: the isolation level and
# read-only mode apply when the transaction begins; the others are marks app/kit leaves.
_EXECUTED_ALIKE = frozenset(
    {
        "isolation_level",
        "postgresql_readonly",
        "postgresql_deferrable",
        "read_by_id",
        "listed_by",
        "counted_by",
        "planned_as",
        "narrowed_by",
    }
)

# By statement object: the kept statements live as long as their keepers (a statement built
# per request, freed with it, takes its entry along).
_KEPT: "weakref.WeakKeyDictionary[Executable, _Kept | None]" = weakref.WeakKeyDictionary()


def scalar(
    connection: Connection, statement: Executable, params: Mapping[str, Any] | None = None
) -> Any:
    """`connection.execute(statement, params).scalar_one()`, on the DBAPI cursor."""
    rows = _rows(connection, statement, params)
    if rows is None or len(rows) > 1:
        return connection.execute(statement, params).scalar_one()  # as it always did
    if not rows:
        raise NoResultFound("No row was found when one was required")
    return rows[0][0]


def first_column(
    connection: Connection, statement: Executable, params: Mapping[str, Any] | None = None
) -> list[Any]:
    """`connection.execute(statement, params).scalars().all()`: every row's first value, on
    the DBAPI cursor (thousands of ids a search tests against its filters, each made a
    SQLAlchemy row and taken apart again through its execution path)."""
    rows = _rows(connection, statement, params)
    if rows is None:
        return list(connection.execute(statement, params).scalars().all())  # as it always did
    return [row[0] for row in rows]


def scalar_or_none(
    connection: Connection, statement: Executable, params: Mapping[str, Any] | None = None
) -> Any:
    """`connection.execute(statement, params).scalar()`: the first row's value, or None."""
    rows = _rows(connection, statement, params)
    if rows is None:
        return connection.execute(statement, params).scalar()
    return rows[0][0] if rows else None


def named_rows(
    connection: Connection, statement: Executable, params: Mapping[str, Any] | None = None
) -> list[Any] | None:
    """`connection.execute(statement, params).all()` on the DBAPI cursor: its rows as named
    tuples (by column name, or by position), each value as SQLAlchemy's result would give it;
    None where SQLAlchemy's path must (see the module's docstring; and columns whose names a
    row cannot have: repeated, or not identifiers). Attribute access on a named tuple costs a
    fraction of a SQLAlchemy `Row`'s, and a PostgreSQL list page reads ~700 of them."""
    kept = _kept(connection, statement, tuple(sorted(params)) if params else ())
    if kept is None:
        return None
    shape = kept.rows_shape.get("shape", _UNKNOWN)
    if shape is _UNKNOWN:
        shape = kept.rows_shape["shape"] = _rows_type(kept)
    if shape is None:
        return None
    cursor, kept_cursor = _cursor(connection)
    try:
        parameters = _parameters(kept, params) if params else kept.constant
        rows = _executed_on(connection, cursor, kept.sql, parameters, fetch=True)
        processors = kept.rows_shape.get("processors")
        if processors is None:
            processors = kept.rows_shape["processors"] = _result_processors(kept, cursor)
    finally:
        if not kept_cursor:
            cursor.close()
    if processors:
        rows = [list(row) for row in rows]
        for values in rows:
            for index, process in processors:
                if values[index] is not None:
                    values[index] = process(values[index])
    make = shape._make
    return [make(row) for row in rows]


_UNKNOWN: Any = object()


def _rows_type(kept: _Kept) -> Any:
    """The named tuple of the statement's result columns, by the names SQLAlchemy's rows give
    them; None where a named tuple cannot have them (repeated, keywords, not identifiers,
    a leading underscore)."""
    names = [column.keyname for column in kept.compiled._result_columns]
    if not names or len(set(names)) != len(names):
        return None
    if not all(n.isidentifier() and not keyword.iskeyword(n) and n[0] != "_" for n in names):
        return None
    return row_type(names)


def _result_processors(kept: _Kept, cursor: Any) -> tuple[tuple[int, Any], ...]:
    """(column index, result processor) for the DBAPI's column types, as SQLAlchemy's cursor
    result finds them (a type's processor may depend on what the database sent)."""
    columns = kept.compiled._result_columns
    described = cursor.description or ()
    if len(described) != len(columns):
        raise RuntimeError(f"{len(described)} columns described, {len(columns)} compiled")
    found = []
    for index, (column, description) in enumerate(zip(columns, described, strict=True)):
        process = column.type._cached_result_processor(kept.dialect, description[1])
        if process is not None:
            found.append((index, process))
    return tuple(found)


_ROW_TYPES: dict[tuple[str, ...], type[tuple[Any, ...]]] = {}


def row_type(names: Sequence[str]) -> type[tuple[Any, ...]]:
    """A named tuple per column list: a row by name (`row.title`) or by position."""
    key = tuple(names)
    if key not in _ROW_TYPES:
        _ROW_TYPES[key] = namedtuple("Row", key)
    return _ROW_TYPES[key]


def _rows(
    connection: Connection, statement: Executable, params: Mapping[str, Any] | None
) -> list[Any] | None:
    """The statement's rows as the DBAPI gives them; None where SQLAlchemy's path must."""
    names = tuple(sorted(params)) if params else ()
    kept = _kept(connection, statement, names)
    if kept is None:
        return None
    parameters = _parameters(kept, params) if params else kept.constant
    return _executed(connection, kept.sql, parameters, fetch=True)


def fetch_plain(connection: Connection, sql: str, parameters: Any) -> list[Any]:
    """The rows of `sql`, a statement of our own text in the DBAPI's paramstyle with its
    parameters as the DBAPI takes them, on the DBAPI cursor (`connection.exec_driver_sql`
    without the execution context and result around it)."""
    if connection._echo:
        return list(connection.exec_driver_sql(sql, parameters).all())
    return _executed(connection, sql, parameters, fetch=True)


def execute_plain(connection: Connection, sql: str) -> None:
    """`connection.exec_driver_sql(sql)` for a statement without parameters or rows (a
    `BEGIN`), on the DBAPI cursor."""
    if connection._echo:
        connection.exec_driver_sql(sql)
        return
    _executed(connection, sql, connection.dialect.execute_sequence_format(()), fetch=False)


def _executed(connection: Connection, sql: str, parameters: Any, *, fetch: bool) -> list[Any]:
    """`sql` executed on the connection's DBAPI cursor, its cursor listeners called and a
    DBAPI error handled as SQLAlchemy's execution handles it (re-raised, wrapped)."""
    try:
        cursor, kept_cursor = _cursor(connection)
    except BaseException as error:
        # A connection that broke fails here already (SQLite: "Cannot operate on a closed
        # database"): handled as any statement's error, so it is invalidated and reported as
        # a database error, not raised as the driver's own.
        connection._handle_dbapi_exception(error, sql, parameters, None, None)
    try:
        return _executed_on(connection, cursor, sql, parameters, fetch=fetch)
    finally:
        if not kept_cursor:
            cursor.close()


# Where a connection's kept cursor is, in its pool entry's `info` (which follows the DBAPI
# connection from checkout to checkout, and is emptied when the entry connects anew).
_CURSOR = "incidentdb.kept_cursor"


def kept_cursor(dbapi_connection: Any, info: dict[Any, Any]) -> Any:
    """A psycopg connection's cursor, made once and kept (in `info`, its pool entry's) for
    every statement run on it here: making a cursor for each one cost ~5 us of CPU a
    statement (its adapters and its connection's checks; a list page runs four or five),
    and a statement's execution leaves nothing on a cursor that the next one would see.
    Each statement reads all of its rows before the next one runs. A cursor closed since (a
    statement's error closes it: SQLAlchemy's handling of DBAPI errors) is made anew."""
    kept = info.get(_CURSOR)
    if kept is not None and kept[0] is dbapi_connection and not kept[1].closed:
        return kept[1]
    cursor = dbapi_connection.cursor()
    info[_CURSOR] = (dbapi_connection, cursor)
    return cursor


def _cursor(connection: Connection) -> tuple[Any, bool]:
    """A cursor for one statement on the connection's DBAPI connection, and whether it is
    kept (else the caller closes it): PostgreSQL's are kept (`kept_cursor`); SQLite's cost
    a fraction of a microsecond, and one left open holds its statement."""
    pooled = connection.connection
    dbapi_connection = pooled.driver_connection
    assert dbapi_connection is not None
    if connection.dialect.name == "postgresql":
        return kept_cursor(dbapi_connection, pooled.info), True
    return dbapi_connection.cursor(), False


def _executed_on(
    connection: Connection, cursor: Any, sql: str, parameters: Any, *, fetch: bool
) -> list[Any]:
    """`_executed` on a cursor the caller closes (after reading its description)."""
    # The connection's and its engine's listeners (as Connection._execute_context calls them:
    # each one returns the statement and parameters to run, which a listener registered with
    # `retval=True` may have changed; SQLAlchemy wraps the others to return them as given).
    dispatch = connection.dispatch
    before, after = dispatch.before_cursor_execute, dispatch.after_cursor_execute
    rows: list[Any] = []
    try:
        for listener in before:
            sql, parameters = listener(connection, cursor, sql, parameters, None, False)
        cursor.execute(sql, parameters)
        for listener in after:
            listener(connection, cursor, sql, parameters, None, False)
        if fetch:
            rows = cursor.fetchall()
    except BaseException as error:
        connection._handle_dbapi_exception(error, sql, parameters, cursor, None)
    return rows


def _kept(connection: Connection, statement: Executable, names: tuple[str, ...]) -> _Kept | None:
    dialect = connection.dialect
    try:
        kept = _KEPT[statement]
    except KeyError:
        kept = None
    except TypeError:  # not weakly referenced: executed the usual way
        return None
    if kept is not None and kept.dialect is dialect and kept.names == names:
        return kept
    options = connection._execution_options.union(statement._execution_options)
    if connection._echo or not _EXECUTED_ALIKE.issuperset(options):
        return None  # a schema map, a cache of its own, logging...: SQLAlchemy's path decides
    kept = _compile(connection, statement, names)
    try:
        _KEPT[statement] = kept
    except TypeError:
        return None
    return kept


def _compile(connection: Connection, statement: Executable, names: tuple[str, ...]) -> _Kept | None:
    """As Connection._execute_clauseelement compiles a statement (and None where its SQL or
    its result would need more than the compiled text and a plain value)."""
    dialect = connection.dialect
    compiled_sql, extracted, collected, _ = statement._compile_w_cache(
        dialect=dialect,
        compiled_cache=connection.engine._compiled_cache,
        column_keys=list(names),
        for_executemany=False,
        schema_translate_map=None,
        linting=dialect.compiler_linting | compiler.WARN_LINTING,
    )
    if not isinstance(compiled_sql, SQLCompiler):
        return None
    rendered_per_execution = bool(
        compiled_sql.literal_execute_params or compiled_sql.post_compile_params
    )
    if rendered_per_execution and names:
        return None  # its SQL follows the values given: SQLAlchemy renders it each time
    if (
        compiled_sql.schema_translate_map
        or compiled_sql.insert_prefetch
        or compiled_sql.update_prefetch
    ):
        return None
    if compiled_sql.isinsert or compiled_sql.isupdate or compiled_sql.isdelete:
        return None
    columns = compiled_sql._result_columns
    if columns and columns[0].type._cached_result_processor(dialect, None) is not None:
        return None
    # A non-expanding parameter's processor is one callable (as _init_compiled calls it).
    processors = cast(Mapping[str, Callable[[Any], Any]], compiled_sql._bind_processors)
    positions = None
    if compiled_sql.positional:
        assert compiled_sql.positiontup is not None
        positions = tuple((name, processors.get(name)) for name in compiled_sql.positiontup)
    kept = _Kept(
        dialect,
        names,
        compiled_sql,
        extracted,
        collected,
        compiled_sql.string,
        positions,
        processors,
        compiled_sql.escaped_bind_names or None,
        None,
    )
    if names:
        return kept
    if rendered_per_execution:
        # Its values are its own, so the SQL rendered for them (an `IN` of a kept list of
        # ids) is the same at every execution: rendered once, as _init_compiled renders it.
        return _rendered_once(kept)
    return replace(kept, constant=_parameters(kept, None))


def _rendered_once(kept: _Kept) -> _Kept:
    """`kept` (with no parameters given at execution) with its expanding and literal
    parameters rendered into its SQL, and the parameters sent with it."""
    compiled = kept.compiled
    values = compiled.construct_params(
        None,
        escape_names=False,
        extracted_parameters=kept.extracted,
        _collected_params=kept.collected,
    )
    expanded = compiled._process_parameters_for_postcompile(values)
    processors = cast(
        dict[str, Callable[[Any], Any]], {**compiled._bind_processors, **expanded.processors}
    )
    sql = expanded.statement
    constant: Any
    if compiled.positional:
        constant = kept.dialect.execute_sequence_format(
            [
                processors[name](values[name]) if name in processors else values[name]
                for name in expanded.positiontup or ()
            ]
        )
    else:
        escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
        constant = {
            escaped.get(name, name): (processors[name](value) if name in processors else value)
            for name, value in values.items()
        }
    return replace(kept, sql=sql, positions=None, processors=processors, constant=constant)


def _parameters(kept: _Kept, params: Mapping[str, Any] | None) -> Any:
    """What SQLAlchemy's execution context sends the DBAPI (DefaultExecutionContext.
    _init_compiled): every bound value, through its type's bind processor."""
    values = kept.compiled.construct_params(
        params,
        escape_names=False,
        extracted_parameters=kept.extracted,
        _collected_params=kept.collected,
    )
    if kept.positions is not None:
        return kept.dialect.execute_sequence_format(
            [
                values[name] if process is None else process(values[name])
                for name, process in kept.positions
            ]
        )
    processors, escaped = kept.processors, kept.escaped or {}
    return {
        escaped.get(name, name): (processors[name](value) if name in processors else value)
        for name, value in values.items()
    }

"""A page of plain rows read from SQLite in one step of the statement: one JSON document.

Python's sqlite3 module releases the GIL around each `sqlite3_step`, once per row. Under
concurrent requests every release hands the GIL to another request thread and every row then
waits to take it back: at 4 connections a list page of 50 incidents cost 170-190 context
switches and 5.3 ms of CPU, against 3.6 switches and 3.0 ms one request at a time (measured on
the served process: bench/README, "Request path, ninth pass"). Read as
`json_group_array(json_array(...))` over the page's statement, the page is one step: SQLite
builds it without the GIL, and the rows come back as one document that orjson parses (`built_json`).

The rows are what the connection would have returned: each column's value through its type's
own result processor (a day's text becomes a `date`, 0/1 a bool), in the statement's order
(a subquery with ORDER BY and LIMIT is read in its order; tests/api/test_one_step.py checks
the rows against the statement's own), with attribute access by column name.

A float is carried as an integer, exactly. SQLite's JSON writes a double with 15 significant
digits, and neither `printf('%!.17g')` nor `quote()` gives every double back exactly in SQLite
3.40 (61 and 15 of 60,000 random doubles came back different). But a double times 2**62 is
exact (a power of two only moves its exponent), and when that product is a whole number below
2**63 (every double from 2**-10 up to 2 is one: a confidence, a share) SQLite writes it as an
integer, digit for digit, and Python's product of it and 2**-62 is the double again. A double
that is not (a tiny or a huge one) comes as a marker, and the statement is then read again row
by row: the answer never depends on it.

A statement with a column the JSON cannot carry exactly is read as usual: bytes and decimals,
or names that are not plain columns or labels.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Float,
    Integer,
    Label,
    LargeBinary,
    Numeric,
    Select,
    case,
    cast,
    func,
    literal_column,
    null,
    select,
)
from sqlalchemy.engine import Dialect

from app.db import kept_sql
from app.db.base import built_json

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Shape:
    """What reading a column list in one step needs, whatever the statement around it."""

    document: Any  # json_group_array(json_array(<the columns by name>))
    row_type: type[tuple[Any, ...]]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, processor)
    floats: tuple[int, ...] = ()  # the indexes of columns carried as x * 2**62 (`_exactly`)


@dataclass(frozen=True)
class OneStepRows:
    """How one statement's rows are read as one JSON document (see the module's docstring)."""

    document: Select[Any]
    shape: _Shape
    statement: Select[Any]  # the rows themselves: read row by row when a float is not exact

    def rows(self, connection: Connection, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The rows; `params`: values of the statement's parameters given at execution."""
        arrays: list[list[Any]] = built_json(kept_sql.scalar(connection, self.document, params))
        for index in self.shape.floats:
            for values in arrays:
                value = values[index]
                if type(value) is int:
                    values[index] = value * _UNSCALE  # exact: see the module's docstring
                elif type(value) is str:  # _INEXACT: a double 2**62 does not make whole
                    return list(connection.execute(self.statement, params).all())
        processors = self.shape.processors
        if processors:
            for values in arrays:
                for index, process in processors:
                    value = values[index]
                    if value is not None:
                        values[index] = process(value)
        make = self.shape.row_type._make  # type: ignore[attr-defined]
        return [make(values) for values in arrays]


def one_step_rows(statement: Select[Any], dialect: Dialect) -> OneStepRows | None:
    """How to read `statement`'s rows in one step on SQLite; None where they cannot be."""
    if dialect.name != "sqlite":
        return None
    shape = _shape_of(tuple(statement.selected_columns), dialect)
    if shape is None:
        return None
    # The page's statement as a subquery whose columns the document names: nothing of the
    # statement is described again (its column collection alone cost ~0.3 ms a request).
    document = select(shape.document).select_from(statement.subquery())
    return OneStepRows(document, shape, statement)


# A double d travels as the integer d * 2**62 when that is exact (see the module's docstring).
_SCALE: ColumnElement[Any] = literal_column("4611686018427387904.0")  # 2.0**62
_UNSCALE = 2.0**-62
_INEXACT = "inexact"


def _exactly(value: ColumnElement[Any]) -> ColumnElement[Any]:
    """A float column as `value * 2**62`, an integer, where that is exact; otherwise the
    _INEXACT marker."""
    scaled = value * _SCALE
    whole = cast(scaled, Integer)
    return case(
        (value.is_(None), null()),
        (scaled == whole, whole),
        else_=literal_column(f"'{_INEXACT}'"),
    )


# By column list (the lists' columns are the models' own; a search adds a label per request,
# so the cache is bounded). Values hold the columns, never a statement.
_SHAPES: dict[tuple[Any, ...], _Shape | None] = {}
_SHAPES_LIMIT = 512


def _shape_of(columns: tuple[Any, ...], dialect: Dialect) -> _Shape | None:
    try:
        return _SHAPES[columns]
    except KeyError:
        pass
    except TypeError:  # a column that cannot be a dict key
        return None
    if len(_SHAPES) >= _SHAPES_LIMIT:
        _SHAPES.clear()
    shape = _SHAPES[columns] = _describe(columns, dialect)
    return shape


def _describe(columns: Sequence[Any], dialect: Dialect) -> _Shape | None:
    names: list[str] = []
    processors: list[tuple[int, Callable[[Any], Any]]] = []
    floats: list[int] = []
    for index, column in enumerate(columns):
        name, carried = _name_of(column), _carried(column)
        if name is None or carried is None:
            return None
        if carried == "float":
            floats.append(index)
        names.append(name)
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            processors.append((index, process))
    if len(set(names)) != len(names):
        return None
    try:
        row_type = kept_sql.row_type(names)
    except ValueError:  # a name a named tuple cannot have (a keyword, a leading underscore)
        return None
    quote = dialect.identifier_preparer.quote_identifier
    named: list[ColumnElement[Any]] = [literal_column(quote(name)) for name in names]
    for index in floats:
        named[index] = _exactly(named[index])
    document = func.json_group_array(func.json_array(*named))
    return _Shape(document, row_type, tuple(processors), tuple(floats))


def _name_of(column: Any) -> str | None:
    """The name a subquery gives the column: a table's column or a label as the page's rows
    name it; None for anything else (an unlabelled expression could be named otherwise)."""
    if isinstance(column, Label):
        return column.name
    if isinstance(column, Column) and column.key == column.name:
        return column.name
    return None


def _carried(column: Any) -> str | None:
    """How the document carries the column's values: "float" (`_exactly`), "as is", or None
    where it cannot exactly."""
    if isinstance(column.type, Float) and not column.type.asdecimal:
        # An expression can be -0.0, which SQLite's JSON and text both write as 0.0; a stored
        # column cannot (REAL affinity keeps a whole double as an integer).
        return "float" if isinstance(column, Column) else None
    # Float is not a Numeric in SQLAlchemy 2.1 (it is in 2.0): a decimal is named as both.
    if isinstance(column.type, LargeBinary | Numeric | Float):
        return None
    return "as is"

"""A page of plain rows read from SQLite in one step of the statement: one JSON document.

Python's sqlite3 module releases the GIL around each `sqlite3_step`, once per row. Under
concurrent requests every release hands the GIL to another request thread and every row then
waits to take it back: at 4 connections a list page of 50 incidents cost 170-190 context
switches and 5.3 ms of CPU, against 3.6 switches and 3.0 ms one request at a time (measured on
the served process: bench/README, "Request path, ninth pass"). Read as
`json_group_array(json_array(...))` over the page's statement, the page is one step: SQLite
builds it without the GIL, and the rows come back as one document that pydantic-core parses.

The rows are what the connection would have returned: each column's value through its type's
own result processor (a day's text becomes a `date`, 0/1 a bool), in the statement's order
(a subquery with ORDER BY and LIMIT is read in its order; tests/api/test_one_step.py checks
the rows against the statement's own), with attribute access by column name.

A statement with a column the JSON cannot carry exactly is read as usual: bytes, decimals
and floats (SQLite's JSON writes a double with 15 significant digits, and neither
`printf('%!.17g')` nor `quote()` gives every double back exactly in SQLite 3.40: 61 and 15 of
60,000 random doubles came back different), or names that are not plain columns or labels.
"""

from collections import namedtuple
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pydantic_core
from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Float,
    Label,
    LargeBinary,
    Numeric,
    Select,
    func,
    literal_column,
    select,
)
from sqlalchemy.engine import Dialect

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Shape:
    """What reading a column list in one step needs, whatever the statement around it."""

    document: Any  # json_group_array(json_array(<the columns by name>))
    row_type: type[tuple[Any, ...]]
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]  # (column index, processor)


@dataclass(frozen=True)
class OneStepRows:
    """How one statement's rows are read as one JSON document (see the module's docstring)."""

    document: Select[Any]
    shape: _Shape

    def rows(self, connection: Connection) -> list[Any]:
        arrays: list[list[Any]] = pydantic_core.from_json(
            connection.execute(self.document).scalar_one()
        )
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
    return OneStepRows(select(shape.document).select_from(statement.subquery()), shape)


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
    for index, column in enumerate(columns):
        # A subquery names a table's column or a label as the page's rows do; anything else
        # (an unlabelled expression) could be named otherwise.
        if isinstance(column, Label):
            name = column.name
        elif isinstance(column, Column) and column.key == column.name:
            name = column.name
        else:
            return None
        # Float is not a Numeric in SQLAlchemy 2.1: both are named.
        if isinstance(column.type, LargeBinary | Numeric | Float):
            return None
        names.append(name)
        process = column.type.dialect_impl(dialect).result_processor(dialect, None)
        if process is not None:
            processors.append((index, process))
    if len(set(names)) != len(names):
        return None
    try:
        row_type = _row_type(names)
    except ValueError:  # a name a named tuple cannot have (a keyword, a leading underscore)
        return None
    quote = dialect.identifier_preparer.quote_identifier
    named: list[ColumnElement[Any]] = [literal_column(quote(name)) for name in names]
    document = func.json_group_array(func.json_array(*named))
    return _Shape(document, row_type, tuple(processors))


_ROW_TYPES: dict[tuple[str, ...], type[tuple[Any, ...]]] = {}


def _row_type(names: Sequence[str]) -> type[tuple[Any, ...]]:
    """A named tuple per column list: a row by name (`row.title`) or by position."""
    key = tuple(names)
    if key not in _ROW_TYPES:
        _ROW_TYPES[key] = namedtuple("OneStepRow", key)
    return _ROW_TYPES[key]

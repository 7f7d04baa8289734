from typing import Any, TypeAlias, cast

import orjson
import pydantic_core
from sqlalchemy import MetaData, Row, Select
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names on both databases, so Alembic can alter and drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Statements and rows of any shape (SQLAlchemy 2.1 types them by their column tuple).
AnySelect: TypeAlias = Select[*tuple[Any, ...]]
AnyRow: TypeAlias = Row[*tuple[Any, ...]]


def json_list(value: Any) -> list[Any]:
    """A JSON array column: text on SQLite, already parsed by psycopg; NULL is empty."""
    if value is None:
        return []
    if isinstance(value, str | bytes):
        # pydantic-core's parser: a tenth of json.loads' cost on these short arrays, whose
        # per-call overhead (~1.5 us each, two per incident) was most of it.
        parsed: list[Any] = pydantic_core.from_json(value)
        return parsed
    return cast(list[Any], value)


def built_json(document: str | bytes) -> Any:
    """A JSON document our own SQL built from the columns of a page (`json_group_array`,
    `json_agg`: integers, text, NULL), parsed by orjson: ~1.5x pydantic-core's speed on a
    page's documents (20 KB of rows, 3 KB of links: 23 -> 18 and 20 -> 12 us, measured).
    What such a document holds orjson reads as pydantic-core does: integers of at most 64
    bits (ids, counts, a float carried as an integer, app/db/one_step.py), text the
    database holds as valid UTF-8."""
    return orjson.loads(document)


def json_ids(ids: list[int]) -> str:
    """A page's ids as the JSON array SQLite's `json_each` reads them, written by orjson:
    ~0.3 us for 50 ids against json.dumps' ~4.4 (measured); two per page on SQLite. numpy
    integers are written as the integers they are."""
    return orjson.dumps(ids, option=orjson.OPT_SERIALIZE_NUMPY).decode()

"""Pages read from SQLite in one step (app/db/one_step.py) are the rows the statement itself
returns: same values and types, same order, same names; PostgreSQL reads rows as usual."""

import math
import random
import struct
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Float, Integer, MetaData, Select, Table, create_engine, select
from sqlalchemy.engine import Connection

from app.db.one_step import one_step_rows
from app.incidents.models import Incident
from app.incidents.repository import LIST_COLUMNS as INCIDENT_COLUMNS
from app.sources.models import Source
from app.statements.models import Statement
from app.statements.repository import LIST_COLUMNS as STATEMENT_COLUMNS

# Statements of every shape a list issues: several column types (dates, JSON, NULLs),
# both orders, a LIMIT cutting the set, and none matching.
STATEMENTS: list[Select[Any]] = [
    select(*INCIDENT_COLUMNS).order_by(Incident.date_start.desc(), Incident.id.desc()).limit(7),
    select(*INCIDENT_COLUMNS).order_by(Incident.date_start, Incident.id).limit(500),
    select(*INCIDENT_COLUMNS).where(Incident.type == "no-such-type").limit(5),
    select(Statement.id, Statement.said_on, Statement.attribution_evidence).order_by(
        Statement.said_on.desc(), Statement.id
    ),
    select(Source.id, Source.slug, Source.published_on, Source.title).order_by(Source.id),
    # A float column (a statement's confidence), carried as an integer (see one_step.py).
    select(*STATEMENT_COLUMNS).order_by(Statement.id),
]


def _read(connection: Connection, stmt: Select[Any]) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(stmt)]


def test_one_step_rows_are_the_statements_rows(shared_seeded_url: str, backend: str) -> None:
    engine = create_engine(shared_seeded_url)
    with engine.connect() as connection:
        for stmt in STATEMENTS:
            one_step = one_step_rows(stmt, connection.dialect)
            if backend == "postgresql":
                assert one_step is None
                continue
            assert one_step is not None
            rows = one_step.rows(connection)
            expected = _read(connection, stmt)
            assert [tuple(row) for row in rows] == expected
            assert [[type(v) for v in row] for row in rows] == [
                [type(v) for v in row] for row in expected
            ]
            names = list(stmt.selected_columns.keys())
            assert all([getattr(row, n) for n in names] == list(row) for row in rows)
        assert _read(connection, STATEMENTS[0]), "the seeds have incidents"
        assert _read(connection, STATEMENTS[-1]), "the seeds have statements"
    engine.dispose()


def _bits(value: float | None) -> int | None:
    """A double's exact bits (0.0 and -0.0 differ; equal floats compare equal anyway)."""
    return None if value is None else struct.unpack("<q", struct.pack("<d", value))[0]


def _random_doubles(draw: random.Random, n: int) -> list[float]:
    """Doubles of every exponent and sign, from their bits: tiny, huge, subnormal."""
    found: list[float] = []
    while len(found) < n:
        value = struct.unpack("<d", draw.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(value):
            found.append(value)
    return found


@pytest.mark.parametrize("kind", ["confidences", "any double"])
def test_floats_come_back_bit_for_bit(tmp_path: Path, kind: str) -> None:
    """Every double comes back exactly: those 2**62 makes whole through the document, the
    others (tiny, huge) by reading the rows again. SQLite's JSON text (15 digits) would
    change some last bits of random doubles in [0, 1)."""
    draw = random.Random(17)
    if kind == "confidences":
        # Every double from 2**-10 up is whole times 2**62 (random() also gives smaller ones).
        values: list[float | None] = [max(draw.random(), 2.0**-10) for _ in range(20_000)]
        values += [0.0, -0.0, 1.0, 1.5, 0.5, 1 / 3, 2.0**-10, None, 0.1, 0.9, 0.95]
    else:
        values = [*_random_doubles(draw, 2_000), 1e-300, -1e300, 5e-324, 2.0, 4.0, -0.0, None]
    metadata = MetaData()
    table = Table("t", metadata, Column("id", Integer, primary_key=True), Column("x", Float))
    engine = create_engine(f"sqlite:///{tmp_path / 'floats.sqlite3'}")
    metadata.create_all(engine)
    with engine.begin() as connection:
        connection.execute(table.insert(), [{"id": i, "x": x} for i, x in enumerate(values)])
    stmt = select(table.c.id, table.c.x).order_by(table.c.id)
    with engine.connect() as connection:
        one_step = one_step_rows(stmt, connection.dialect)
        assert one_step is not None
        rows = one_step.rows(connection)
        expected = _read(connection, stmt)
        assert [(r[0], _bits(r[1])) for r in rows] == [(r[0], _bits(r[1])) for r in expected]
        assert [type(r[1]) for r in rows] == [type(r[1]) for r in expected]
        document = connection.execute(one_step.document).scalar_one()
        # A float expression can be -0.0, which SQLite writes as 0.0: read row by row.
        negated = select(table.c.id, (table.c.x * -1.0).label("negated"))
        assert one_step_rows(negated, connection.dialect) is None
    # Confidences all travel in the document: the rows are not read a second time.
    assert ("inexact" in document) == (kind == "any double")
    engine.dispose()

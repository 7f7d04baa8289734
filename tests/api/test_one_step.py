"""Pages read from SQLite in one step (app/db/one_step.py) are the rows the statement itself
returns: same values and types, same order, same names; PostgreSQL reads rows as usual."""

from typing import Any

from sqlalchemy import Select, create_engine, select
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
        # A double can come back with another last digit (see app/db/one_step.py).
        assert one_step_rows(select(*STATEMENT_COLUMNS), connection.dialect) is None
        assert _read(connection, STATEMENTS[0]), "the seeds have incidents"
    engine.dispose()

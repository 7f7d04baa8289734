"""postgresql newest-first indexes

Statements and sources list newest first with undated rows last. SQLite sorts NULLs last in
a descending scan, so its (said_on, id) and (published_on, id) indexes already serve that
order; PostgreSQL puts NULLs first there, so `DESC NULLS LAST` sorted every match (382 ms for
speaker=Iran, 446 ms for /sources at 5,000,000 incidents). These indexes have the order itself.
PostgreSQL only: the names end in `_pg`, which migrations/env.py leaves out of `alembic check`.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 09:42:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXES = {
    "ix_statement_said_on_desc_pg": "statement (said_on DESC NULLS LAST, id DESC)",
    "ix_source_published_on_desc_pg": "source (published_on DESC NULLS LAST, id DESC)",
}


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name, definition in INDEXES.items():
        op.execute(f"CREATE INDEX {name} ON {definition}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name in INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")

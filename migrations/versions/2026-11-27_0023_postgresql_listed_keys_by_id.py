"""postgresql: a source's and a statement's date by id, index-only

Past 2,000 ids listed by an exact count, a page of them is found by reading each listed row's
sort key by id and keeping the first in order (app/kit/pagination.py, `_first_listed`).
Incidents have (id, date_start) (migration 0011); sources and statements read each row from
the table for it: 3,118 sources for `/sources?date_from=1982-10-08&actor=Brazil&sort=-date`
at 1M, 3,802 pages from disk, 70 ms; with (id, published_on) 20 ms cold, from the index
alone. SQLite does not take this way: PostgreSQL only, names ending in `_pg`, which
migrations/env.py leaves out of `alembic check`. Built in under a second each at 1M.

Revision ID: 0023
Revises: 0021
Create Date: 2026-11-27 05:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE = "ix_source_id_published_on_pg"
STATEMENT = "ix_statement_id_said_on_pg"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {SOURCE} ON source (id, published_on)")
    op.execute(f"CREATE INDEX {STATEMENT} ON statement (id, said_on)")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {STATEMENT}")
    op.execute(f"DROP INDEX IF EXISTS {SOURCE}")

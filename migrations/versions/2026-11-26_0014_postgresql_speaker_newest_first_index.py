"""postgresql: a speaker's statements newest first

An actor's page lists its statements newest first, undated last (`said_on DESC NULLS LAST,
id DESC`). PostgreSQL's (speaker_id, said_on) index read backward puts undated rows first and
leaves ties unordered, so the planner walked every statement newest first through
ix_statement_said_on_desc_pg and read each row to test its speaker: 3,900 rows, 18-25 ms, to
find an official's ten newest among 1,688 (1M incidents, profiled). This index has the page's
order for each speaker, so the page reads ten entries. SQLite's (speaker_id, said_on) index,
read backward, already has that order (it sorts NULLs first, so last descending).
PostgreSQL only: the name ends in `_pg`, which migrations/env.py leaves out of `alembic check`.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 06:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NAME = "ix_statement_speaker_said_on_desc_pg"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {NAME} ON statement (speaker_id, said_on DESC NULLS LAST, id DESC)")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {NAME}")

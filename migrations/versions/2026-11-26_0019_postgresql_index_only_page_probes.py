"""postgresql: index-only probes for a page of sources or statements walked newest first

A page of one state's sources or statements newest first walks the date index and tests each
source's mentions, or each statement's speaker, until it has found its rows (app/kit/pagination:
on PostgreSQL the page's ids are found first, its rows read after). Each test read a row from the
table: a mention's actor through (source_id, start), a statement's speaker and source through
(said_on, id). For `/sources?date_from=1982-10-08&actor=Brazil&sort=-date`, 7,855 sources walked,
12,955 pages read from disk, 0.27 s; for `/statements?speaker=Brazil&sort=-date` 10,000 buffers,
64 ms (1M, profiled). With (source_id, actor_id), and (said_on, id) carrying speaker_id and
source_id, every test is answered from an index: 82 ms with 8 pages read, and 2.5 ms.

The statement index replaces ix_statement_said_on_desc_pg (migration 0004): same order, more
columns. SQLite reads no table row for these tests (it defers a row's read until a column the
index lacks is needed, and its probes use (actor_id, source_id)): PostgreSQL only, names ending
in `_pg`, which migrations/env.py leaves out of `alembic check`.

Written beside a full-text pass that added no migration: it follows 0018.

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-26 15:40:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MENTION = "ix_mention_source_id_actor_id_pg"
STATEMENT = "ix_statement_said_on_speaker_desc_pg"
REPLACED = "ix_statement_said_on_desc_pg"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {MENTION} ON mention (source_id, actor_id)")
    op.execute(
        f"CREATE INDEX {STATEMENT} ON statement (said_on DESC NULLS LAST, id DESC) "
        "INCLUDE (speaker_id, source_id)"
    )
    op.execute(f"DROP INDEX IF EXISTS {REPLACED}")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {REPLACED} ON statement (said_on DESC NULLS LAST, id DESC)")
    op.execute(f"DROP INDEX IF EXISTS {STATEMENT}")
    op.execute(f"DROP INDEX IF EXISTS {MENTION}")

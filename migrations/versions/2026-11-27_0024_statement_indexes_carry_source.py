"""statement indexes carry the source: (speaker_id, said_on, id, source_id), (said_on, id, source_id)

Every statement list leaves out the statements of sources that are copies of another
(`source_id NOT IN (duplicates)`). A speaker's statements listed or counted through
(speaker_id, said_on), or a date window's through (said_on, id), read each statement's row for
its source_id: Iran's 92,544 (with its officials) 325-350 ms in the shell, 16-28 ms with the
source in the index; the year facet of statements since 1988 2.1 -> 0.47 s (1M, measured).
Each replaces the index it extends, of which it is a prefix; the id, implied at the end of
both, is said before the source so that a speaker's entries stay in (said_on, id) order: with
(speaker_id, said_on, source_id) SQLite could no longer walk each speaker's newest entries
for a page and sorted all of Iran's instead (0.1 -> 50 ms, measured). In process at 1M, warm,
CPU: `/statements?q=sanctions&speaker=Iran` 269 -> 54 ms, `date_from=1983-03-06&speaker=Iran&
facet=month` 215 -> 30, `speaker=Azerbaijan&facet=month` 121 -> 19. PostgreSQL (its own
newest-first indexes carry no source for a speaker): `speaker=China&facet=month` over a decade
71 -> 17 ms, `speaker=Iran&facet=month` 159 -> 73 (wall). Built in 2 s (SQLite) and under 4 s
(PostgreSQL) at 1M.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-27 08:45:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (old name, old columns, new name, new columns)
REPLACED = [
    (
        "ix_statement_speaker_id_said_on",
        ["speaker_id", "said_on"],
        "ix_statement_speaker_id_said_on_id_source_id",
        ["speaker_id", "said_on", "id", "source_id"],
    ),
    (
        "ix_statement_said_on_id",
        ["said_on", "id"],
        "ix_statement_said_on_id_source_id",
        ["said_on", "id", "source_id"],
    ),
]


def upgrade() -> None:
    for old, _, new, columns in REPLACED:
        op.create_index(new, "statement", columns, unique=False)
        op.drop_index(old, table_name="statement")


def downgrade() -> None:
    for old, columns, new, _ in REPLACED:
        op.create_index(old, "statement", columns, unique=False)
        op.drop_index(new, table_name="statement")

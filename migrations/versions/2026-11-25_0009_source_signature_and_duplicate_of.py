"""source signature and duplicate_of

`signature`: the MinHash of a source's word 5-grams (app/ingest/duplicates.py), filled by the
next ingest. `duplicate_of`: the first copy ingested of a near-identical story.

A foreign key on SQLite needs a batch rebuild of `source`, which drops the FTS5 triggers that
0002 put on it (add_full_text_search); both directions create them again.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-25 18:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = "fk_source_duplicate_of_source"


def upgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    with op.batch_alter_table("source") as batch_op:
        batch_op.add_column(sa.Column("signature", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("duplicate_of", sa.Integer(), nullable=True))
        batch_op.create_index("ix_source_duplicate_of", ["duplicate_of"], unique=False)
        batch_op.create_foreign_key(FK, "source", ["duplicate_of"], ["id"], ondelete="SET NULL")
    if sqlite:
        _create_search_triggers()


def downgrade() -> None:
    sqlite = op.get_context().dialect.name == "sqlite"
    with op.batch_alter_table("source") as batch_op:
        batch_op.drop_constraint(FK, type_="foreignkey")
        batch_op.drop_index("ix_source_duplicate_of")
        batch_op.drop_column("duplicate_of")
        batch_op.drop_column("signature")
    if sqlite:
        _create_search_triggers()


def _create_search_triggers() -> None:
    # As 0002 creates them; the rebuild dropped them with the old table.
    for suffix in ("ai", "ad", "au"):
        op.execute(f"DROP TRIGGER IF EXISTS source_fts_{suffix}")
    op.execute(
        "CREATE TRIGGER source_fts_ai AFTER INSERT ON source BEGIN "
        "INSERT INTO source_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )
    op.execute(
        "CREATE TRIGGER source_fts_ad AFTER DELETE ON source BEGIN "
        "INSERT INTO source_fts(source_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); END"
    )
    op.execute(
        "CREATE TRIGGER source_fts_au AFTER UPDATE OF title, text ON source BEGIN "
        "INSERT INTO source_fts(source_fts, rowid, title, text) "
        "VALUES ('delete', old.id, old.title, old.text); "
        "INSERT INTO source_fts(rowid, title, text) VALUES (new.id, new.title, new.text); END"
    )

"""add full-text search

SQLite: FTS5 external-content tables kept in sync by triggers. PostgreSQL: GIN indexes over
to_tsvector('english', ...), the same expressions app/search.py queries.

Note for later migrations: on SQLite a batch operation that recreates incident, statement,
actor or source drops these triggers; such a migration must create them again.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 08:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> indexed columns (SQLite) and the PostgreSQL document expression
SEARCHABLE = {
    "incident": (["search_text"], "search_text"),
    "statement": (["search_text"], "search_text"),
    "actor": (["search_text"], "search_text"),
    "source": (["title", "text"], "left(coalesce(title, '') || ' ' || text, 300000)"),
}
TOKENIZER = "porter unicode61 remove_diacritics 2"


def upgrade() -> None:
    for name in ("incident", "statement", "actor"):
        with op.batch_alter_table(name) as batch_op:
            batch_op.add_column(sa.Column("search_text", sa.Text(), nullable=False, server_default=""))
    if op.get_context().dialect.name == "sqlite":
        for name, (columns, _) in SEARCHABLE.items():
            _create_fts5(name, columns)
    else:
        for name, (_, document) in SEARCHABLE.items():
            op.execute(
                f"CREATE INDEX ix_{name}_fts ON {name} USING gin (to_tsvector('english', {document}))"
            )


def _create_fts5(name: str, columns: list[str]) -> None:
    fts = f"{name}_fts"
    cols = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    op.execute(
        f"CREATE VIRTUAL TABLE {fts} USING fts5({cols}, content='{name}', "
        f"content_rowid='id', tokenize='{TOKENIZER}')"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {name} BEGIN "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {name} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); END"
    )
    op.execute(
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {cols} ON {name} BEGIN "
        f"INSERT INTO {fts}({fts}, rowid, {cols}) VALUES ('delete', old.id, {old}); "
        f"INSERT INTO {fts}(rowid, {cols}) VALUES (new.id, {new}); END"
    )
    op.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for name in SEARCHABLE:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {name}_fts_{suffix}")
            op.execute(f"DROP TABLE IF EXISTS {name}_fts")
    else:
        for name in SEARCHABLE:
            op.execute(f"DROP INDEX IF EXISTS ix_{name}_fts")
    for name in ("incident", "statement", "actor"):
        with op.batch_alter_table(name) as batch_op:
            batch_op.drop_column("search_text")

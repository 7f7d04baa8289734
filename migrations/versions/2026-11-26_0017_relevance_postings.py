"""relevance postings: each frequent word's best rows kept in ranking order, both backends

A word's first relevance page ranked every match among the filters' rows (bm25 on SQLite,
ts_rank_cd over the stored vectors on PostgreSQL): 2-3.4 s on PostgreSQL at 1M for a broad word
under broad filters. For one word the score is a function of (occurrences, row length) on
SQLite and of the occurrences alone on PostgreSQL, so each (word, occurrences) stream in
(length, id) order is in ranking order; `search_posting` keeps the first rows of each stream
(app/kit/postings.py). Triggers list every row written in a searched table in
`search_posting_dirty`, which the ingest (in its transaction) turns into postings; readers
ignore a table's postings while it lists any row.

The upgrade builds the postings of every table (the 1M corpora: see bench/README.md,
"Relevance postings"). Note for later migrations: on SQLite a batch operation that recreates
incident, statement or source drops these triggers too; such a migration must create them again.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-26 12:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.kit import postings
from app.settings import get_settings

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WATCHED = {
    "incident": ("search_text",),
    "statement": ("search_text",),
    "source": ("title", "text", "extraction_key"),
}


def upgrade() -> None:
    op.create_table(
        "search_posting",
        sa.Column("searched", sa.String(length=20), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("occurrences", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("length", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint(
            "searched", "term", "occurrences", "length", "row_id", name=op.f("pk_search_posting")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_search_posting_searched_row_id", "search_posting", ["searched", "row_id"], unique=False
    )
    op.create_table(
        "search_posting_stream",
        sa.Column("searched", sa.String(length=20), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("occurrences", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("next_length", sa.Integer(), nullable=True),
        sa.Column("next_row_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint(
            "searched", "term", "occurrences", name=op.f("pk_search_posting_stream")
        ),
    )
    op.create_table(
        "search_posting_term",
        sa.Column("searched", sa.String(length=20), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("searched", "term", name=op.f("pk_search_posting_term")),
    )
    op.create_table(
        "search_posting_table",
        sa.Column("searched", sa.String(length=20), nullable=False),
        sa.Column("rows_at_choice", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("searched", name=op.f("pk_search_posting_table")),
    )
    op.create_table(
        "search_posting_dirty",
        sa.Column("searched", sa.String(length=20), nullable=False),
        sa.Column("row_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.PrimaryKeyConstraint("searched", "row_id", name=op.f("pk_search_posting_dirty")),
    )
    if op.get_context().dialect.name == "sqlite":
        _sqlite_triggers()
    else:
        _postgresql_triggers()
    settings = get_settings()
    postings.rebuild_all(
        op.get_bind(),
        min_matches=settings.search_postings_min_matches,
        depth=settings.search_postings_depth,
        with_rows=False,  # their table is 0025's
    )


def _sqlite_triggers() -> None:
    for table, columns in WATCHED.items():
        mark = "INSERT OR IGNORE INTO search_posting_dirty (searched, row_id) VALUES ('{t}', {r}.id)"
        op.execute(
            f"CREATE TRIGGER {table}_posting_ai AFTER INSERT ON {table} BEGIN "
            f"{mark.format(t=table, r='new')}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_posting_ad AFTER DELETE ON {table} BEGIN "
            f"{mark.format(t=table, r='old')}; END"
        )
        op.execute(
            f"CREATE TRIGGER {table}_posting_au AFTER UPDATE OF {', '.join(columns)} ON {table} "
            f"BEGIN {mark.format(t=table, r='new')}; END"
        )


def _postgresql_triggers() -> None:
    op.execute(
        "CREATE FUNCTION search_posting_mark() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'DELETE' THEN "
        "INSERT INTO search_posting_dirty (searched, row_id) VALUES (TG_TABLE_NAME, OLD.id) "
        "ON CONFLICT DO NOTHING; RETURN OLD; END IF; "
        "INSERT INTO search_posting_dirty (searched, row_id) VALUES (TG_TABLE_NAME, NEW.id) "
        "ON CONFLICT DO NOTHING; RETURN NEW; END $$"
    )
    for table, columns in WATCHED.items():
        watched = ", ".join(c for c in columns if c != "extraction_key")
        op.execute(
            f"CREATE TRIGGER {table}_posting_dirty AFTER INSERT OR DELETE OR UPDATE OF {watched} "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION search_posting_mark()"
        )


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for table in WATCHED:
            for suffix in ("ai", "ad", "au"):
                op.execute(f"DROP TRIGGER IF EXISTS {table}_posting_{suffix}")
    else:
        for table in WATCHED:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_posting_dirty ON {table}")
        op.execute("DROP FUNCTION IF EXISTS search_posting_mark()")
    op.drop_table("search_posting_dirty")
    op.drop_table("search_posting_table")
    op.drop_table("search_posting_term")
    op.drop_table("search_posting_stream")
    op.drop_index("ix_search_posting_searched_row_id", table_name="search_posting")
    op.drop_table("search_posting")

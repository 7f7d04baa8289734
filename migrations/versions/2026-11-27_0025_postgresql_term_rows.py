"""PostgreSQL: every row of each frequent search term, kept by the ingest (search_posting_rows)

On PostgreSQL a word's matching rows could only be listed through its GIN index, which gives
heap addresses: listing a word's ids, or counting its matches in a date window, read a heap page
per match (`q=corridor&date_from=1990-03-29&count=exact`: 0.45 s warm at 1M; `q=gas` over a
decade: 2.6 s from a cold disk). The postings' terms now keep every matching row too, by block
of 65,536 ids, two bytes an id (app/kit/postings.py), so a search's matches are read in a few
milliseconds and placed among the in-memory incident columns, as SQLite's FTS5 lists them.
The table exists on both backends and stays empty on SQLite.

The upgrade fills it on PostgreSQL (one pass over the stored vectors of the postings' terms).

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-27 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.kit import postings

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "search_posting_rows",
        sa.Column("searched", sa.String(length=20), nullable=False),
        sa.Column("term", sa.String(length=200), nullable=False),
        sa.Column("occurrences", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("block", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("low_ids", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint(
            "searched", "term", "occurrences", "block", name=op.f("pk_search_posting_rows")
        ),
    )
    if op.get_context().dialect.name == "postgresql":
        bind = op.get_bind()
        for searched in postings.SEARCHED.values():
            postings.build_term_rows(bind, searched)


def downgrade() -> None:
    op.drop_table("search_posting_rows")

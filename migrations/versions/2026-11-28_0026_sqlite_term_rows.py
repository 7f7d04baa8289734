"""SQLite: every row of each frequent search term kept too (search_posting_rows)

A search under other filters on SQLite was ranked by FTS5 walking every match of its word and
looking each one up among the filters' rows, bm25 on those found: 80-190 ms at 1M for a word in
a third of the incidents, whatever the filters (`date_from=1991-04-04&actor=France&q=talks&
type=attack`: 604 of 348,513 matches). With each frequent term's rows kept by stream (the rows
where it occurs as often), as migration 0025 keeps them on PostgreSQL, the filters' rows are
found among them by binary search and scored by bm25's own expression off their lengths in
FTS5's %_docsize (app/kit/postings.py `TermRows.ranked`): the same scores, bit for bit.

The upgrade fills the table on SQLite, one pass over FTS5's instances of each chosen term; on
PostgreSQL it is already full.

Revision ID: 0026
Revises: 0025
Create Date: 2026-11-28 07:00:00
"""

from collections.abc import Sequence

from alembic import op

from app.kit import postings

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        bind = op.get_bind()
        for searched in postings.SEARCHED.values():
            postings.build_term_rows(bind, searched)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        op.execute("DELETE FROM search_posting_rows")

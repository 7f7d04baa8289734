"""postgresql: a source's and a statement's date by id, and incidents' vectors by date, index-only

Past 2,000 ids listed by an exact count, a page of them is found by reading each listed row's
sort key by id and keeping the first in order (app/kit/pagination.py, `_first_listed`).
Incidents have (id, date_start) (migration 0011); sources and statements read each row from
the table for it: 3,118 sources for `/sources?date_from=1982-10-08&actor=Brazil&sort=-date`
at 1M, 3,802 pages from disk, 70 ms; with (id, published_on) 20 ms cold, from the index
alone. SQLite does not take this way: PostgreSQL only, names ending in `_pg`, which
migrations/env.py leaves out of `alembic check`. Built in under a second each at 1M.

A frequent word's exact total in a date window (`q=talks` in a year) ANDed the word's GIN with
the window's dates and read every match's row: 20,979 heap pages, 250-300 ms at 1M (a bitmap
reads the table even for rows all visible). The window's entries of (date_start, date_end, id)
carrying each incident's vector count the same rows from the index alone (90-100 ms; see
app/incidents/repository.py, `_searched_in_window`). A B-tree entry holds at most 2,704 bytes:
the index keeps the vectors whose text form is at most 1,500 bytes (a vector is at most 5/3 of
its text form, 2,500 bytes), every incident at 1M (the largest vector there is 848 bytes); the
others are counted from the table through an index of their dates. 589 MB at 1M, built in
5-9 s.

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-27 05:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SOURCE = "ix_source_id_published_on_pg"
STATEMENT = "ix_statement_id_said_on_pg"
VECTORS = "ix_incident_dates_vector_pg"
LONG_VECTORS = "ix_incident_dates_long_vector_pg"
# Must read as app/incidents/repository.py's `_searched_in_window` (the planner matches it).
INDEXED = "octet_length(search_fts::text) <= 1500"


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"CREATE INDEX {SOURCE} ON source (id, published_on)")
    op.execute(f"CREATE INDEX {STATEMENT} ON statement (id, said_on)")
    op.execute(
        f"CREATE INDEX {VECTORS} ON incident (date_start, date_end, id) INCLUDE (search_fts) "
        f"WHERE {INDEXED}"
    )
    op.execute(
        f"CREATE INDEX {LONG_VECTORS} ON incident (date_start, date_end) WHERE NOT ({INDEXED})"
    )


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {LONG_VECTORS}")
    op.execute(f"DROP INDEX IF EXISTS {VECTORS}")
    op.execute(f"DROP INDEX IF EXISTS {STATEMENT}")
    op.execute(f"DROP INDEX IF EXISTS {SOURCE}")

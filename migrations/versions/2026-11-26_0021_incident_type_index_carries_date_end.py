"""incident type index carries the end date: (type, date_start, id, date_end)

A search under a type and a date window (`/incidents?date_from=1988-08-08&q=border&type=exercise`)
counts its total exactly by listing the type's incidents in the window and testing the word
on them in memory (`search._listed_ids`). Through (type, date_start) SQLite read each of the
36,433 exercises since 1987 from the table for its date_end: 0.18 s of CPU in the sqlite3
module, against 0.02 s with date_end in the index (1M, profiled). The id before date_end keeps
the index in the order a type's page walks (date_start, id), as (type, date_start) had it
with the rowid after it. It replaces (type, date_start), of which it is a prefix.

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-26 22:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "ix_incident_type_date_start"
NEW = "ix_incident_type_dates"


def upgrade() -> None:
    op.create_index(NEW, "incident", ["type", "date_start", "id", "date_end"], unique=False)
    op.drop_index(OLD, table_name="incident")


def downgrade() -> None:
    op.create_index(OLD, "incident", ["type", "date_start"], unique=False)
    op.drop_index(NEW, table_name="incident")

"""incident country index carries the dates: (location_country, date_start, id, date_end, type)

`country` with a date window, or sorted by date, had only (location_country) (rowid after it on
SQLite) and (location_country, type, ...): SQLite read all 125,000 Iranian incidents' rows and
sorted them in a temporary B-tree to give a page newest first (0.7 s at 1M,
`/incidents?date_from=1993-08-20&country=IRN`), and walked every Iranian entry to find none for
a window beyond the data (`date_from=2027-06-10&country=IRN`, 0.16 s of CPU, an empty answer).
With the start date and id after the country the page is a walk of the index in the list's
order, and a window a range of it; date_end, type ride along so a window, a type and their
counts are read off the index alone. It replaces the plain country index, of which it is a
prefix.

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 09:15:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD = "ix_incident_location_country"
NEW = "ix_incident_country_dates"


def upgrade() -> None:
    op.create_index(
        NEW, "incident", ["location_country", "date_start", "id", "date_end", "type"], unique=False
    )
    op.drop_index(OLD, table_name="incident")


def downgrade() -> None:
    op.create_index(OLD, "incident", ["location_country"], unique=False)
    op.drop_index(NEW, table_name="incident")

"""incident (location_country, type, date_start, date_end) index

Counts of `country` with `type` (and a date window) come from this index alone; through the
country index SQLite read every incident of the country (125,000 for Iran at 1M) to count
its attacks. Holding both dates, it is also the narrowest place to find the longest incident.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-25 22:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_incident_country_type_dates"


def upgrade() -> None:
    op.create_index(INDEX, "incident", ["location_country", "type", "date_start", "date_end"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="incident")

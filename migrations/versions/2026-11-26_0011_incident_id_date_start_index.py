"""incident (id, date_start) index

An actor's monthly timeline counts its incidents by month: the actor index gives their ids,
and each id needs its start date. Through the table that is one row read per incident, spread
over the whole file (52 ms for an official in 5,443 incidents at 1M, 60-135 ms on a cold
cache); this index holds the date beside the id in a file-wide 20 MB, so the count reads
the index alone (4-19 ms cold, profiled).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 03:30:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_incident_id_date_start"


def upgrade() -> None:
    op.create_index(INDEX, "incident", ["id", "date_start"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="incident")

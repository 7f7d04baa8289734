"""incident_participant carries its incident's date_start, indexed per actor in date order

An actor's page lists its ten newest incidents. The actor index gave every incident the actor
took part in, and each had to be read for its date and the lot sorted: a row probe per
participation, 12-24 ms for an official in 1,806 incidents on PostgreSQL at 1M (profiled;
SQLite walked the date index against the set instead, which is fast only while the set is
dense enough). With the start date beside the actor in (actor_id, date_start, incident_id), a
page reads ten entries of that index per actor in the set, whatever the actor.

The column is a copy: app/incidents/writes.py sets it when it writes a participant and when an
incident's date_start changes.

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEX = "ix_incident_participant_actor_dates"


def upgrade() -> None:
    op.add_column("incident_participant", sa.Column("date_start", sa.Date(), nullable=True))
    op.execute(
        "UPDATE incident_participant SET date_start = "
        "(SELECT incident.date_start FROM incident WHERE incident.id = incident_participant.incident_id)"
    )
    # SQLite cannot add NOT NULL to a column in place: batch copies the table once.
    with op.batch_alter_table("incident_participant") as batch:
        batch.alter_column("date_start", existing_type=sa.Date(), nullable=False)
    op.create_index(INDEX, "incident_participant", ["actor_id", "date_start", "incident_id"], unique=False)


def downgrade() -> None:
    op.drop_index(INDEX, table_name="incident_participant")
    with op.batch_alter_table("incident_participant") as batch:
        batch.drop_column("date_start")

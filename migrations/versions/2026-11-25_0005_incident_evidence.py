"""incident evidence

Curated incidents cite the words of their sources: `incident_evidence` stores each quote with
its offsets (source.text[start:end] == text), and `incident.date_source` says whether the
date is stated by that evidence or taken from public record.

`date_source` is added and dropped with plain ALTER TABLE (SQLite >= 3.35 can drop a column):
a batch operation would recreate `incident` on SQLite and drop its FTS5 triggers (see 0002).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 18:06:17
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "incident_evidence",
        sa.Column("incident_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.SmallInteger(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("start", sa.Integer(), nullable=False),
        sa.Column("end", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incident.id"],
            name=op.f("fk_incident_evidence_incident_id_incident"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_id"],
            ["source.id"],
            name=op.f("fk_incident_evidence_source_id_source"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("incident_id", "position", name=op.f("pk_incident_evidence")),
    )
    op.create_index(
        "ix_incident_evidence_source_id", "incident_evidence", ["source_id", "start"], unique=False
    )
    op.add_column(
        "incident",
        sa.Column(
            "date_source",
            sa.Enum("evidence", "record", name="datesource", native_enum=False, length=10),
            server_default="evidence",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("incident", "date_source")
    op.drop_index("ix_incident_evidence_source_id", table_name="incident_evidence")
    op.drop_table("incident_evidence")

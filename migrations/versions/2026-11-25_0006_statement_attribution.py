"""statement attribution

How each statement's speaker was decided (issue 11): the sieve pass that decided it
(`attribution_method`), that pass's precision measured on the held-out corpora
(`attribution_confidence`, 0..1, filtered by `min_confidence`), and the evidence spans in the
source that show it (`attribution_evidence`, a JSON list of {start, end, text}). Rows written
before this revision get the "none" method and confidence 0 until the next ingest re-extracts
them (the extractor version changes with this revision, so it does).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 19:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("statement") as batch:
        batch.add_column(
            sa.Column("attribution_method", sa.Text(), nullable=False, server_default="none")
        )
        batch.add_column(
            sa.Column("attribution_confidence", sa.Float(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("attribution_evidence", sa.JSON(), nullable=False, server_default="[]")
        )
        batch.create_index(
            "ix_statement_attribution_confidence", ["attribution_confidence"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("statement") as batch:
        batch.drop_index("ix_statement_attribution_confidence")
        batch.drop_column("attribution_evidence")
        batch.drop_column("attribution_confidence")
        batch.drop_column("attribution_method")

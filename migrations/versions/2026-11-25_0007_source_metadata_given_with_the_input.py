"""source metadata given with the input: language, input_hash, given

`given` holds what the input stated about an article (front matter, sources.yaml, a bulk
record's fields, a page's own metadata); it wins over cues in the text at every extraction.
`input_hash` is the SHA-256 of the input as read: for the plain-text articles stored so far
that is the hash of their text, so existing rows are filled from content_hash and the next
ingest of unchanged files changes nothing.

Adding columns needs no table rebuild on SQLite, so the FTS5 triggers on source stay.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-25 18:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("source", sa.Column("language", sa.String(length=35), nullable=True))
    op.add_column("source", sa.Column("input_hash", sa.String(length=64), nullable=True))
    op.add_column("source", sa.Column("given", sa.JSON(), nullable=True))
    op.execute("UPDATE source SET input_hash = content_hash")


def downgrade() -> None:
    op.drop_column("source", "given")
    op.drop_column("source", "input_hash")
    op.drop_column("source", "language")

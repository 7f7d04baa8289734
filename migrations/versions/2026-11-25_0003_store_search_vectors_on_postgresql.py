"""store search vectors on postgresql

PostgreSQL matched and ranked by recomputing to_tsvector() for every candidate row: at
5,000,000 incidents a broad `q=` spent 11 s re-parsing text in the bitmap heap recheck and in
ts_rank_cd. A stored generated tsvector column (`search_fts`) is parsed once, at write time,
and its GIN index replaces the expression index. SQLite (FTS5) is unchanged.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 09:35:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# table -> the document it searches (the same expressions as 0002's expression indexes)
DOCUMENTS = {
    "incident": "search_text",
    "statement": "search_text",
    "actor": "search_text",
    "source": "left(coalesce(title, '') || ' ' || text, 300000)",
}


def upgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name, document in DOCUMENTS.items():
        op.execute(
            f"ALTER TABLE {name} ADD COLUMN search_fts tsvector "
            f"GENERATED ALWAYS AS (to_tsvector('english', {document})) STORED"
        )
        op.execute(f"CREATE INDEX ix_{name}_search_fts ON {name} USING gin (search_fts)")
        op.execute(f"DROP INDEX IF EXISTS ix_{name}_fts")


def downgrade() -> None:
    if op.get_context().dialect.name != "postgresql":
        return
    for name, document in DOCUMENTS.items():
        op.execute(
            f"CREATE INDEX ix_{name}_fts ON {name} USING gin (to_tsvector('english', {document}))"
        )
        op.execute(f"DROP INDEX IF EXISTS ix_{name}_search_fts")
        op.execute(f"ALTER TABLE {name} DROP COLUMN search_fts")

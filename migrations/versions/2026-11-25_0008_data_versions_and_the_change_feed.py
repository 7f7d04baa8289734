"""data versions and the change feed

`data_version`: one row per ingest that changed something (its number is the ETag's data
version, as in dataset_meta). `change`: one row per actor, incident, source or statement a
version created, updated or deleted; deleted rows stay as tombstones for `GET /changes`.
Versions made before this revision have no rows: the feed starts at the next ingest.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25 18:29:15
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('data_version',
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('counts', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('number', name=op.f('pk_data_version'))
    )
    op.create_table('change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('row_id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=True),
    sa.Column('op', sa.Enum('created', 'updated', 'deleted', name='changeop', native_enum=False, length=10), nullable=False),
    sa.ForeignKeyConstraint(['version'], ['data_version.number'], name=op.f('fk_change_version_data_version')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_change'))
    )
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.create_index('ix_change_version_id', ['version', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('change', schema=None) as batch_op:
        batch_op.drop_index('ix_change_version_id')

    op.drop_table('change')
    op.drop_table('data_version')

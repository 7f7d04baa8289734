"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 07:44:00.589013
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0001'
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('actor',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.Enum('state', 'person', 'organization', name='actorkind', native_enum=False, length=20), nullable=False),
    sa.Column('country', sa.String(length=3), nullable=True),
    sa.Column('title', sa.String(length=500), nullable=True),
    sa.Column('origin', sa.Enum('curated', 'extracted', name='actororigin', native_enum=False, length=20), nullable=False),
    sa.Column('affiliation_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['affiliation_id'], ['actor.id'], name=op.f('fk_actor_affiliation_id_actor'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor')),
    sa.UniqueConstraint('slug', name=op.f('uq_actor_slug'))
    )
    with op.batch_alter_table('actor', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actor_affiliation_id'), ['affiliation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_actor_country'), ['country'], unique=False)

    op.create_table('dataset_meta',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('data_version', sa.Integer(), nullable=False),
    sa.Column('curated_key', sa.String(length=64), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dataset_meta'))
    )
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('date_start', sa.Date(), nullable=False),
    sa.Column('date_end', sa.Date(), nullable=False),
    sa.Column('date_precision', sa.Enum('day', 'month', 'year', name='dateprecision', native_enum=False, length=10), nullable=False),
    sa.Column('location_country', sa.String(length=3), nullable=True),
    sa.Column('location_place', sa.String(length=300), nullable=True),
    sa.Column('severity', sa.SmallInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident')),
    sa.UniqueConstraint('slug', name=op.f('uq_incident_slug'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_date_end'), ['date_end'], unique=False)
        batch_op.create_index('ix_incident_date_start_id', ['date_start', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_incident_location_country'), ['location_country'], unique=False)
        batch_op.create_index('ix_incident_type_date_start', ['type', 'date_start'], unique=False)

    op.create_table('source',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=1000), nullable=True),
    sa.Column('publisher', sa.String(length=300), nullable=True),
    sa.Column('url', sa.String(length=2000), nullable=True),
    sa.Column('published_on', sa.Date(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('extraction_key', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_source')),
    sa.UniqueConstraint('slug', name=op.f('uq_source_slug'))
    )
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_source_published_on'), ['published_on'], unique=False)
        batch_op.create_index(batch_op.f('ix_source_publisher'), ['publisher'], unique=False)

    op.create_table('actor_alias',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('name', 'alias', 'demonym', 'metonym', name='aliaskind', native_enum=False, length=20), nullable=False),
    sa.Column('alias', sa.String(length=300), nullable=False),
    sa.Column('key', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_actor_alias_actor_id_actor'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actor_alias')),
    sa.UniqueConstraint('actor_id', 'kind', 'alias', name=op.f('uq_actor_alias_actor_id'))
    )
    with op.batch_alter_table('actor_alias', schema=None) as batch_op:
        batch_op.create_index('ix_actor_alias_key', ['key'], unique=False)

    op.create_table('incident_participant',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('initiator', 'target', 'mediator', 'participant', name='participantrole', native_enum=False, length=20), nullable=False),
    sa.Column('position', sa.SmallInteger(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_incident_participant_actor_id_actor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_participant_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'actor_id', name=op.f('pk_incident_participant'))
    )
    with op.batch_alter_table('incident_participant', schema=None) as batch_op:
        batch_op.create_index('ix_incident_participant_actor_id', ['actor_id', 'incident_id'], unique=False)

    op.create_table('incident_source',
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_source_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_incident_source_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('incident_id', 'source_id', name=op.f('pk_incident_source'))
    )
    with op.batch_alter_table('incident_source', schema=None) as batch_op:
        batch_op.create_index('ix_incident_source_source_id', ['source_id', 'incident_id'], unique=False)

    op.create_table('mention',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('text', sa.String(length=300), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['actor.id'], name=op.f('fk_mention_actor_id_actor'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_mention_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_mention'))
    )
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.create_index('ix_mention_actor_id_source_id', ['actor_id', 'source_id'], unique=False)
        batch_op.create_index('ix_mention_source_id_start', ['source_id', 'start'], unique=False)

    op.create_table('statement',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('speaker_text', sa.Text(), nullable=True),
    sa.Column('start', sa.Integer(), nullable=False),
    sa.Column('end', sa.Integer(), nullable=False),
    sa.Column('said_on', sa.Date(), nullable=True),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('speaker_id', sa.Integer(), nullable=True),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_statement_incident_id_incident'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_statement_source_id_source'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['speaker_id'], ['actor.id'], name=op.f('fk_statement_speaker_id_actor'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_statement'))
    )
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.create_index('ix_statement_incident_id', ['incident_id'], unique=False)
        batch_op.create_index('ix_statement_said_on_id', ['said_on', 'id'], unique=False)
        batch_op.create_index('ix_statement_source_id_start', ['source_id', 'start'], unique=False)
        batch_op.create_index('ix_statement_speaker_id_said_on', ['speaker_id', 'said_on'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('statement', schema=None) as batch_op:
        batch_op.drop_index('ix_statement_speaker_id_said_on')
        batch_op.drop_index('ix_statement_source_id_start')
        batch_op.drop_index('ix_statement_said_on_id')
        batch_op.drop_index('ix_statement_incident_id')

    op.drop_table('statement')
    with op.batch_alter_table('mention', schema=None) as batch_op:
        batch_op.drop_index('ix_mention_source_id_start')
        batch_op.drop_index('ix_mention_actor_id_source_id')

    op.drop_table('mention')
    with op.batch_alter_table('incident_source', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_source_source_id')

    op.drop_table('incident_source')
    with op.batch_alter_table('incident_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_participant_actor_id')

    op.drop_table('incident_participant')
    with op.batch_alter_table('actor_alias', schema=None) as batch_op:
        batch_op.drop_index('ix_actor_alias_key')

    op.drop_table('actor_alias')
    with op.batch_alter_table('source', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_source_publisher'))
        batch_op.drop_index(batch_op.f('ix_source_published_on'))

    op.drop_table('source')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index('ix_incident_type_date_start')
        batch_op.drop_index(batch_op.f('ix_incident_location_country'))
        batch_op.drop_index('ix_incident_date_start_id')
        batch_op.drop_index(batch_op.f('ix_incident_date_end'))

    op.drop_table('incident')
    op.drop_table('dataset_meta')
    with op.batch_alter_table('actor', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actor_country'))
        batch_op.drop_index(batch_op.f('ix_actor_affiliation_id'))

    op.drop_table('actor')

"""remote signing: agencies' services and the requests waiting for approval on a phone

Revision ID: 0027
Revises: 0030
Create Date: 2026-12-07 12:45:00

``remote_signing_providers``: the CSC or approval-in-the-app services of each agency (their
secrets are key files, not rows). ``remote_signing_requests``: a leader's signature waiting for
their approval, its prepared PDF, the form of their decision and how it ended
(engine/remote_signing).
"""

from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'remote_signing_providers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('endpoint', sa.String(length=500), nullable=False),
        sa.Column('client_id', sa.String(length=200), nullable=False),
        sa.Column('timeout_seconds', sa.Integer(), nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=op.f('fk_remote_signing_providers_agency_id_agencies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_remote_signing_providers')),
    )
    with op.batch_alter_table('remote_signing_providers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_signing_providers_agency_id'), ['agency_id'], unique=False)
    op.create_table(
        'remote_signing_requests',
        sa.Column('id', sa.String(length=64), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider_id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=100), nullable=False),
        sa.Column('state', sa.Enum('waiting', 'completed', 'rejected', 'expired', 'cancelled', 'failed',
                                   name='remotestate', native_enum=False, length=16), nullable=False),
        sa.Column('source_sha256', sa.String(length=64), nullable=False),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('form_json', sa.Text(), nullable=False),
        sa.Column('reference', sa.String(length=200), nullable=True),
        sa.Column('message', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['provider_id'], ['remote_signing_providers.id'],
                                name=op.f('fk_remote_signing_requests_provider_id_remote_signing_providers')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_remote_signing_requests_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_remote_signing_requests')),
    )
    with op.batch_alter_table('remote_signing_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_remote_signing_requests_task_id'), ['task_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remote_signing_requests_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_remote_signing_requests_state'), ['state'], unique=False)


def downgrade() -> None:
    op.drop_table('remote_signing_requests')
    op.drop_table('remote_signing_providers')

"""accounts, sessions and administrators' approvals

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 06:10:00

Issue 12 items 4–5: a person must choose their own password after an administrator set one;
tokens know whether they are a page session and when they were last used (idle timeout,
the list of one's tokens); failed logins are counted per account and per address
(engine/login_throttle.py); granting a secret-reader position or resetting such a person's
password waits for a second administrator (engine/admin_approvals.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('users', sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                     server_default=sa.false()))
    op.add_column('api_tokens', sa.Column('kind', sa.String(length=8), nullable=False, server_default='api'))
    op.add_column('api_tokens', sa.Column('last_used_at', sa.DateTime(), nullable=True))
    op.create_table(
        'login_throttles',
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('failures', sa.Integer(), nullable=False),
        sa.Column('locked_until', sa.DateTime(), nullable=True),
        sa.Column('last_failure_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_login_throttles')),
    )
    op.create_table(
        'admin_requests',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('position', sa.String(length=32), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('requested_by', sa.Integer(), nullable=False),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_admin_requests_agency_id_agencies')),
        sa.ForeignKeyConstraint(['target_id'], ['users.id'], name=op.f('fk_admin_requests_target_id_users')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_admin_requests_unit_id_units')),
        sa.ForeignKeyConstraint(['requested_by'], ['users.id'], name=op.f('fk_admin_requests_requested_by_users')),
        sa.ForeignKeyConstraint(['decided_by'], ['users.id'], name=op.f('fk_admin_requests_decided_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_admin_requests')),
    )
    op.create_index(op.f('ix_admin_requests_agency_id'), 'admin_requests', ['agency_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_admin_requests_agency_id'), table_name='admin_requests')
    op.drop_table('admin_requests')
    op.drop_table('login_throttles')
    # Not a batch: SQLite 3.35+ drops a column in place (see 0011).
    op.drop_column('api_tokens', 'last_used_at')
    op.drop_column('api_tokens', 'kind')
    op.drop_column('users', 'must_change_password')

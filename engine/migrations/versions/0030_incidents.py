"""incidents of cases (sự cố) for the incident desk

Revision ID: 0030
Revises: 0026
Create Date: 2026-12-07 13:00:00

One row per failing step of a case (engine/operations/incidents.py): recorded when the step
is refused, counted up when it fails again, resolved by an operator's repair.
"""

from alembic import op
import sqlalchemy as sa


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'incidents',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('message', sa.Text(), nullable=False),
        sa.Column('detail_json', sa.Text(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('first_at', sa.DateTime(), nullable=False),
        sa.Column('last_at', sa.DateTime(), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('open', 'resolved', name='incidentstatus', native_enum=False, length=16),
                  nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by', sa.Integer(), nullable=True),
        sa.Column('resolution', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_incidents_case_id_cases')),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_incidents_actor_id_users')),
        sa.ForeignKeyConstraint(['resolved_by'], ['users.id'], name=op.f('fk_incidents_resolved_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_incidents')),
    )
    op.create_index('ix_incidents_case_id', 'incidents', ['case_id'], unique=False)
    op.create_index('ix_incidents_status_case', 'incidents', ['status', 'case_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_incidents_status_case', table_name='incidents')
    op.drop_index('ix_incidents_case_id', table_name='incidents')
    op.drop_table('incidents')

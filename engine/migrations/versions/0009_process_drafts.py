"""process drafts

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21 14:00:00

A designer's saved, not yet deployed change to a process (engine/designer.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('process_drafts',
    sa.Column('process_id', sa.String(length=64), nullable=False),
    sa.Column('base_version_id', sa.Integer(), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('forms_json', sa.Text(), nullable=False),
    sa.Column('saved_at', sa.DateTime(), nullable=False),
    sa.Column('saved_by', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['base_version_id'], ['process_versions.id'],
                            name=op.f('fk_process_drafts_base_version_id_process_versions')),
    sa.ForeignKeyConstraint(['saved_by'], ['users.id'], name=op.f('fk_process_drafts_saved_by_users')),
    sa.PrimaryKeyConstraint('process_id', name=op.f('pk_process_drafts'))
    )


def downgrade() -> None:
    op.drop_table('process_drafts')

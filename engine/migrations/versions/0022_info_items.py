"""documents to read (để biết) and filed notices (văn bản thông báo)

Revision ID: 0022
Revises: 0019
Create Date: 2026-12-07 06:00:00

One row per person and document: sent "for information" by a direction, or filed as a
văn bản thông báo when handled for information (engine/info_items.py); read or not.
"""

from alembic import op
import sqlalchemy as sa


revision = '0022'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'info_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('info', 'notice', name='infokind', native_enum=False, length=16), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('unit_id', sa.Integer(), nullable=True),
        sa.Column('from_user_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_info_items_user_id_users')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_info_items_document_id_documents')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_info_items_case_id_cases')),
        sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_info_items_unit_id_units')),
        sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_info_items_from_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_info_items')),
        sa.UniqueConstraint('user_id', 'document_id', 'kind', name=op.f('uq_info_items_user_id')),
    )
    op.create_index('ix_info_items_user_kind_read', 'info_items', ['user_id', 'kind', 'read_at'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_info_items_user_kind_read', table_name='info_items')
    op.drop_table('info_items')

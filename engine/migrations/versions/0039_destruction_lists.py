"""destruction lists (danh mục tài liệu hết giá trị) and their entries

Revision ID: 0039
Revises: 0045
Create Date: 2026-12-07 19:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0039'
down_revision = '0045'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'destruction_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('proposed', 'reviewed', 'approved', 'destroyed', 'rejected',
                                    name='destructionstatus', native_enum=False, length=16), nullable=False),
        sa.Column('proposed_by', sa.Integer(), nullable=False),
        sa.Column('proposed_at', sa.DateTime(), nullable=False),
        sa.Column('reason', sa.String(length=1000), nullable=False),
        sa.Column('reviewed_by', sa.Integer(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('review_note', sa.String(length=1000), nullable=True),
        sa.Column('approved_by', sa.Integer(), nullable=True),
        sa.Column('approved_at', sa.DateTime(), nullable=True),
        sa.Column('destroyed_by', sa.Integer(), nullable=True),
        sa.Column('destroyed_at', sa.DateTime(), nullable=True),
        sa.Column('backups_note', sa.String(length=1000), nullable=True),
        sa.Column('minutes_sha256', sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_destruction_lists_agency_id_agencies')),
        sa.ForeignKeyConstraint(['proposed_by'], ['users.id'], name=op.f('fk_destruction_lists_proposed_by_users')),
        sa.ForeignKeyConstraint(['reviewed_by'], ['users.id'], name=op.f('fk_destruction_lists_reviewed_by_users')),
        sa.ForeignKeyConstraint(['approved_by'], ['users.id'], name=op.f('fk_destruction_lists_approved_by_users')),
        sa.ForeignKeyConstraint(['destroyed_by'], ['users.id'], name=op.f('fk_destruction_lists_destroyed_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_destruction_lists')),
    )
    op.create_index('ix_destruction_lists_agency_id', 'destruction_lists', ['agency_id'], unique=False)
    op.create_table(
        'destruction_entries',
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=80), nullable=False),
        sa.Column('title', sa.String(length=500), nullable=False),
        sa.Column('retention', sa.String(length=30), nullable=False),
        sa.Column('end_year', sa.Integer(), nullable=False),
        sa.Column('documents', sa.Integer(), nullable=False),
        sa.Column('files_deleted', sa.Integer(), nullable=True),
        sa.Column('file_digests', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['list_id'], ['destruction_lists.id'],
                                name=op.f('fk_destruction_entries_list_id_destruction_lists')),
        sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_destruction_entries_record_id_records')),
        sa.PrimaryKeyConstraint('list_id', 'record_id', name=op.f('pk_destruction_entries')),
    )
    op.create_index('ix_destruction_entries_record_id', 'destruction_entries', ['record_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_destruction_entries_record_id', table_name='destruction_entries')
    op.drop_table('destruction_entries')
    op.drop_index('ix_destruction_lists_agency_id', table_name='destruction_lists')
    op.drop_table('destruction_lists')

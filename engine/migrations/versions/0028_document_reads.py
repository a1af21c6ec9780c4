"""documents a person has read (unread ones are bold in their lists)

Revision ID: 0028
Revises: 0022
Create Date: 2026-12-07 13:00:00

One row per person and document they opened or marked read (engine/office/reading.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0028'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_reads',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_document_reads_user_id_users')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_document_reads_document_id_documents')),
        sa.PrimaryKeyConstraint('user_id', 'document_id', name=op.f('pk_document_reads')),
    )


def downgrade() -> None:
    op.drop_table('document_reads')

"""printouts (bản in) with their lookup codes

Revision ID: 0037
Revises: 0035
Create Date: 2026-12-07 16:00:00

One row per printout of a document, register, record or statistics (engine/printouts): the code
printed in its footer and QR code, looked up by the public page /tra-cuu/<code>.
"""

from alembic import op
import sqlalchemy as sa


revision = '0037'
down_revision = '0035'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'printouts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=16), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('title', sa.String(length=300), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=True),
        sa.Column('printed_by', sa.Integer(), nullable=False),
        sa.Column('printed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_printouts_agency_id_agencies')),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_printouts_document_id_documents')),
        sa.ForeignKeyConstraint(['printed_by'], ['users.id'], name=op.f('fk_printouts_printed_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_printouts')),
        sa.UniqueConstraint('code', name=op.f('uq_printouts_code')),
    )
    op.create_index('ix_printouts_agency_id', 'printouts', ['agency_id'], unique=False)
    op.create_index('ix_printouts_document_id', 'printouts', ['document_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_printouts_document_id', table_name='printouts')
    op.drop_index('ix_printouts_agency_id', table_name='printouts')
    op.drop_table('printouts')

"""text of each document's main PDF, for full-text search

Revision ID: 0029
Revises: 0026
Create Date: 2026-12-07 13:00:00

engine/fulltext: the text pdftotext read from a document's main file (``sha256`` names which
file), kept to show the passage a search found; its folded words join ``documents.search_text``.
"""

from alembic import op
import sqlalchemy as sa


revision = '0029'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'document_texts',
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('outcome', sa.String(length=16), nullable=False),
        sa.Column('extracted_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'], ondelete='CASCADE',
                                name=op.f('fk_document_texts_document_id_documents')),
        sa.PrimaryKeyConstraint('document_id', name=op.f('pk_document_texts')),
    )


def downgrade() -> None:
    op.drop_table('document_texts')

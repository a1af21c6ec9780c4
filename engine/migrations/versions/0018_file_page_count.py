"""file page count

Revision ID: 0018
Revises: 0012
Create Date: 2026-12-07 05:20:00

A stored PDF's page count, counted once at upload within a budget (engine/pdf_pages.py),
so that records never parse PDFs when they are listed. NULL: unknown (files stored before
this revision, or a PDF that could not be counted: ``qlvb count-pages`` fills them in).
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('document_files', sa.Column('page_count', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Not a batch: SQLite 3.35+ drops a column in place (see 0011).
    op.drop_column('document_files', 'page_count')

"""the pages a trích sao copies

Revision ID: 0024
Revises: 0028
Create Date: 2026-12-07 13:00:00

A trích sao (Decree 30 Art. 25) copies an extract of the original: its pages ("1-2,4") are
kept on the copy, which signing.copies prepares from them.
"""

from alembic import op
import sqlalchemy as sa


revision = '0024'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('documents', sa.Column('copy_pages', sa.String(length=64), nullable=True))


def downgrade() -> None:
    # Not a batch: SQLite 3.35+ drops a column in place (see 0011), without copying the table
    # that others refer to.
    op.drop_column('documents', 'copy_pages')

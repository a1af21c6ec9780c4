"""register book closing

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-21 15:00:00

An administrator closes a register book (khóa sổ): it gives no more numbers (engine/registers.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('register_books', sa.Column('closed_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    # Not a batch: SQLite's batch copies and drops the table, which the documents' foreign keys
    # forbid; SQLite 3.35+ drops a column in place.
    op.drop_column('register_books', 'closed_at')

"""number and date placement

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 05:45:00

The agency's place name for the date line of what it issues ("Bắc Từ Liêm, ngày …"), and the
number and date boxes a person placed on page 1 of a draft that prints no "Số:" line
(engine/placement.py, signing/placeholders.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('agencies', sa.Column('place_name', sa.String(length=100), nullable=False, server_default=''))
    op.add_column('documents', sa.Column('placement_json', sa.Text(), nullable=True))


def downgrade() -> None:
    # Not a batch: SQLite's batch copies and drops the table, which foreign keys forbid;
    # SQLite 3.35+ drops a column in place.
    op.drop_column('documents', 'placement_json')
    op.drop_column('agencies', 'place_name')

"""notifications in the platform's own words keep their messages

Revision ID: 0045
Revises: 0044
Create Date: 2026-12-07 19:55:00

An account's notice (a request to approve, its decision) is the platform's sentence around
names: kept as template and parameters, it is said in the reader's language (issue 17 item 8).
"""

from alembic import op
import sqlalchemy as sa


revision = '0045'
down_revision = '0044'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('notifications') as batch:
        batch.add_column(sa.Column('said_json', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('notifications') as batch:
        batch.drop_column('said_json')

"""the UI descriptions of a version's forms, as its designer deployed them

Revision ID: 0035
Revises: 0025
Create Date: 2026-12-07 16:00:00

A designer's form editor writes a form's UI description (order, labels, widgets) beside its JSON
Schema; it is kept with the draft and deployed with the version (issue 18 item 3), so a case
shows its form as the version it runs on described it. ``{}``: the descriptions in forms/.
"""

from alembic import op
import sqlalchemy as sa


revision = '0035'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ('process_versions', 'process_drafts'):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('ui_json', sa.Text(), nullable=False, server_default='{}'))


def downgrade() -> None:
    for table in ('process_drafts', 'process_versions'):
        with op.batch_alter_table(table) as batch:
            batch.drop_column('ui_json')

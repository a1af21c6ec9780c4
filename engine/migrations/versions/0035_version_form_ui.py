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
    # A plain ADD COLUMN: a batch would rebuild process_versions on SQLite, which the cases,
    # tasks and timers refer to, and fail on their foreign keys in a populated database.
    for table in ('process_versions', 'process_drafts'):
        op.add_column(table, sa.Column('ui_json', sa.Text(), nullable=False, server_default='{}'))


def downgrade() -> None:
    # DROP COLUMN in place (SQLite 3.35+, PostgreSQL): no rebuild of a table others refer to.
    for table in ('process_drafts', 'process_versions'):
        op.execute(f'ALTER TABLE {table} DROP COLUMN ui_json')

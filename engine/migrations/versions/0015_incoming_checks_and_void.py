"""incoming checks and void

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 05:15:00

What the clerk decides when an incoming document is taken in (engine/intake.py): the file
whose signatures were verified (so a check made before the write transaction is not
repeated inside it), the note (ghi chú) required to register a document whose signature is
invalid, the reason it was refused (từ chối tiếp nhận); and the void (hủy) of a register
entry, whose number stays used: when, by whom and why.
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

_COLUMNS = ('verified_sha256', 'intake_note', 'refusal_reason', 'void_reason', 'voided_at', 'voided_by')


def upgrade() -> None:
    op.add_column('documents', sa.Column('verified_sha256', sa.String(length=64), nullable=True))
    op.add_column('documents', sa.Column('intake_note', sa.String(length=2000), nullable=True))
    op.add_column('documents', sa.Column('refusal_reason', sa.String(length=2000), nullable=True))
    op.add_column('documents', sa.Column('void_reason', sa.String(length=2000), nullable=True))
    op.add_column('documents', sa.Column('voided_at', sa.DateTime(), nullable=True))
    op.add_column('documents', sa.Column('voided_by', sa.Integer(), nullable=True))


def downgrade() -> None:
    # Not a batch: SQLite's batch copies and drops the table, which the foreign keys to
    # documents forbid; SQLite 3.35+ drops a column in place.
    for name in reversed(_COLUMNS):
        op.drop_column('documents', name)

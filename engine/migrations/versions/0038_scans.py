"""scans (bản quét) for OCR in the worker

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-07 16:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'scans',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by', sa.Integer(), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('source_sha256', sa.String(length=64), nullable=False),
        sa.Column('pages', sa.Integer(), nullable=False),
        sa.Column('status', sa.Enum('queued', 'running', 'done', 'failed', name='scanstatus', native_enum=False,
                                    length=16), nullable=False),
        sa.Column('pages_done', sa.Integer(), nullable=False),
        sa.Column('result_sha256', sa.String(length=64), nullable=True),
        sa.Column('fields_json', sa.Text(), nullable=True),
        sa.Column('message', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_scans_agency_id_agencies')),
        sa.ForeignKeyConstraint(['uploaded_by'], ['users.id'], name=op.f('fk_scans_uploaded_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scans')),
    )
    op.create_index('ix_scans_agency_id', 'scans', ['agency_id'], unique=False)
    op.create_index('ix_scans_status', 'scans', ['status'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_scans_status', table_name='scans')
    op.drop_index('ix_scans_agency_id', table_name='scans')
    op.drop_table('scans')

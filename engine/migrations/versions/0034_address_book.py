"""the address book's entries kept by an agency's administrators

Revision ID: 0034
Revises: 0036
Create Date: 2026-12-07 16:00:00

Danh bạ nơi nhận was derived only (the agency's units, the installation's agencies); its
administrators now add agencies, rename them, choose how they receive and take entries out
(engine/office/address_book.py).
"""

from alembic import op
import sqlalchemy as sa


revision = '0034'
down_revision = '0036'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'address_book_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('organ_id', sa.String(length=13), nullable=True),
        sa.Column('name', sa.String(length=200), nullable=False),
        sa.Column('delivery', sa.String(length=16), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_address_book_entries_agency_id_agencies')),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_address_book_entries_updated_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_address_book_entries')),
        sa.UniqueConstraint('agency_id', 'name', name=op.f('uq_address_book_entries_agency_id')),
    )


def downgrade() -> None:
    op.drop_table('address_book_entries')

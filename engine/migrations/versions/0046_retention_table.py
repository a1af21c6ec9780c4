"""each agency's retention table (bảng thời hạn bảo quản) and the item a record takes its retention from

Revision ID: 0046
Revises: 0039
Create Date: 2026-12-07 22:00:00

Records opened before keep their stored retention and no item: which item of a table that did not
exist yet they belong to is not known, so nothing is filled in.
"""

from alembic import op
import sqlalchemy as sa


revision = '0046'
down_revision = '0039'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'retention_items',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=20), nullable=False),
        sa.Column('heading', sa.String(length=500), nullable=False),
        sa.Column('term', sa.String(length=30), nullable=False),
        sa.Column('note', sa.String(length=1000), nullable=True),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_retention_items_agency_id_agencies')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_items')),
        sa.UniqueConstraint('agency_id', 'code', name=op.f('uq_retention_items_agency_id')),
    )
    op.create_index('ix_retention_items_agency_id', 'retention_items', ['agency_id'], unique=False)
    with op.batch_alter_table('records') as batch:
        batch.add_column(sa.Column('retention_item_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f('fk_records_retention_item_id_retention_items'), 'retention_items',
                                 ['retention_item_id'], ['id'])
        batch.create_index('ix_records_retention_item_id', ['retention_item_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('records') as batch:
        batch.drop_index('ix_records_retention_item_id')
        batch.drop_constraint(op.f('fk_records_retention_item_id_retention_items'), type_='foreignkey')
        batch.drop_column('retention_item_id')
    op.drop_index('ix_retention_items_agency_id', table_name='retention_items')
    op.drop_table('retention_items')

"""records

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-21 11:29:39.984963
"""

from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('notation', sa.String(length=20), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('retention', sa.String(length=30), nullable=False),
    sa.Column('access', sa.String(length=30), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('personal', sa.Boolean(), nullable=False),
    sa.Column('description', sa.String(length=500), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_records_agency_id_agencies')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_records_owner_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_records')),
    sa.UniqueConstraint('agency_id', 'year', 'notation', name=op.f('uq_records_agency_id'))
    )
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_records_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_records_owner_id'), ['owner_id'], unique=False)

    op.create_table('record_documents',
    sa.Column('record_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('added_by', sa.Integer(), nullable=False),
    sa.Column('added_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_record_documents_added_by_users')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_record_documents_document_id_documents')),
    sa.ForeignKeyConstraint(['record_id'], ['records.id'], name=op.f('fk_record_documents_record_id_records')),
    sa.PrimaryKeyConstraint('record_id', 'document_id', name=op.f('pk_record_documents'))
    )
    with op.batch_alter_table('record_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_record_documents_document_id'), ['document_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('record_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_record_documents_document_id'))

    op.drop_table('record_documents')
    with op.batch_alter_table('records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_records_owner_id'))
        batch_op.drop_index(batch_op.f('ix_records_agency_id'))

    op.drop_table('records')


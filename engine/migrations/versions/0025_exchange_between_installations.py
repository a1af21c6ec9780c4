"""exchange between installations (edXML, issue 15)

Revision ID: 0025
Revises: 0027
Create Date: 2026-12-07 12:21:14

The agency directory (exchange_partners), the outbox of packages to send with their retries,
the packages received (by DocumentId: idempotent import) and the statuses recipients sent back.
"""

from alembic import op
import sqlalchemy as sa


revision = '0025'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('exchange_partners',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('organ_id', sa.String(length=13), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('transport', sa.String(length=16), nullable=False),
    sa.Column('endpoint', sa.String(length=500), nullable=False),
    sa.Column('certificate_pem', sa.Text(), nullable=False),
    sa.Column('credentials_ref', sa.String(length=200), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('updated_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_exchange_partners_agency_id_agencies')),
    sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_exchange_partners_updated_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_partners')),
    sa.UniqueConstraint('agency_id', 'organ_id', name=op.f('uq_exchange_partners_agency_id'))
    )
    op.create_table('exchange_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('edxml_document_id', sa.String(length=300), nullable=False),
    sa.Column('business_type', sa.Integer(), nullable=False),
    sa.Column('status_code', sa.String(length=2), nullable=True),
    sa.Column('details_json', sa.Text(), nullable=False),
    sa.Column('package_sha256', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=8), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=1000), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_exchange_outbox_agency_id_agencies')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_exchange_outbox_document_id_documents')),
    sa.ForeignKeyConstraint(['partner_id'], ['exchange_partners.id'], name=op.f('fk_exchange_outbox_partner_id_exchange_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_outbox'))
    )
    with op.batch_alter_table('exchange_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_outbox_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_exchange_outbox_due', ['state', 'next_attempt_at'], unique=False)

    op.create_table('exchange_received',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('edxml_document_id', sa.String(length=300), nullable=False),
    sa.Column('business_type', sa.Integer(), nullable=False),
    sa.Column('package_sha256', sa.String(length=64), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('last_status', sa.String(length=2), nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('reply_token_hash', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_exchange_received_agency_id_agencies')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_exchange_received_document_id_documents')),
    sa.ForeignKeyConstraint(['partner_id'], ['exchange_partners.id'], name=op.f('fk_exchange_received_partner_id_exchange_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_received')),
    sa.UniqueConstraint('agency_id', 'edxml_document_id', 'business_type', name=op.f('uq_exchange_received_agency_id'))
    )
    with op.batch_alter_table('exchange_received', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exchange_received_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_exchange_received_reply_token_hash'), ['reply_token_hash'], unique=False)

    op.create_table('exchange_statuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('organ_id', sa.String(length=13), nullable=False),
    sa.Column('code', sa.String(length=2), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('staff', sa.String(length=200), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_exchange_statuses_document_id_documents')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_statuses'))
    )
    with op.batch_alter_table('exchange_statuses', schema=None) as batch_op:
        batch_op.create_index('ix_exchange_statuses_document', ['document_id', 'organ_id', 'id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('exchange_statuses', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_statuses_document')

    op.drop_table('exchange_statuses')
    with op.batch_alter_table('exchange_received', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exchange_received_reply_token_hash'))
        batch_op.drop_index(batch_op.f('ix_exchange_received_document_id'))

    op.drop_table('exchange_received')
    with op.batch_alter_table('exchange_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_exchange_outbox_due')
        batch_op.drop_index(batch_op.f('ix_exchange_outbox_document_id'))

    op.drop_table('exchange_outbox')
    op.drop_table('exchange_partners')

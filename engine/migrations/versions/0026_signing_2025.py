"""signature evidence, trust anchors, agencies' signing settings (Circular 15/2025/TT-BKHCN)

Revision ID: 0026
Revises: 0028
Create Date: 2026-12-07 13:00:00

The status check made before each signature and its OCSP response or CRL (signature_evidence),
the CA certificates administrators trust (trust_anchors), and each agency's time-stamping
authority and policy when a status cannot be checked (agency_signing_settings).
"""

from alembic import op
import sqlalchemy as sa


revision = '0026'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'signature_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.Column('file_sha256', sa.String(length=64), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('signed_at', sa.DateTime(), nullable=False),
        sa.Column('level', sa.String(length=8), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('source', sa.String(length=8), nullable=True),
        sa.Column('checked_at', sa.DateTime(), nullable=False),
        sa.Column('warning', sa.Text(), nullable=True),
        sa.Column('certificate', sa.LargeBinary(), nullable=False),
        sa.Column('ocsp_responses', sa.Text(), nullable=False),
        sa.Column('crls', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_signature_evidence_document_id_documents')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_signature_evidence_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_signature_evidence')),
    )
    op.create_index(op.f('ix_signature_evidence_document_id'), 'signature_evidence', ['document_id'])
    op.create_table(
        'trust_anchors',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=True),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.String(length=255), nullable=False),
        sa.Column('subject', sa.String(length=500), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('der', sa.LargeBinary(), nullable=False),
        sa.Column('not_after', sa.DateTime(), nullable=False),
        sa.Column('added_by', sa.Integer(), nullable=True),
        sa.Column('added_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_trust_anchors_agency_id_agencies')),
        sa.ForeignKeyConstraint(['added_by'], ['users.id'], name=op.f('fk_trust_anchors_added_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_trust_anchors')),
        sa.UniqueConstraint('agency_id', 'sha256', name=op.f('uq_trust_anchors_agency_id')),
    )
    op.create_table(
        'agency_signing_settings',
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('tsa_url', sa.String(length=500), nullable=True),
        sa.Column('unreachable_policy', sa.String(length=16), nullable=False),
        sa.Column('updated_by', sa.Integer(), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'],
                                name=op.f('fk_agency_signing_settings_agency_id_agencies')),
        sa.ForeignKeyConstraint(['updated_by'], ['users.id'], name=op.f('fk_agency_signing_settings_updated_by_users')),
        sa.PrimaryKeyConstraint('agency_id', name=op.f('pk_agency_signing_settings')),
    )


def downgrade() -> None:
    op.drop_table('agency_signing_settings')
    op.drop_table('trust_anchors')
    op.drop_index(op.f('ix_signature_evidence_document_id'), table_name='signature_evidence')
    op.drop_table('signature_evidence')

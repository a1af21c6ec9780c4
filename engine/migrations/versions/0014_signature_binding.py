"""signature binding: the main file's versions and people's registered certificates

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 05:30:00

``file_versions``: each version of a document's main file (hash, who, when, why), so that a
leader's signature is bound to the version they were asked to sign and an issue to the version
they signed. ``user_certificates``: the certificates registered to each person; a signature made
with a certificate that is not the signer's own is refused. ``pending_signatures.source_sha256``:
the main file a split signing started from.

The upgrade gives every document its present main file as its first version: for an outgoing
document with recorded signatures, leader-signed while a draft (only the leader's signature put them
there before issuance) and agency-signed once issued.
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('user_certificates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('subject', sa.String(length=500), nullable=False),
    sa.Column('subject_name', sa.String(length=255), nullable=False),
    sa.Column('issuer', sa.String(length=500), nullable=False),
    sa.Column('serial', sa.String(length=64), nullable=False),
    sa.Column('spki_sha256', sa.String(length=64), nullable=False),
    sa.Column('not_before', sa.DateTime(), nullable=False),
    sa.Column('not_after', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('enrolled_by', sa.Integer(), nullable=True),
    sa.Column('enrolled_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['enrolled_by'], ['users.id'], name=op.f('fk_user_certificates_enrolled_by_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_certificates_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_certificates')),
    sa.UniqueConstraint('spki_sha256', name=op.f('uq_user_certificates_spki_sha256'))
    )
    with op.batch_alter_table('user_certificates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_certificates_user_id'), ['user_id'], unique=False)

    op.create_table('file_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=24), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('certificate_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['certificate_id'], ['user_certificates.id'],
                            name=op.f('fk_file_versions_certificate_id_user_certificates')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_file_versions_document_id_documents')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_file_versions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_file_versions')),
    sa.UniqueConstraint('document_id', 'seq', name=op.f('uq_file_versions_document_id'))
    )
    with op.batch_alter_table('file_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_file_versions_document_id'), ['document_id'], unique=False)

    with op.batch_alter_table('pending_signatures', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_sha256', sa.String(length=64), nullable=True))

    op.execute(
        "INSERT INTO file_versions (document_id, seq, sha256, reason, user_id, created_at) "
        "SELECT f.document_id, 1, f.sha256, "
        "CASE WHEN d.direction <> 'outgoing' OR d.signatures_json IS NULL THEN 'upload' "
        "WHEN d.status = 'draft' THEN 'leader_signature' ELSE 'agency_signature' END, "
        "f.uploaded_by, f.uploaded_at "
        "FROM document_files f JOIN documents d ON d.id = f.document_id WHERE f.role = 'main'"
    )


def downgrade() -> None:
    with op.batch_alter_table('pending_signatures', schema=None) as batch_op:
        batch_op.drop_column('source_sha256')

    with op.batch_alter_table('file_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_file_versions_document_id'))
    op.drop_table('file_versions')

    with op.batch_alter_table('user_certificates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_certificates_user_id'))
    op.drop_table('user_certificates')

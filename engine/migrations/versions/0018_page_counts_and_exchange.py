"""page counts and exchange agreements

Revision ID: 0018
Revises: 0015
Create Date: 2026-12-07 05:20:00

A stored PDF's page count, counted once at upload within a budget (engine/pdf_pages.py),
so that records never parse PDFs when they are listed. NULL: unknown (files stored before
this revision, or a PDF that could not be counted: ``qlvb count-pages`` fills them in).

Liên thông bound to agencies (engine/exchange.py): the pairs of agencies whose cases may
message each other, approved by the administrators of both, and the reply tokens that let a
reply reach only the case that sent the request.
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('document_files', sa.Column('page_count', sa.Integer(), nullable=True))
    op.create_table(
        'exchange_agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('agency_id', sa.Integer(), nullable=False),
        sa.Column('partner_id', sa.Integer(), nullable=False),
        sa.Column('agency_approved_at', sa.DateTime(), nullable=True),
        sa.Column('agency_approved_by', sa.Integer(), nullable=True),
        sa.Column('partner_approved_at', sa.DateTime(), nullable=True),
        sa.Column('partner_approved_by', sa.Integer(), nullable=True),
        sa.CheckConstraint('agency_id < partner_id', name=op.f('ck_exchange_agreements_pair_ordered')),
        sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_exchange_agreements_agency_id_agencies')),
        sa.ForeignKeyConstraint(['partner_id'], ['agencies.id'],
                                name=op.f('fk_exchange_agreements_partner_id_agencies')),
        sa.ForeignKeyConstraint(['agency_approved_by'], ['users.id'],
                                name=op.f('fk_exchange_agreements_agency_approved_by_users')),
        sa.ForeignKeyConstraint(['partner_approved_by'], ['users.id'],
                                name=op.f('fk_exchange_agreements_partner_approved_by_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_exchange_agreements')),
        sa.UniqueConstraint('agency_id', 'partner_id', name=op.f('uq_exchange_agreements_agency_id')),
    )
    op.create_table(
        'reply_tokens',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('responder_agency_id', sa.Integer(), nullable=False),
        sa.Column('message', sa.String(length=255), nullable=False),
        sa.Column('issued_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_reply_tokens_case_id_cases')),
        sa.ForeignKeyConstraint(['responder_agency_id'], ['agencies.id'],
                                name=op.f('fk_reply_tokens_responder_agency_id_agencies')),
        sa.PrimaryKeyConstraint('token_hash', name=op.f('pk_reply_tokens')),
    )
    op.create_index(op.f('ix_reply_tokens_case_id'), 'reply_tokens', ['case_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_reply_tokens_case_id'), table_name='reply_tokens')
    op.drop_table('reply_tokens')
    op.drop_table('exchange_agreements')
    # Not a batch: SQLite 3.35+ drops a column in place (see 0011).
    op.drop_column('document_files', 'page_count')

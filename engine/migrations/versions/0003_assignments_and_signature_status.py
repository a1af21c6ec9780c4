"""assignments and signature status

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 11:04:57.844850
"""

from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('assignments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('from_user_id', sa.Integer(), nullable=False),
    sa.Column('to_unit_id', sa.Integer(), nullable=True),
    sa.Column('to_user_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('main', 'co', 'info', name='assignmentrole', native_enum=False, length=8), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=True),
    sa.Column('note', sa.Text(), nullable=True),
    sa.Column('status', sa.Enum('open', 'done', 'returned', name='assignmentstatus', native_enum=False, length=16), nullable=False),
    sa.Column('outcome', sa.String(length=32), nullable=True),
    sa.Column('outcome_note', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_assignments_case_id_cases')),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_assignments_document_id_documents')),
    sa.ForeignKeyConstraint(['from_user_id'], ['users.id'], name=op.f('fk_assignments_from_user_id_users')),
    sa.ForeignKeyConstraint(['parent_id'], ['assignments.id'], name=op.f('fk_assignments_parent_id_assignments')),
    sa.ForeignKeyConstraint(['to_unit_id'], ['units.id'], name=op.f('fk_assignments_to_unit_id_units')),
    sa.ForeignKeyConstraint(['to_user_id'], ['users.id'], name=op.f('fk_assignments_to_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assignments'))
    )
    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_assignments_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_document_id'), ['document_id'], unique=False)
        batch_op.create_index('ix_assignments_status_deadline', ['status', 'deadline'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_to_unit_id'), ['to_unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_assignments_to_user_id'), ['to_user_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signature_status', sa.Enum('none', 'valid', 'invalid', 'paper', name='signaturestatus', native_enum=False, length=16), nullable=False, server_default='none'))
        batch_op.add_column(sa.Column('issued_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('finished_at', sa.DateTime(), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('finished_at')
        batch_op.drop_column('issued_at')
        batch_op.drop_column('signature_status')

    with op.batch_alter_table('assignments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_assignments_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_to_unit_id'))
        batch_op.drop_index('ix_assignments_status_deadline')
        batch_op.drop_index(batch_op.f('ix_assignments_document_id'))
        batch_op.drop_index(batch_op.f('ix_assignments_case_id'))

    op.drop_table('assignments')


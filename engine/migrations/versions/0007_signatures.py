"""signatures

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21 11:42:02.734991
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('pending_signatures',
    sa.Column('id', sa.String(length=128), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_pending_signatures_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pending_signatures'))
    )
    with op.batch_alter_table('pending_signatures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pending_signatures_task_id'), ['task_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('signatures_json', sa.Text(), nullable=True))




def downgrade() -> None:

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_column('signatures_json')

    with op.batch_alter_table('pending_signatures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_pending_signatures_task_id'))

    op.drop_table('pending_signatures')


"""an audit chain per agency, with signed checkpoints of the heads (issue 19 item 3)

Revision ID: 0036
Revises: 0038
Create Date: 2026-12-07 16:00:00

Every write of the installation used to lock the single ``audit_head`` row. Entries now belong to
a chain (0: the installation's, otherwise an agency's id) with a position in it (``seq``) and
a global ``id`` in writing order; each chain has its own head row. The entries written before
stay as they were, hashes and positions unchanged, as the beginning of the installation's chain
(engine/audit/chain.py hashes chain 0 exactly as the single chain was hashed), so they verify.
"""

from alembic import op
import sqlalchemy as sa


revision = '0036'
down_revision = '0038'
branch_labels = None
depends_on = None

_FIELDS = "at, actor_id, on_behalf_of_id, action, case_id, task_id, payload, prev_hash, hash"


def _entries_table(name: str, pk: str, columns: list[sa.Column], constraints: list[sa.Constraint]) -> None:
    op.create_table(
        name, *columns,
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('on_behalf_of_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=64), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('task_id', sa.String(length=36), nullable=True),
        sa.Column('payload', sa.Text(), nullable=False),
        sa.Column('prev_hash', sa.String(length=64), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_audit_entries_actor_id_users')),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_audit_entries_case_id_cases')),
        sa.ForeignKeyConstraint(['on_behalf_of_id'], ['users.id'], name=op.f('fk_audit_entries_on_behalf_of_id_users')),
        sa.PrimaryKeyConstraint(pk, name=op.f('pk_audit_entries')),
        *constraints,
    )


def _set_aside() -> None:
    """Rename the table out of the way, with the names PostgreSQL keeps per schema."""
    op.drop_index('ix_audit_entries_case', table_name='audit_entries')
    op.rename_table('audit_entries', 'audit_entries_old')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('ALTER TABLE audit_entries_old RENAME CONSTRAINT pk_audit_entries TO pk_audit_entries_old')


def upgrade() -> None:
    op.create_table(
        'audit_heads',
        sa.Column('chain', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('chain', name=op.f('pk_audit_heads')),
    )
    op.execute('INSERT INTO audit_heads (chain, seq, hash) SELECT 0, seq, hash FROM audit_head WHERE id = 1')
    op.drop_table('audit_head')

    _set_aside()
    _entries_table('audit_entries', 'id', [
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chain', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
    ], [sa.UniqueConstraint('chain', 'seq', name=op.f('uq_audit_entries_chain'))])
    op.execute(f'INSERT INTO audit_entries (id, chain, seq, {_FIELDS}) SELECT seq, 0, seq, {_FIELDS} '
               'FROM audit_entries_old')
    op.drop_table('audit_entries_old')
    op.create_index('ix_audit_entries_case', 'audit_entries', ['case_id', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':  # the next id follows the copied ones
        op.execute("SELECT setval(pg_get_serial_sequence('audit_entries', 'id'), "
                   "COALESCE((SELECT MAX(id) FROM audit_entries), 0) + 1, false)")

    op.create_table(
        'audit_checkpoints',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('chain', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('key_id', sa.String(length=16), nullable=False),
        sa.Column('mac', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checkpoints')),
    )
    op.create_index('ix_audit_checkpoints_chain', 'audit_checkpoints', ['chain', 'seq'], unique=False)


def _one_chain() -> None:
    """Every entry put back into the installation's chain in writing order, each hashed again as
    the single chain before 0036 hashed it: a downgrade is the operator's choice, and the chain it
    leaves verifies (the agencies' separate chains, and their checkpoints, are given up)."""
    from sqlalchemy.orm import Session

    from engine.audit.chain import GENESIS, INSTALLATION, entry_hash
    from engine.models import AuditEntry

    session = Session(bind=op.get_bind())
    entries = list(session.scalars(sa.select(AuditEntry).order_by(AuditEntry.id)))
    for entry in entries:  # out of the way of the (chain, seq) key first
        entry.chain, entry.seq = INSTALLATION, -entry.id
    session.flush()
    prev = GENESIS
    for seq, entry in enumerate(entries, start=1):
        entry.seq, entry.prev_hash = seq, prev
        entry.hash = prev = entry_hash(INSTALLATION, seq, entry.at, entry.actor_id, entry.on_behalf_of_id,
                                       entry.action, entry.case_id, entry.task_id, entry.payload, prev)
    session.flush()
    op.execute(sa.text('DELETE FROM audit_heads WHERE chain <> 0'))
    op.execute(sa.text('UPDATE audit_heads SET seq = :seq, hash = :hash WHERE chain = 0').bindparams(
        seq=len(entries), hash=prev))


def downgrade() -> None:
    """Back to one chain."""
    if op.get_bind().execute(sa.text('SELECT COUNT(*) FROM audit_entries WHERE chain <> 0')).scalar():
        _one_chain()
    op.drop_index('ix_audit_checkpoints_chain', table_name='audit_checkpoints')
    op.drop_table('audit_checkpoints')
    _set_aside()
    _entries_table('audit_entries', 'seq', [sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False)], [])
    op.execute(f'INSERT INTO audit_entries (seq, {_FIELDS}) SELECT seq, {_FIELDS} FROM audit_entries_old')
    op.drop_table('audit_entries_old')
    op.create_index('ix_audit_entries_case', 'audit_entries', ['case_id', 'seq'], unique=False)
    op.create_table(
        'audit_head',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('seq', sa.Integer(), nullable=False),
        sa.Column('hash', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head')),
    )
    op.execute('INSERT INTO audit_head (id, seq, hash) SELECT 1, seq, hash FROM audit_heads WHERE chain = 0')
    op.drop_table('audit_heads')

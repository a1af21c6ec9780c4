"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-21 10:50:16.960461
"""

import sqlalchemy as sa
from alembic import op

revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:

    op.create_table('agencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('abbreviation', sa.String(length=32), nullable=False),
    sa.Column('identifier_code', sa.String(length=13), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_agencies')),
    sa.UniqueConstraint('code', name=op.f('uq_agencies_code')),
    sa.UniqueConstraint('identifier_code', name=op.f('uq_agencies_identifier_code'))
    )
    op.create_table('audit_head',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_head'))
    )
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=255), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('has_certificate', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('username', name=op.f('uq_users_username'))
    )
    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('delegations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('grantor_id', sa.Integer(), nullable=False),
    sa.Column('delegate_id', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('scope', sa.String(length=255), nullable=False),
    sa.Column('revoked', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['delegate_id'], ['users.id'], name=op.f('fk_delegations_delegate_id_users')),
    sa.ForeignKeyConstraint(['grantor_id'], ['users.id'], name=op.f('fk_delegations_grantor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delegations'))
    )
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegations_delegate_id'), ['delegate_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegations_grantor_id'), ['grantor_id'], unique=False)

    op.create_table('process_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('agency_code', sa.String(length=32), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('forms_json', sa.Text(), nullable=False),
    sa.Column('deployed_at', sa.DateTime(), nullable=False),
    sa.Column('deployed_by', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['deployed_by'], ['users.id'], name=op.f('fk_process_versions_deployed_by_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_versions')),
    sa.UniqueConstraint('process_id', 'version', name=op.f('uq_process_versions_process_id'))
    )
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_versions_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_versions_process_id'), ['process_id'], unique=False)

    op.create_table('registers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_number', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_registers_agency_id_agencies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registers')),
    sa.UniqueConstraint('agency_id', 'kind', 'year', name=op.f('uq_registers_agency_id'))
    )
    op.create_table('units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('kind', sa.Enum('phong', 'khoa', 'tram', 'van_phong', 'ban_giam_doc', name='unitkind', native_enum=False, length=16), nullable=False),
    sa.Column('supervisor_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_units_agency_id_agencies')),
    sa.ForeignKeyConstraint(['supervisor_id'], ['users.id'], name=op.f('fk_units_supervisor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_units')),
    sa.UniqueConstraint('agency_id', 'code', name=op.f('uq_units_agency_id'))
    )
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_units_agency_id'), ['agency_id'], unique=False)

    op.create_table('cases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('agency_id', sa.Integer(), nullable=False),
    sa.Column('initiator_id', sa.Integer(), nullable=False),
    sa.Column('initiator_unit_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=500), nullable=False),
    sa.Column('status', sa.Enum('running', 'completed', name='casestatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('state_json', sa.Text(), nullable=False),
    sa.Column('data_json', sa.Text(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['agency_id'], ['agencies.id'], name=op.f('fk_cases_agency_id_agencies')),
    sa.ForeignKeyConstraint(['initiator_id'], ['users.id'], name=op.f('fk_cases_initiator_id_users')),
    sa.ForeignKeyConstraint(['initiator_unit_id'], ['units.id'], name=op.f('fk_cases_initiator_unit_id_units')),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_versions.id'], name=op.f('fk_cases_process_version_id_process_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cases'))
    )
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cases_agency_id'), ['agency_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_initiator_id'), ['initiator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_process_version_id'), ['process_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_cases_status'), ['status'], unique=False)

    op.create_table('user_positions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Enum('specialist', 'head', 'deputy_head', 'office_chief', 'deputy_office_chief', 'director', 'deputy_director', 'clerk', 'admin', name='position', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['unit_id'], ['units.id'], name=op.f('fk_user_positions_unit_id_units')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_positions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_positions')),
    sa.UniqueConstraint('user_id', 'unit_id', 'position', name=op.f('uq_user_positions_user_id'))
    )
    with op.batch_alter_table('user_positions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_positions_unit_id'), ['unit_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_positions_user_id'), ['user_id'], unique=False)

    op.create_table('audit_entries',
    sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
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
    sa.PrimaryKeyConstraint('seq', name=op.f('pk_audit_entries'))
    )
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.create_index('ix_audit_entries_case', ['case_id', 'seq'], unique=False)

    op.create_table('case_followers',
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_case_followers_case_id_cases')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_case_followers_user_id_users')),
    sa.PrimaryKeyConstraint('case_id', 'user_id', name=op.f('pk_case_followers'))
    )
    with op.batch_alter_table('case_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_followers_user_id'), ['user_id'], unique=False)

    op.create_table('human_tasks',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('spec_name', sa.String(length=255), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('lane', sa.String(length=255), nullable=False),
    sa.Column('form', sa.String(length=255), nullable=True),
    sa.Column('status', sa.Enum('open', 'completed', 'cancelled', name='taskstatus', native_enum=False, length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=True),
    sa.Column('completed_at', sa.DateTime(), nullable=True),
    sa.Column('completed_by', sa.Integer(), nullable=True),
    sa.Column('on_behalf_of', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_human_tasks_case_id_cases')),
    sa.ForeignKeyConstraint(['completed_by'], ['users.id'], name=op.f('fk_human_tasks_completed_by_users')),
    sa.ForeignKeyConstraint(['on_behalf_of'], ['users.id'], name=op.f('fk_human_tasks_on_behalf_of_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_tasks'))
    )
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.create_index('ix_human_tasks_case_status', ['case_id', 'status'], unique=False)

    op.create_table('timers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('spec_name', sa.String(length=255), nullable=False),
    sa.Column('due_at', sa.DateTime(), nullable=False),
    sa.Column('fired_at', sa.DateTime(), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], name=op.f('fk_timers_case_id_cases')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_timers'))
    )
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_timers_case_id'), ['case_id'], unique=False)
        batch_op.create_index('ix_timers_pending', ['fired_at', 'due_at'], unique=False)

    op.create_table('task_candidates',
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['task_id'], ['human_tasks.id'], name=op.f('fk_task_candidates_task_id_human_tasks')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_task_candidates_user_id_users')),
    sa.PrimaryKeyConstraint('task_id', 'user_id', name=op.f('pk_task_candidates'))
    )
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_task_candidates_user_id'), ['user_id'], unique=False)




def downgrade() -> None:

    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_candidates_user_id'))

    op.drop_table('task_candidates')
    with op.batch_alter_table('timers', schema=None) as batch_op:
        batch_op.drop_index('ix_timers_pending')
        batch_op.drop_index(batch_op.f('ix_timers_case_id'))

    op.drop_table('timers')
    with op.batch_alter_table('human_tasks', schema=None) as batch_op:
        batch_op.drop_index('ix_human_tasks_case_status')

    op.drop_table('human_tasks')
    with op.batch_alter_table('case_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_followers_user_id'))

    op.drop_table('case_followers')
    with op.batch_alter_table('audit_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_audit_entries_case')

    op.drop_table('audit_entries')
    with op.batch_alter_table('user_positions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_positions_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_positions_unit_id'))

    op.drop_table('user_positions')
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cases_status'))
        batch_op.drop_index(batch_op.f('ix_cases_process_version_id'))
        batch_op.drop_index(batch_op.f('ix_cases_initiator_id'))
        batch_op.drop_index(batch_op.f('ix_cases_agency_id'))

    op.drop_table('cases')
    with op.batch_alter_table('units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_units_agency_id'))

    op.drop_table('units')
    op.drop_table('registers')
    with op.batch_alter_table('process_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_versions_process_id'))
        batch_op.drop_index(batch_op.f('ix_process_versions_content_hash'))

    op.drop_table('process_versions')
    with op.batch_alter_table('delegations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegations_grantor_id'))
        batch_op.drop_index(batch_op.f('ix_delegations_delegate_id'))

    op.drop_table('delegations')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    op.drop_table('users')
    op.drop_table('audit_head')
    op.drop_table('agencies')


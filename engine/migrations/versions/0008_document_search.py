"""document search and inbox indexes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22 09:00:00

Search (engine/search.py): a full-text index over ``documents.search_text`` (already
folded: lower case, no diacritics), a different object on each backend, both word-based
with prefix matching so that a query finds the same documents on either:

* SQLite: an FTS5 table with the documents table as its external content, kept in sync
  by triggers. A later ``batch_alter_table`` on documents rebuilds that table on SQLite
  and drops these triggers with it: such a migration must create them again.
* PostgreSQL: a GIN index on a tsvector of the same words, each word prefixed with the
  document's agency and whether it is secret ("a3p" + word, "a3s" + word), so that a
  query looks only at the posting lists of what the user may read: five times shorter
  with five agencies, which is what keeps common words fast at a million documents.
  No extension is needed.

Permission filter: what a non-keeper may see is the documents they created (an index on
documents.created_by) or whose cases they take part in, collected from their task
candidacies through covering indexes (task_candidates by user, human_tasks id → case).

Inbox (engine/queries.my_tasks): ``task_candidates.task_open``, kept equal to "its task is
open" by a trigger on human_tasks and leading the (user_id, task_open, task_id) index, so
that an inbox reads the user's open tasks only, not every task they ever had (a director
is a candidate of most tasks of the agency) nor every open task of every agency.
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

# Must stay identical to engine.search.PG_VECTOR: PostgreSQL uses an expression index
# only for a query that repeats the expression.
PG_VECTOR = (
    "to_tsvector('simple'::regconfig, regexp_replace(regexp_replace(search_text, '[^0-9a-z]+', ' ', 'g'), "
    "'([0-9a-z]+)', 'a' || agency_id::text || CASE WHEN secrecy = 'thuong' THEN 'p' ELSE 's' END || '\\1', 'g'))"
)

SQLITE_UP = [
    "CREATE VIRTUAL TABLE documents_fts USING fts5(search_text, content='documents', content_rowid='id')",
    "CREATE TRIGGER documents_fts_insert AFTER INSERT ON documents BEGIN "
    "INSERT INTO documents_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER documents_fts_delete AFTER DELETE ON documents BEGIN "
    "INSERT INTO documents_fts (documents_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    # Only a change of the text touches the index, not every status or date update.
    "CREATE TRIGGER documents_fts_update AFTER UPDATE OF search_text ON documents "
    "WHEN old.search_text IS NOT new.search_text BEGIN "
    "INSERT INTO documents_fts (documents_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO documents_fts (rowid, search_text) VALUES (new.id, new.search_text); END",
    "INSERT INTO documents_fts (documents_fts) VALUES ('rebuild')",
    "CREATE TRIGGER human_tasks_open AFTER UPDATE OF status ON human_tasks BEGIN "
    "UPDATE task_candidates SET task_open = (new.status = 'open') WHERE task_id = new.id; END",
]
SQLITE_DOWN = [
    "DROP TRIGGER human_tasks_open",
    "DROP TRIGGER documents_fts_update",
    "DROP TRIGGER documents_fts_delete",
    "DROP TRIGGER documents_fts_insert",
    "DROP TABLE documents_fts",
]
POSTGRESQL_UP = [
    f"CREATE INDEX ix_documents_search ON documents USING gin ({PG_VECTOR})",
    "CREATE FUNCTION human_tasks_open() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "UPDATE task_candidates SET task_open = (NEW.status = 'open') WHERE task_id = NEW.id; RETURN NULL; END $$",
    "CREATE TRIGGER human_tasks_open AFTER UPDATE OF status ON human_tasks FOR EACH ROW "
    "WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION human_tasks_open()",
]
POSTGRESQL_DOWN = [
    "DROP TRIGGER human_tasks_open ON human_tasks",
    "DROP FUNCTION human_tasks_open()",
    "DROP INDEX ix_documents_search",
]


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_created_by'), ['created_by'], unique=False)

    # A candidate row is written with its task, which is open then (engine.steps).
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.add_column(sa.Column('task_open', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.execute("UPDATE task_candidates SET task_open = EXISTS (SELECT 1 FROM human_tasks "
               "WHERE human_tasks.id = task_candidates.task_id AND human_tasks.status = 'open')")
    op.create_index('ix_task_candidates_user_open', 'task_candidates', ['user_id', 'task_open', 'task_id'],
                    unique=False)
    op.create_index('ix_human_tasks_id_case', 'human_tasks', ['id', 'case_id'], unique=False)

    dialect = op.get_bind().dialect.name
    for statement in SQLITE_UP if dialect == 'sqlite' else POSTGRESQL_UP if dialect == 'postgresql' else []:
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for statement in SQLITE_DOWN if dialect == 'sqlite' else POSTGRESQL_DOWN if dialect == 'postgresql' else []:
        op.execute(statement)
    op.drop_index('ix_human_tasks_id_case', table_name='human_tasks')
    op.drop_index('ix_task_candidates_user_open', table_name='task_candidates')
    with op.batch_alter_table('task_candidates', schema=None) as batch_op:
        batch_op.drop_column('task_open')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_created_by'))

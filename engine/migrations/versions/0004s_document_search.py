"""document search

Revision ID: 0004s
Revises: 0003
Create Date: 2026-11-22 09:00:00

A full-text index over ``documents.search_text`` (already folded: lower case, no
diacritics), a different object on each backend, both word-based with prefix matching
so that a query finds the same documents on either (see engine/search.py):

* SQLite: an FTS5 table with the documents table as its external content, kept in sync
  by triggers. A later ``batch_alter_table`` on documents rebuilds that table on SQLite
  and drops these triggers with it: such a migration must create them again.
* PostgreSQL: a GIN index on the tsvector of the same words. No extension is needed.
"""

from alembic import op


revision = '0004s'
down_revision = '0003'
branch_labels = None
depends_on = None

# Must stay identical to engine.search.PG_VECTOR: PostgreSQL uses an expression index
# only for a query that repeats the expression.
PG_VECTOR = "to_tsvector('simple'::regconfig, regexp_replace(search_text, '[^0-9a-z]+', ' ', 'g'))"

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
]
SQLITE_DOWN = [
    "DROP TRIGGER documents_fts_update",
    "DROP TRIGGER documents_fts_delete",
    "DROP TRIGGER documents_fts_insert",
    "DROP TABLE documents_fts",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in SQLITE_UP:
            op.execute(statement)
    elif dialect == 'postgresql':
        op.execute(f"CREATE INDEX ix_documents_search ON documents USING gin ({PG_VECTOR})")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif dialect == 'postgresql':
        op.execute("DROP INDEX ix_documents_search")

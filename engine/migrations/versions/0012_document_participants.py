"""document participants

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 09:00:00

``document_participants`` (user, document): the people who take part in a document's cases,
by the rule of ``engine.permissions._involved`` (a case's initiator, its followers, and the
candidates of its tasks), so that the documents someone who is not a register keeper takes
part in are one range of its primary key (engine.permissions._own) instead of a union
collected from their task candidacies through the tasks and cases of a million documents
(20–25 ms at every search, README "Documents at scale").

Kept by triggers on both backends, as ``task_candidates.task_open`` is (0008), so that no
code path that adds a follower, opens a task or links a case to its document has to
remember it: an insert adds its one pair, cheaply; any other change (a case linked to
another document, a follower or candidate removed) recomputes the pairs of the documents
it touches, so that the table never admits more than the rule. The upgrade fills it from
the rows already there; the downgrade drops it with its triggers.
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def _people(doc: str) -> str:
    """The user ids of the people who take part in the cases of document ``doc`` (an SQL
    expression): engine.permissions._involved, per document."""
    return (
        f"SELECT initiator_id AS user_id FROM cases WHERE document_id = {doc} "
        "UNION SELECT f.user_id FROM case_followers f JOIN cases c ON c.id = f.case_id "
        f"WHERE c.document_id = {doc} "
        "UNION SELECT k.user_id FROM task_candidates k JOIN human_tasks t ON t.id = k.task_id "
        f"JOIN cases c ON c.id = t.case_id WHERE c.document_id = {doc}"
    )


# Every pair, for the rows already there.
FILL = (
    "INSERT INTO document_participants (user_id, document_id) "
    "SELECT initiator_id, document_id FROM cases WHERE document_id IS NOT NULL "
    "UNION SELECT f.user_id, c.document_id FROM case_followers f JOIN cases c ON c.id = f.case_id "
    "WHERE c.document_id IS NOT NULL "
    "UNION SELECT k.user_id, c.document_id FROM task_candidates k JOIN human_tasks t ON t.id = k.task_id "
    "JOIN cases c ON c.id = t.case_id WHERE c.document_id IS NOT NULL"
)


def _refresh_sqlite(doc: str) -> str:
    """The statements that make the pairs of document ``doc`` those of the rule (a NULL
    ``doc`` touches nothing)."""
    return (
        f"DELETE FROM document_participants WHERE document_id = {doc} AND user_id NOT IN ({_people(doc)}); "
        f"INSERT OR IGNORE INTO document_participants (user_id, document_id) "
        f"SELECT p.user_id, {doc} FROM ({_people(doc)}) p; "
    )


def _doc_of_task(task: str) -> str:
    return f"(SELECT c.document_id FROM human_tasks t JOIN cases c ON c.id = t.case_id WHERE t.id = {task})"


def _doc_of_case(case: str) -> str:
    return f"(SELECT document_id FROM cases WHERE id = {case})"


SQLITE_TRIGGERS = {
    # Inserts: the one new pair.
    "cases_participants_insert": "AFTER INSERT ON cases WHEN new.document_id IS NOT NULL BEGIN "
    "INSERT OR IGNORE INTO document_participants (user_id, document_id) "
    "VALUES (new.initiator_id, new.document_id); END",
    "case_followers_participants_insert": "AFTER INSERT ON case_followers BEGIN "
    "INSERT OR IGNORE INTO document_participants (user_id, document_id) "
    "SELECT new.user_id, document_id FROM cases WHERE id = new.case_id AND document_id IS NOT NULL; END",
    "task_candidates_participants_insert": "AFTER INSERT ON task_candidates BEGIN "
    "INSERT OR IGNORE INTO document_participants (user_id, document_id) "
    "SELECT new.user_id, c.document_id FROM human_tasks t JOIN cases c ON c.id = t.case_id "
    "WHERE t.id = new.task_id AND c.document_id IS NOT NULL; END",
    # Other changes: the documents they touch, recomputed.
    "cases_participants_update": "AFTER UPDATE OF document_id, initiator_id ON cases BEGIN "
    + _refresh_sqlite("old.document_id") + _refresh_sqlite("new.document_id") + "END",
    "cases_participants_delete": "AFTER DELETE ON cases BEGIN " + _refresh_sqlite("old.document_id") + "END",
    "case_followers_participants_update": "AFTER UPDATE ON case_followers BEGIN "
    + _refresh_sqlite(_doc_of_case("old.case_id")) + _refresh_sqlite(_doc_of_case("new.case_id")) + "END",
    "case_followers_participants_delete": "AFTER DELETE ON case_followers BEGIN "
    + _refresh_sqlite(_doc_of_case("old.case_id")) + "END",
    # Not on task_open, which changes with every task closed (0008).
    "task_candidates_participants_update": "AFTER UPDATE OF task_id, user_id ON task_candidates BEGIN "
    + _refresh_sqlite(_doc_of_task("old.task_id")) + _refresh_sqlite(_doc_of_task("new.task_id")) + "END",
    "task_candidates_participants_delete": "AFTER DELETE ON task_candidates BEGIN "
    + _refresh_sqlite(_doc_of_task("old.task_id")) + "END",
    "human_tasks_participants_update": "AFTER UPDATE OF case_id ON human_tasks BEGIN "
    + _refresh_sqlite(_doc_of_case("old.case_id")) + _refresh_sqlite(_doc_of_case("new.case_id")) + "END",
    "human_tasks_participants_delete": "AFTER DELETE ON human_tasks BEGIN "
    + _refresh_sqlite(_doc_of_case("old.case_id")) + "END",
}

POSTGRESQL_FUNCTIONS = {
    "document_participants_refresh(doc integer)": "RETURNS void LANGUAGE sql AS $$ "
    f"DELETE FROM document_participants WHERE document_id = doc AND user_id NOT IN ({_people('doc')}); "
    "INSERT INTO document_participants (user_id, document_id) "
    f"SELECT p.user_id, doc FROM ({_people('doc')}) p ON CONFLICT DO NOTHING $$",
    "cases_participants()": "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN "
    "  IF NEW.document_id IS NOT NULL THEN INSERT INTO document_participants (user_id, document_id) "
    "  VALUES (NEW.initiator_id, NEW.document_id) ON CONFLICT DO NOTHING; END IF; "
    "ELSE PERFORM document_participants_refresh(OLD.document_id); "
    "  IF TG_OP = 'UPDATE' THEN PERFORM document_participants_refresh(NEW.document_id); END IF; "
    "END IF; RETURN NULL; END $$",
    "case_followers_participants()": "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN INSERT INTO document_participants (user_id, document_id) "
    "  SELECT NEW.user_id, document_id FROM cases WHERE id = NEW.case_id AND document_id IS NOT NULL "
    "  ON CONFLICT DO NOTHING; "
    "ELSE PERFORM document_participants_refresh(" + _doc_of_case("OLD.case_id") + "); "
    "  IF TG_OP = 'UPDATE' THEN PERFORM document_participants_refresh(" + _doc_of_case("NEW.case_id") + "); "
    "  END IF; "
    "END IF; RETURN NULL; END $$",
    "task_candidates_participants()": "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "IF TG_OP = 'INSERT' THEN INSERT INTO document_participants (user_id, document_id) "
    "  SELECT NEW.user_id, c.document_id FROM human_tasks t JOIN cases c ON c.id = t.case_id "
    "  WHERE t.id = NEW.task_id AND c.document_id IS NOT NULL ON CONFLICT DO NOTHING; "
    "ELSE PERFORM document_participants_refresh(" + _doc_of_task("OLD.task_id") + "); "
    "  IF TG_OP = 'UPDATE' THEN PERFORM document_participants_refresh(" + _doc_of_task("NEW.task_id") + "); "
    "  END IF; "
    "END IF; RETURN NULL; END $$",
    "human_tasks_participants()": "RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
    "PERFORM document_participants_refresh(" + _doc_of_case("OLD.case_id") + "); "
    "IF TG_OP = 'UPDATE' THEN PERFORM document_participants_refresh(" + _doc_of_case("NEW.case_id") + "); "
    "END IF; RETURN NULL; END $$",
}

POSTGRESQL_TRIGGERS = {
    "cases_participants": "AFTER INSERT OR DELETE OR UPDATE OF document_id, initiator_id ON cases",
    "case_followers_participants": "AFTER INSERT OR DELETE OR UPDATE ON case_followers",
    # Not on task_open, which changes with every task closed (0008).
    "task_candidates_participants": "AFTER INSERT OR DELETE OR UPDATE OF task_id, user_id ON task_candidates",
    "human_tasks_participants": "AFTER DELETE OR UPDATE OF case_id ON human_tasks",
}


def upgrade() -> None:
    op.create_table(
        'document_participants',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.id'],
                                name=op.f('fk_document_participants_document_id_documents')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_document_participants_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'document_id', name=op.f('pk_document_participants')),
        sqlite_with_rowid=False,
    )
    # The recomputation of one document's pairs, and the foreign key's checks.
    op.create_index('ix_document_participants_document', 'document_participants', ['document_id', 'user_id'])
    op.execute(FILL)
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name, body in SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")
    elif dialect == 'postgresql':
        for signature, body in POSTGRESQL_FUNCTIONS.items():
            op.execute(f"CREATE FUNCTION {signature} {body}")
        for name, event in POSTGRESQL_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {event} FOR EACH ROW EXECUTE FUNCTION {name}()")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == 'sqlite':
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
    elif dialect == 'postgresql':
        for name, event in POSTGRESQL_TRIGGERS.items():
            table = event.rsplit(" ON ", 1)[1]
            op.execute(f"DROP TRIGGER {name} ON {table}")
        for signature in reversed(list(POSTGRESQL_FUNCTIONS)):
            op.execute(f"DROP FUNCTION {signature.split('(')[0]}")
    op.drop_index('ix_document_participants_document', table_name='document_participants')
    op.drop_table('document_participants')

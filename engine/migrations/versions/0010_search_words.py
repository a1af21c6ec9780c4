"""search text as words

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-21 15:00:00

``documents.search_text`` keeps only the folded words, between single spaces and with one at
each end (engine.textfold.search_words): the words both full-text indexes already saw, so
that a search over the few documents someone may see can test a term with ``instr`` instead
of intersecting them with every match of the index (engine/search.py).
"""

import re

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

_WORD = re.compile(r"[0-9a-z]+")
_BATCH = 10_000


def _words(text: str | None) -> str:
    found = _WORD.findall(text or "")
    return f" {' '.join(found)} " if found else ""


def upgrade() -> None:
    conn = op.get_bind()
    documents = sa.table("documents", sa.column("id", sa.Integer), sa.column("search_text", sa.Text))
    last = 0
    while True:
        rows = conn.execute(sa.select(documents.c.id, documents.c.search_text).where(documents.c.id > last)
                            .order_by(documents.c.id).limit(_BATCH)).all()
        if not rows:
            break
        changed = [{"key": i, "text": _words(t)} for i, t in rows if _words(t) != (t or "")]
        if changed:
            conn.execute(documents.update().where(documents.c.id == sa.bindparam("key"))
                         .values(search_text=sa.bindparam("text")), changed)
        last = rows[-1][0]
    if conn.dialect.name == "sqlite":
        # Each row rewritten went through the index's delete-and-insert trigger: merge the
        # segments that left, or every search reads all of them (1M documents: 4 s).
        op.execute("INSERT INTO documents_fts (documents_fts) VALUES ('optimize')")


def downgrade() -> None:
    # The words are still folded text: the search of 0008 reads them as it read the full text.
    pass

"""Keeping the texts of main PDFs: which documents wait for theirs, and reading them outside any
transaction (a PDF takes up to the budget of engine/documents/pdf_helper.py), then storing them in one short one.

An upload's text is read before its transaction and kept in it (engine.documents.uploads); the
worker reads every other new main file's (a signed version, a received document, the demo data)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, object_session

from engine.core.db import Database
from engine.documents.storage import FileStore
from engine.models import Document, DocumentFile, Secrecy

from . import extract
from .model import DocumentText

BATCH = 20  # documents read per worker pass


def stored_text(doc: Document) -> str:
    """The text kept for ``doc``'s main file, "" if none (yet)."""
    session = object_session(doc)
    if session is None or doc.id is None:
        return ""
    row = session.get(DocumentText, doc.id)
    return row.text if row is not None else ""


def pending(session: Session, limit: int, document_ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(document id, sha256 of its main file) of documents whose main file has not been read."""
    statement = (
        select(Document.id, DocumentFile.sha256)
        .join(DocumentFile, and_(DocumentFile.document_id == Document.id, DocumentFile.role == "main"))
        .outerjoin(DocumentText, DocumentText.document_id == Document.id)
        .where(Document.secrecy == Secrecy.NONE,
               or_(DocumentText.document_id.is_(None), DocumentText.sha256 != DocumentFile.sha256))
        .order_by(Document.id.desc()).limit(limit)
    )
    if document_ids is not None:
        statement = statement.where(Document.id.in_(document_ids))
    return [(doc_id, sha) for doc_id, sha in session.execute(statement)]


def index(db: Database, store: FileStore, now: datetime, limit: int = BATCH,
          document_ids: list[int] | None = None) -> int:
    """Read the texts of up to ``limit`` waiting documents (only ``document_ids`` if given) and
    add their words to the search index; returns how many were stored."""
    with db.read() as session:
        waiting = pending(session, limit, document_ids)
    texts: dict[str, extract.Extracted] = {}
    for _, sha in waiting:
        if sha not in texts:  # one file shared by several documents (received, copied) is read once
            path = store.path(sha)
            texts[sha] = extract.extract(path) if path.is_file() else extract.Extracted("", "failed")
    stored = 0
    with db.write() as session:
        for doc_id, sha in waiting:
            doc = session.get(Document, doc_id)
            main = next((f for f in doc.files if f.role == "main"), None) if doc is not None else None
            if doc is None or main is None or main.sha256 != sha:
                continue  # replaced meanwhile: the next pass reads the new file
            keep(session, doc, sha, texts[sha], now)
            stored += 1
    return stored


def keep(session: Session, doc: Document, sha: str, found: extract.Extracted, now: datetime) -> None:
    """Store ``found``, the text of ``doc``'s main file ``sha``, and add its words to the index."""
    from engine.documents.documents import refresh_search_text  # documents reads stored_text from here

    row = session.get(DocumentText, doc.id) or DocumentText(document_id=doc.id)
    row.sha256, row.text, row.outcome, row.extracted_at = sha, found.text, found.outcome, now
    session.add(row)
    session.flush()
    refresh_search_text(doc)


def texts_of(session: Session, document_ids: list[int]) -> dict[int, str]:
    if not document_ids:
        return {}
    rows = session.execute(select(DocumentText.document_id, DocumentText.text)
                           .where(DocumentText.document_id.in_(document_ids)))
    return {doc_id: text for doc_id, text in rows}

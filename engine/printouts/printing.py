"""What may be printed, asked of engine.org.permissions: a document's printout (bản in) by
whoever may see the document, from its main file."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, NotFound
from engine.documents import doctypes
from engine.documents.storage import FileStore
from engine.models import Document, User
from engine.org import permissions


@dataclass(frozen=True)
class DocumentToPrint:
    document_id: int
    agency_id: int  # the owner of the electronic document the paper is printed from
    title: str
    path: Path
    filename: str


def document(session: Session, store: FileStore, user: User, document_id: int, now: datetime) -> DocumentToPrint:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    main = next((f for f in doc.files if f.role == "main"), None)
    if main is None:
        raise InvalidData("Văn bản chưa có tệp chính để in.", {"file": "Chưa có tệp chính."})
    kind = doctypes.DOC_TYPES.get(doc.doc_type, doc.doc_type)
    title = f"{kind} {doc.number_symbol or 'chưa cấp số'}: {doc.subject}"
    return DocumentToPrint(doc.id, doc.agency_id, title, store.path(main.sha256), f"ban-in-van-ban-{doc.id}.pdf")

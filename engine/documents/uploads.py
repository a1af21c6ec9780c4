"""A PDF attached to a document in two halves (issue 19): :func:`receive` checks it, counts its
pages and reads a main file's text for search, all in one budgeted child (qpdf and poppler as
libraries, engine/documents/pdf_reader.py), and stores it, with no transaction open;
:func:`attach` records it, with that text, in the request's short write transaction. qpdf (twice)
and pdftotext used to run as programs inside the upload's write transaction, and the text was
stored in a second one after it.

The refusals that say nothing about the file (:func:`check_attachable`: a secret document keeps
no file, a frozen one takes none, a signed main file is replaced only once returned) come first,
so that no file is stored for a document that cannot take it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import IO

from sqlalchemy.orm import Session

from engine.core.errors import Conflict, InvalidData
from engine.documents import file_versions, pdf_check
from engine.documents.documents import FROZEN
from engine.documents.storage import FileStore
from engine.fulltext import extract
from engine.fulltext import index as fulltext_index
from engine.models import Document, DocumentFile, DocumentStatus, Secrecy, User


@dataclass(frozen=True)
class Received:
    stored: pdf_check.Stored
    text: extract.Extracted | None  # a main file's, for search


def receive(store: FileStore, filename: str, stream: IO[bytes], max_bytes: int, with_text: bool) -> Received:
    """Check and store the upload, and read its text when ``with_text`` (outside any transaction)."""
    stored = pdf_check.store_upload(store, filename, stream, max_bytes, extract.MAX_PAGES if with_text else 0)
    return Received(stored, extract.tidy(stored.text) if with_text else None)


def check_attachable(session: Session, doc: Document, role: str) -> None:
    if doc.secrecy != Secrecy.NONE:
        raise InvalidData("Văn bản mật không được lưu tệp trên hệ thống (chỉ quản lý thông tin).",
                          {"file": "Không được tải tệp cho văn bản mật."})
    if role not in ("main", "appendix"):
        raise InvalidData("Vai trò tệp không hợp lệ.", {"role": "Chọn main hoặc appendix."})
    if doc.status in FROZEN or (doc.status == DocumentStatus.ISSUED and not doc.backfilled):
        raise Conflict("Văn bản đã phát hành, đã thu hồi, bị thay thế hoặc từ chối tiếp nhận, không thêm tệp được.")
    if role == "main":
        signed = file_versions.draft_signed(session, doc.id)
        if signed is not None and any(f.role == "main" and f.sha256 == signed.sha256 for f in doc.files):
            raise Conflict("Lãnh đạo đã ký số văn bản này: chỉ thay được tệp chính khi văn bản được trả lại để soạn "
                           "lại (chữ ký số sẽ bị hủy).")


def attach(session: Session, user: User, doc: Document, received: Received, role: str, now: datetime,
           reason: file_versions.Reason = file_versions.Reason.UPLOAD) -> DocumentFile:
    """Record the received file (checked again: the document may have moved since)."""
    check_attachable(session, doc, role)
    stored = received.stored
    if role == "main":
        doc.files = [f for f in doc.files if f.role != "main"]
        file_versions.record(session, doc.id, stored.sha256, reason, user.id, now)
    record = DocumentFile(role=role, filename=stored.filename, sha256=stored.sha256, size=stored.size,
                          content_type="application/pdf", uploaded_by=user.id, uploaded_at=now,
                          page_count=stored.pages)
    doc.files.append(record)
    doc.updated_at = now
    session.flush()
    if role == "main" and received.text is not None:
        fulltext_index.keep(session, doc, stored.sha256, received.text, now)
    return record

"""The clerk's desk and document access: entering documents in the registers, files,
and reading documents, each with its permission check (engine.permissions)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import IO, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from . import audit, documents, file_versions, permissions, worktree
from .clock import VIETNAM
from .errors import Forbidden, InvalidData, NotFound
from .models import Agency, Case, Direction, Document, DocumentFile, FileVersion, Secrecy, Unit, User, UserPosition
from .storage import FileStore


def _clerk_agency(session: Session, user: User, agency_code: str | None) -> int:
    query = (
        select(Agency.id, Agency.code).join(Unit, Unit.agency_id == Agency.id)
        .join(UserPosition, UserPosition.unit_id == Unit.id)
        .where(UserPosition.user_id == user.id, UserPosition.position == "clerk")
    )
    agencies = dict(session.execute(query).all())
    if agency_code is not None:
        agencies = {i: c for i, c in agencies.items() if c == agency_code}
    if not agencies:
        raise Forbidden("Chỉ văn thư mới vào sổ văn bản được.")
    return next(iter(agencies))


def enter(session: Session, user: User, given: dict[str, Any], now: datetime) -> tuple[Document, list[int]]:
    """Vào sổ: an incoming document (registered now or left for after the leader's
    direction), or a secret entry of either direction, which is only ever metadata."""
    direction = given.get("direction")
    if direction not in ("incoming", "outgoing"):
        raise InvalidData("Hướng văn bản không hợp lệ.", {"direction": "Chọn incoming hoặc outgoing."})
    agency_id = _clerk_agency(session, user, given.get("agency"))
    doc = documents.create(session, user, agency_id, Direction(direction), given.get("data", {}), now)
    secret = doc.secrecy != Secrecy.NONE
    backfilled = given.get("backfilled") is True
    if direction == "outgoing" and not (secret or backfilled):
        raise InvalidData("Văn bản đi được soạn qua quy trình văn bản đi, không vào sổ trực tiếp.",
                          {"direction": "Chỉ văn bản đi mật hoặc văn bản nhập bù sau sự cố được vào sổ trực tiếp."})
    if backfilled:
        _check_backfill(doc, direction, now)
    warnings: list[int] = []
    if direction == "incoming" and (secret or backfilled or given.get("register", True)):
        warnings = documents.register_incoming(session, doc, now)
    elif direction == "outgoing":
        documents.issue(session, doc, now, on=doc.document_date if backfilled else None)
    audit.append(session, at=now, action="document_entered", actor_id=user.id,
                 payload={"document": doc.id, "direction": direction, "number": doc.number, "book": doc.book_id,
                          "secret": secret, "backfilled": backfilled, "duplicates": warnings})
    return doc, warnings


def _check_backfill(doc: Document, direction: str, now: datetime) -> None:
    """Nhập bù sau sự cố: work went on on paper; the entry keeps its real date."""
    real = doc.arrival_date if direction == "incoming" else doc.document_date
    field = "arrival_date" if direction == "incoming" else "document_date"
    if real is None:
        raise InvalidData("Văn bản nhập bù cần ngày thực tế.", {field: "Bắt buộc khi nhập bù."})
    if real > now.astimezone(VIETNAM).date():
        raise InvalidData("Ngày thực tế không được sau hôm nay.", {field: "Ngày ở tương lai."})
    doc.backfilled = True


def recall(session: Session, user: User, document_id: int, reason: Any, now: datetime) -> Document:
    """Thu hồi: only the issuing agency's clerk or leaders recall a document."""
    doc = _document(session, document_id)
    if not permissions.positions_in(session, user, doc.agency_id) & permissions.SECRET_READERS:
        raise Forbidden("Chỉ văn thư hoặc lãnh đạo cơ quan ban hành được thu hồi văn bản.")
    received = documents.recall(session, doc, reason if isinstance(reason, str) else "", now)
    audit.append(session, at=now, action="document_recalled", actor_id=user.id,
                 payload={"document": doc.id, "number_symbol": doc.number_symbol, "reason": reason,
                          "recipients": [r.name for r in doc.recipients], "received": [r.id for r in received]})
    return doc


def _document(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    return doc


def get(session: Session, user: User, document_id: int, now: datetime) -> dict[str, Any]:
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    return documents.view(doc)


def work_tree(session: Session, user: User, document_id: int, now: datetime) -> list[dict[str, Any]]:
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    return worktree.tree(session, doc.id)


def file_versions_of(session: Session, user: User, document_id: int, now: datetime) -> list[dict[str, Any]]:
    """The chain of the document's main file: each version's hash, who made it, when and why."""
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    names = dict(session.execute(select(User.id, User.full_name).where(
        User.id.in_(select(FileVersion.user_id).where(FileVersion.document_id == doc.id)))).all())
    return [{"seq": v.seq, "sha256": v.sha256, "reason": v.reason, "by": names.get(v.user_id),
             "certificate_id": v.certificate_id, "at": v.created_at.isoformat()}
            for v in file_versions.chain(session, doc.id)]


def upload(
    session: Session, store: FileStore, user: User, document_id: int, filename: str, stream: IO[bytes] | None,
    role: str, max_bytes: int, now: datetime,
) -> DocumentFile:
    """Attach a file sent with the request (None or without a name: none was chosen). Who may
    edit the document is checked first, so a refusal says nothing about the file."""
    doc = _document(session, document_id)
    permissions.ensure_can_edit_document(session, user, doc, now.astimezone(VIETNAM).date())
    if stream is None or not filename:
        raise InvalidData("Chưa chọn tệp.", {"file": "Bắt buộc."})
    record = documents.attach_file(session, store, user, doc, filename, stream, role, max_bytes, now)
    case_id = session.scalar(select(Case.id).where(Case.document_id == doc.id).order_by(Case.id.desc()).limit(1))
    audit.append(session, at=now, action="file_attached", actor_id=user.id, case_id=case_id,
                 payload={"document": doc.id, "role": role, "filename": record.filename, "sha256": record.sha256,
                          "size": record.size})
    return record


def download(session: Session, store: FileStore, user: User, document_id: int, file_id: int,
             now: datetime) -> tuple[Path, str]:
    doc = _document(session, document_id)
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    record = next((f for f in doc.files if f.id == file_id), None)
    if record is None:
        raise NotFound("Không tìm thấy tệp.")
    return store.path(record.sha256), record.filename

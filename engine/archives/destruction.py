"""Tiêu hủy tài liệu hết giá trị (Luật Lưu trữ 2024 Art. 16; Decree 113/2025 Art. 20, as
docs/archives.md cites): a register keeper lists closed records whose retention period is over,
the office chief reviews the list (the appraisal council's view), the head of the agency approves
it, and a register keeper carries it out — the records' files are deleted from the file store,
with the backups holding copies noted, and the minutes (biên bản hủy, a PDF) are made. The list,
its entries (each record's catalogue data and the digests of the files deleted), the minutes and
the records' and documents' metadata stay; every step is one transaction and one audit entry."""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.archives import minutes, retention
from engine.audit import chain as audit
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound, Text
from engine.documents.storage import FileStore
from engine.models import (
    DestructionEntry,
    DestructionList,
    DestructionStatus,
    Document,
    DocumentFile,
    FileVersion,
    Record,
    RecordDocument,
    User,
)
from engine.office import records
from engine.org import permissions
from engine.reporting import pdftable
from engine.reporting.exports import Export

REVIEWERS = frozenset({"office_chief", "deputy_office_chief"})
HEADS = frozenset({"director"})  # người đứng đầu cơ quan
MINUTES_BYTES = 50 * 1024 * 1024


def _note(value: Any, field: str, required: bool) -> str | None:
    if value is None and not required:
        return None
    if not isinstance(value, str) or not 3 <= len(value.strip()) <= 1000:
        raise InvalidData("Thông tin chưa hợp lệ.", {field: "Từ 3 đến 1000 ký tự."})
    return value.strip()


def _list(session: Session, user: User, list_id: int, roles: frozenset[str] | None = None) -> DestructionList:
    found = session.get(DestructionList, list_id)
    positions = permissions.positions_in(session, user, found.agency_id) if found else set()
    if found is None or not positions & (permissions.REGISTER_KEEPERS | {"auditor"}):
        raise NotFound("Không tìm thấy danh mục tài liệu hết giá trị.")
    if roles is not None and not positions & roles:
        raise Forbidden("Bạn không có quyền thực hiện bước này của danh mục hủy.")
    return found


def _expect(found: DestructionList, status: DestructionStatus) -> None:
    if found.status != status:
        raise Conflict("Danh mục không ở bước này (đã được xử lý hoặc bị từ chối).")


def _documents_of(session: Session, record_ids: Iterable[int]) -> set[int]:
    return set(session.scalars(select(RecordDocument.document_id).where(RecordDocument.record_id.in_(record_ids))))


def propose(session: Session, user: User, given: dict[str, Any], now: datetime) -> DestructionList:
    """List records whose retention period is over. A record sharing a document with a record
    not on the list is refused: its files are still needed (Art. 16: no link to kept material)."""
    record_ids, reason = given.get("record_ids"), _note(given.get("reason"), "reason", True)
    if not isinstance(record_ids, list) or not record_ids or not all(isinstance(i, int) for i in record_ids):
        raise InvalidData("Chọn ít nhất một hồ sơ.", {"record_ids": "Danh sách mã hồ sơ."})
    chosen = [session.get(Record, i) for i in dict.fromkeys(record_ids)]
    agency_ids = {r.agency_id for r in chosen if r is not None}
    if None in chosen or len(agency_ids) != 1:
        raise InvalidData("Có hồ sơ không tồn tại hoặc không cùng cơ quan.", {"record_ids": "Hồ sơ không hợp lệ."})
    agency_id = agency_ids.pop()
    retention.ensure_archivist(session, user, agency_id)
    expired = {row["id"] for row in retention.due(session, agency_id, now)["expired"]}
    late = [records.code(session, r) for r in chosen if r is not None and r.id not in expired]
    if late:
        raise InvalidData(Text("Hồ sơ chưa hết thời hạn bảo quản hoặc đã có trong danh mục khác: %(codes)s",
                               codes=", ".join(late)), {"record_ids": "Chỉ chọn hồ sơ đã hết thời hạn bảo quản."})
    ids = {r.id for r in chosen if r is not None}
    shared = session.scalars(select(RecordDocument.record_id).where(
        RecordDocument.document_id.in_(_documents_of(session, ids)), RecordDocument.record_id.not_in(ids))).first()
    if shared is not None:
        other = session.get(Record, shared)
        assert other is not None
        raise InvalidData(Text("Hồ sơ có văn bản còn thuộc hồ sơ %(code)s chưa hết hạn.",
                               code=records.code(session, other)), {"record_ids": "Văn bản còn thuộc hồ sơ khác."})
    found = DestructionList(agency_id=agency_id, status=DestructionStatus.PROPOSED, proposed_by=user.id,
                            proposed_at=now, reason=reason)
    session.add(found)
    session.flush()
    for record in chosen:
        assert record is not None
        period = retention.period(record)
        assert period.end_year is not None
        session.add(DestructionEntry(list_id=found.id, record_id=record.id, code=records.code(session, record),
                                     title=record.title, retention=record.retention, end_year=period.end_year,
                                     documents=len(_documents_of(session, [record.id]))))
    session.flush()
    audit.append(session, at=now, action="destruction_proposed", actor_id=user.id,
                 payload={"list": found.id, "records": sorted(ids), "reason": reason})
    return found


def review(session: Session, user: User, list_id: int, given: dict[str, Any], now: datetime) -> DestructionList:
    """The office chief's review: agreed, it goes to the head; refused, the list ends there."""
    found = _list(session, user, list_id, REVIEWERS)
    _expect(found, DestructionStatus.PROPOSED)
    agree, note = given.get("agree"), _note(given.get("note"), "note", given.get("agree") is False)
    if not isinstance(agree, bool):
        raise InvalidData("Cần chọn đồng ý hoặc không.", {"agree": "Cần true hoặc false."})
    found.status = DestructionStatus.REVIEWED if agree else DestructionStatus.REJECTED
    found.reviewed_by, found.reviewed_at, found.review_note = user.id, now, note
    audit.append(session, at=now, action="destruction_reviewed", actor_id=user.id,
                 payload={"list": found.id, "agree": agree, "note": note})
    return found


def approve(session: Session, user: User, list_id: int, given: dict[str, Any], now: datetime) -> DestructionList:
    """The head of the agency decides (Art. 16 §2)."""
    found = _list(session, user, list_id, HEADS)
    _expect(found, DestructionStatus.REVIEWED)
    agree = given.get("agree")
    if not isinstance(agree, bool):
        raise InvalidData("Cần chọn đồng ý hoặc không.", {"agree": "Cần true hoặc false."})
    found.status = DestructionStatus.APPROVED if agree else DestructionStatus.REJECTED
    found.approved_by, found.approved_at = user.id, now
    audit.append(session, at=now, action="destruction_approved", actor_id=user.id,
                 payload={"list": found.id, "agree": agree})
    return found


def _digests(session: Session, doc_ids: set[int], listed: set[int]) -> set[str]:
    """The digests of ``doc_ids``' files and file versions to delete: all but those also held by a
    document outside the whole list (``listed``): the store keeps one copy per content."""
    ours = set(session.scalars(select(DocumentFile.sha256).where(DocumentFile.document_id.in_(doc_ids)))) | set(
        session.scalars(select(FileVersion.sha256).where(FileVersion.document_id.in_(doc_ids))))
    kept = set(session.scalars(select(DocumentFile.sha256).where(
        DocumentFile.sha256.in_(ours), DocumentFile.document_id.not_in(listed)))) | set(session.scalars(
            select(FileVersion.sha256).where(FileVersion.sha256.in_(ours), FileVersion.document_id.not_in(listed))))
    return ours - kept


def carry_out(session: Session, store: FileStore, user: User, list_id: int, given: dict[str, Any],
              fonts: pdftable.Fonts, now: datetime) -> DestructionList:
    """Delete the listed records' files, note the backups that hold copies, make the minutes.
    The minutes are stored before any file goes; a failure after some deletions leaves the list
    approved, and carrying it out again finishes the work (deleting is idempotent)."""
    found = _list(session, user, list_id, permissions.REGISTER_KEEPERS)
    _expect(found, DestructionStatus.APPROVED)
    backups = _note(given.get("backups_note"), "backups_note", True)
    entries = list(session.scalars(select(DestructionEntry).where(DestructionEntry.list_id == found.id)))
    found.destroyed_by, found.destroyed_at, found.backups_note = user.id, now, backups
    listed = _documents_of(session, [e.record_id for e in entries])
    for entry in entries:
        doomed = _digests(session, _documents_of(session, [entry.record_id]), listed)
        entry.files_deleted, entry.file_digests = len(doomed), "\n".join(sorted(doomed))
    for doc in session.scalars(select(Document).where(Document.id.in_(listed))):
        doc.files.clear()  # the document's metadata stays; its files are gone
    deleted_total = len({sha for e in entries for sha in (e.file_digests or "").split()})
    pdf = minutes.render(session, found, entries, fonts, now)
    found.minutes_sha256, _ = store.put(io.BytesIO(pdf), MINUTES_BYTES, lambda head: None)
    for entry in entries:
        for sha in (entry.file_digests or "").split():
            store.path(sha).unlink(missing_ok=True)
    found.status = DestructionStatus.DESTROYED
    audit.append(session, at=now, action="destruction_carried_out", actor_id=user.id,
                 payload={"list": found.id, "files_deleted": deleted_total, "backups_note": backups,
                          "minutes": found.minutes_sha256})
    return found


def view(session: Session, found: DestructionList) -> dict[str, Any]:
    def who(user_id: int | None) -> str | None:
        return session.scalar(select(User.full_name).where(User.id == user_id)) if user_id else None

    entries = session.scalars(select(DestructionEntry).where(DestructionEntry.list_id == found.id)
                              .order_by(DestructionEntry.code))
    return {"id": found.id, "status": found.status.value, "reason": found.reason,
            "proposed_by": who(found.proposed_by), "proposed_at": found.proposed_at.isoformat(),
            "reviewed_by": who(found.reviewed_by), "review_note": found.review_note,
            "approved_by": who(found.approved_by), "destroyed_by": who(found.destroyed_by),
            "destroyed_at": found.destroyed_at.isoformat() if found.destroyed_at else None,
            "backups_note": found.backups_note, "has_minutes": found.minutes_sha256 is not None,
            "entries": [{"record_id": e.record_id, "code": e.code, "title": e.title, "retention": e.retention,
                         "end_year": e.end_year, "documents": e.documents, "files_deleted": e.files_deleted}
                        for e in entries]}


def get(session: Session, user: User, list_id: int) -> dict[str, Any]:
    return view(session, _list(session, user, list_id))


def listing(session: Session, user: User) -> list[dict[str, Any]]:
    """My agency's destruction lists, newest first (register keepers and auditors)."""
    agency_id = records.agency_of(session, user).id
    if not permissions.positions_in(session, user, agency_id) & (permissions.REGISTER_KEEPERS | {"auditor"}):
        raise Forbidden("Bạn không xem được danh mục tài liệu hết giá trị của cơ quan này.")
    found = session.scalars(select(DestructionList).where(DestructionList.agency_id == agency_id)
                            .order_by(DestructionList.id.desc()))
    return [view(session, f) for f in found]


def minutes_pdf(session: Session, store: FileStore, user: User, list_id: int, now: datetime) -> Export:
    found = _list(session, user, list_id)
    if found.minutes_sha256 is None:
        raise NotFound("Danh mục chưa được thực hiện: chưa có biên bản.")
    audit.append(session, at=now, action="destruction_minutes_read", actor_id=user.id, payload={"list": found.id})
    return Export(store.path(found.minutes_sha256).read_bytes(), f"bien-ban-huy-{found.id}.pdf", "application/pdf")

"""What goes into a record's hand-over package, read in one short transaction: the record's
catalogue data and, per document in date order, its register data, signature status and files.
The package itself is made from this snapshot outside any transaction (engine/archives/handover.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.archives import retention
from engine.core.errors import InvalidData, NotFound
from engine.documents import doctypes
from engine.models import Agency, Document, Record, SignatureStatus, User
from engine.office import records


@dataclass(frozen=True)
class StoredFile:
    sha256: str
    filename: str
    role: str  # main, appendix
    size: int
    content_type: str


@dataclass(frozen=True)
class Item:
    ordinal: int
    document_id: int
    number_symbol: str
    subject: str
    type_name: str
    issuer: str
    dated: date
    pages: int | None
    signature_status: str  # none, valid, invalid, paper
    signers: tuple[str, ...]
    verified_sha256: str | None
    files: tuple[StoredFile, ...]


@dataclass(frozen=True)
class Snapshot:
    record_id: int
    code: str  # OBJID: {agency identifier}.{year}.{notation}
    title: str
    agency_name: str
    agency_code: str
    retention: str
    retention_until: date | None
    access: str
    description: str | None
    creator: str
    start: date | None
    end: date | None
    taken_at: datetime
    items: tuple[Item, ...] = field(default_factory=tuple)


def _signers(doc: Document) -> tuple[str, ...]:
    reports: list[dict[str, Any]] = json.loads(doc.signatures_json or "[]")
    return tuple(str(r.get("signer") or r.get("subject") or r.get("name") or "") for r in reports)


def take(session: Session, user: User, record_id: int, now: datetime) -> Snapshot:
    record = session.get(Record, record_id)
    if record is None or record.personal:
        raise NotFound("Không tìm thấy hồ sơ.")
    retention.ensure_archivist(session, user, record.agency_id)
    if record.closed_on is None:
        raise InvalidData("Hồ sơ chưa kết thúc: chỉ nộp lưu hồ sơ đã kết thúc.",
                          {"record": "Đặt ngày kết thúc hồ sơ trước."})
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    # Every document of the record, whatever the asker may read: the archive receives the whole record.
    docs = records.documents_in(session, record, Document.id.is_not(None))
    items = []
    for i, doc in enumerate(docs, start=1):
        dated = doc.document_date or doc.arrival_date or doc.created_at.date()
        items.append(Item(
            ordinal=i, document_id=doc.id, number_symbol=doc.number_symbol or "", subject=doc.subject,
            type_name=doctypes.DOC_TYPES.get(doc.doc_type, doc.doc_type), issuer=doc.issuer_name or agency.name,
            dated=dated, pages=records.page_count(doc), signature_status=SignatureStatus(doc.signature_status).value,
            signers=_signers(doc), verified_sha256=doc.verified_sha256,
            files=tuple(StoredFile(f.sha256, f.filename, f.role, f.size, f.content_type) for f in doc.files)))
    if not items:
        raise InvalidData("Hồ sơ chưa có văn bản nào.", {"record": "Hồ sơ rỗng."})
    dates = [i.dated for i in items]
    return Snapshot(
        record_id=record.id, code=records.code(session, record), title=record.title, agency_name=agency.name,
        agency_code=agency.identifier_code, retention=record.retention,
        retention_until=retention.period(record).until, access=record.access, description=record.description,
        creator=session.scalar(select(User.full_name).where(User.id == record.owner_id)) or "",
        start=min(dates), end=record.closed_on, taken_at=now, items=tuple(items))


@dataclass(frozen=True)
class PackageFile:
    """A file placed in the package: ``href`` relative to the package root."""

    href: str
    sha256: str
    size: int
    mime: str
    ordinal: int  # the document's
    original_name: str
    representation: str  # rep1: the originals unchanged; rep2: their PDF/A copies
    format_name: str
    format_version: str | None
    pronom: str | None
    derived_from: str | None = None  # rep2: the original's href

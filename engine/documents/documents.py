"""Documents: drafts, registration of incoming ones, issuance of outgoing ones, files.

Numbers are taken here and only here (through ``registers``): at issuance for an
outgoing document, at registration for an incoming one, never at draft time.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import Conflict, InvalidData, Text
from engine.documents import doctypes, file_versions, textfold
from engine.fulltext import index as fulltext_index
from engine.models import (
    Agency,
    Delivery,
    Direction,
    Document,
    DocumentFile,
    DocumentLink,
    DocumentStatus,
    LinkKind,
    Recipient,
    Secrecy,
    SignatureStatus,
    Unit,
    Urgency,
    User,
)
from engine.registry import registers
from engine.workflow import forms
from signing.pades import report
from signing.pdf import copies

_RECIPIENT = {
    "type": "object", "required": ["name", "delivery"], "additionalProperties": False,
    "properties": {
        "unit": {"type": "string", "title": "Mã đơn vị nội bộ"},
        "organ_id": {"type": "string", "title": "Mã định danh cơ quan", "pattern": r"^[0-9A-Z.]{13}$"},
        "name": {"type": "string", "title": "Tên nơi nhận", "minLength": 1, "maxLength": 200},
        "delivery": {"type": "string", "title": "Hình thức", "enum": [d.value for d in Delivery]},
    },
}

# Decree 30 Appendix VI fields a person enters; the rest is filled by the system.
METADATA_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["doc_type", "subject"],
    "properties": {
        "doc_type": {"type": "string", "title": "Loại văn bản", "enum": sorted(doctypes.DOC_TYPES)},
        "subject": {"type": "string", "title": "Trích yếu nội dung", "minLength": 5, "maxLength": 500},
        "urgency": {"type": "string", "title": "Độ khẩn", "enum": [u.value for u in Urgency]},
        "secrecy": {"type": "string", "title": "Độ mật", "enum": [s.value for s in Secrecy]},
        "number_symbol": {"type": "string", "title": "Số, ký hiệu", "maxLength": 64},
        "document_date": {"type": "string", "title": "Ngày văn bản", "format": "date"},
        "arrival_date": {"type": "string", "title": "Ngày đến", "format": "date"},
        "issuer_organ_id": {"type": "string", "title": "Mã định danh cơ quan ban hành",
                            "pattern": r"^[0-9A-Z.]{13}$"},
        "issuer_name": {"type": "string", "title": "Cơ quan ban hành", "maxLength": 200},
        "signer_authority": {"type": "string", "title": "Thẩm quyền ký",
                             "enum": ["", "TM.", "KT.", "TL.", "TUQ.", "Q."]},
        "signer_position": {"type": "string", "title": "Chức vụ người ký", "maxLength": 100},
        "signer_name": {"type": "string", "title": "Người ký", "maxLength": 50},
        "signature_mode": {"type": "string", "title": "Hình thức ký", "enum": [d.value for d in Delivery]},
        "due_date": {"type": "string", "title": "Hạn xử lý", "format": "date"},
        "page_amount": {"type": "integer", "title": "Số trang", "minimum": 1, "maximum": 999},
        "description": {"type": "string", "title": "Ghi chú", "maxLength": 500},
        "recipients": {"type": "array", "title": "Nơi nhận", "items": _RECIPIENT, "maxItems": 500},
    },
}
_DATES = ("document_date", "arrival_date", "due_date")
_PLAIN = ("doc_type", "subject", "number_symbol", "issuer_organ_id", "issuer_name", "signer_authority",
          "signer_position", "signer_name", "page_amount", "description")


_PARTIAL_METADATA_SCHEMA = {**METADATA_SCHEMA, "required": []}  # one object: forms caches its validator


def validate_metadata(data: Any, partial: bool = False) -> dict[str, Any]:
    return forms.validate(_PARTIAL_METADATA_SCHEMA if partial else METADATA_SCHEMA, data)


def _apply(session: Session, doc: Document, clean: dict[str, Any]) -> None:
    for key in _PLAIN:
        if key in clean:
            setattr(doc, key, clean[key] if clean[key] != "" else None)
    for key in _DATES:
        if key in clean:
            setattr(doc, key, date.fromisoformat(clean[key]))
    if "urgency" in clean:
        doc.urgency = Urgency(clean["urgency"])
    if "secrecy" in clean:
        doc.secrecy = Secrecy(clean["secrecy"])
    if "signature_mode" in clean:
        doc.signature_mode = Delivery(clean["signature_mode"])
    if "recipients" in clean:
        doc.recipients = [_recipient(session, doc.agency_id, r) for r in clean["recipients"]]
    refresh_search_text(doc)


def _recipient(session: Session, agency_id: int, data: dict[str, Any]) -> Recipient:
    unit_id = None
    if data.get("unit"):
        unit_id = session.scalar(select(Unit.id).where(Unit.agency_id == agency_id, Unit.code == data["unit"]))
        if unit_id is None:
            raise InvalidData("Nơi nhận không hợp lệ.",
                              {"recipients": Text("Không có đơn vị '%(unit)s'.", unit=data["unit"])})
    return Recipient(unit_id=unit_id, organ_id=data.get("organ_id"), name=data["name"],
                     delivery=Delivery(data["delivery"]))


def refresh_search_text(doc: Document) -> None:
    """The words search finds the document by: its metadata and the text of its main PDF
    (engine.fulltext, read after the upload)."""
    parts = [doc.subject, doc.number_symbol or "", doc.issuer_name or "", doctypes.DOC_TYPES.get(doc.doc_type, ""),
             fulltext_index.stored_text(doc)]
    doc.search_text = textfold.search_words(" ".join(p for p in parts if p))


def create(
    session: Session, user: User, agency_id: int, direction: Direction, data: Any, now: datetime,
    unit_id: int | None = None,
) -> Document:
    clean = validate_metadata(data)
    # A new document has no parts yet: its collections are known empty, so that a view of it in
    # this transaction (a case's start answers with it) reads none of them.
    doc = Document(
        agency_id=agency_id, direction=direction, status=DocumentStatus.DRAFT, doc_type=clean["doc_type"],
        subject=clean["subject"], created_by=user.id, created_at=now, updated_at=now, drafting_unit_id=unit_id,
        files=[], recipients=[], signature_evidence=[],
    )
    _apply(session, doc, clean)
    if direction == Direction.OUTGOING and "number_symbol" in clean:
        raise InvalidData("Số văn bản đi do hệ thống cấp khi phát hành.",
                          {"number_symbol": "Không được nhập số cho văn bản đi."})
    session.add(doc)
    session.flush()
    return doc


def update_draft(session: Session, doc: Document, data: Any, now: datetime) -> None:
    if doc.status != DocumentStatus.DRAFT:
        raise Conflict("Văn bản đã vào sổ hoặc đã phát hành, không sửa được nữa.")
    if data == {}:  # a step's form without metadata (engine.workflow.actions): its search words stand
        return
    clean = validate_metadata(data, partial=True)
    if doc.direction == Direction.OUTGOING:
        clean.pop("number_symbol", None)
    _apply(session, doc, clean)
    if session.is_modified(doc):  # a draft resubmitted unchanged keeps its time (and costs no UPDATE)
        doc.updated_at = now


def _local_today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


def _number(session: Session, doc: Document, book_code: str, symbol: str, on: date,
            expected: int | None = None) -> None:
    book = registers.book(session, doc.agency_id, book_code)
    doc.book_id, doc.year = book.id, on.year
    doc.number = registers.take_number(session, book.id, on.year, expected)
    doc.number_symbol = doctypes.number_symbol(doc.number, symbol)
    doc.document_date = on


def next_number(session: Session, doc: Document, now: datetime,
                claim: Callable[[tuple[int, int], int], int] | None = None) -> tuple[tuple[int, int], int, str, date]:
    """((book, year), number, số và ký hiệu, date) an outgoing draft's issue would give it now,
    nothing taken: what its agency's signature is made with before the transaction that takes it;
    ``claim`` (engine.registry.tickets) may move it past those other issues are signing with."""
    on = _local_today(now)
    code, symbol = outgoing_symbol(session, doc)
    book = (registers.book(session, doc.agency_id, code).id, on.year)
    number = registers.peek_number(session, *book)
    number = claim(book, number) if claim is not None else number
    return book, number, doctypes.number_symbol(number, symbol), on


def outgoing_symbol(session: Session, doc: Document) -> tuple[str, str]:
    """The book an outgoing document is numbered in, and its symbol (ký hiệu)."""
    agency = session.get(Agency, doc.agency_id)
    unit = session.get(Unit, doc.drafting_unit_id) if doc.drafting_unit_id else None
    assert agency is not None
    book = "outgoing_secret" if doc.secrecy != Secrecy.NONE else "outgoing"
    return book, doctypes.symbol(doc.doc_type, agency.abbreviation, unit.code if unit else "VT")


def issue(session: Session, doc: Document, now: datetime, on: date | None = None, expected: int | None = None) -> None:
    """Lấy số và phát hành: number the outgoing document in its book and mark it issued.

    A copy (bản sao) was numbered in the copies book when registered and keeps that
    number; ``on`` is the real date of a document entered after an outage; ``expected`` the
    number (from :func:`next_number`) its signed file already carries."""
    if doc.direction != Direction.OUTGOING or doc.status != DocumentStatus.DRAFT:
        raise Conflict("Chỉ văn bản đi chưa phát hành mới phát hành được.")
    # An entry made after an outage records a paper document; its scan may follow.
    if doc.secrecy == Secrecy.NONE and not doc.backfilled and not any(f.role == "main" for f in doc.files):
        raise InvalidData("Văn bản chưa có tệp chính (PDF), chưa phát hành được.", {"file": "Cần tệp chính."})
    if doc.copy_kind is not None:
        if doc.number is None:
            raise Conflict("Bản sao chưa vào sổ bản sao.")
    else:
        _number(session, doc, *outgoing_symbol(session, doc), on or _local_today(now), expected)
    doc.status, doc.updated_at, doc.issued_at = DocumentStatus.ISSUED, now, now
    if doc.signature_mode == Delivery.PAPER:
        # Ký tay: an agency that still signs on paper records the exception (compliance report).
        doc.signature_status = SignatureStatus.PAPER
    refresh_search_text(doc)


# A document in one of these states is kept as it stands: no file is added or replaced.
FROZEN = frozenset({DocumentStatus.RECALLED, DocumentStatus.CORRECTED, DocumentStatus.REPLACED,
                    DocumentStatus.REFUSED})


def _same_files(source: Document, user: User, now: datetime) -> list[DocumentFile]:
    """The source's files for another document: new records of the same stored content."""
    return [DocumentFile(role=f.role, filename=f.filename, sha256=f.sha256, size=f.size, content_type=f.content_type,
                         uploaded_by=user.id, uploaded_at=now, page_count=f.page_count) for f in source.files]


def create_copy(session: Session, user: User, source_id: Any, kind: Any, now: datetime, unit_id: int,
                pages: Any = None) -> Document:
    """Sao y / sao lục / trích sao: a new outgoing draft with the source's type, its files
    (stored once, by content) and a link to it; a trích sao names the ``pages`` it copies."""
    source = session.get(Document, source_id) if isinstance(source_id, int) else None
    unit = session.get(Unit, unit_id)
    assert unit is not None
    if kind not in doctypes.COPY_KINDS:
        raise InvalidData("Hình thức sao không hợp lệ.", {"copy_kind": "Chọn SY, TrS hoặc SL."})
    if kind == "TrS" and not (isinstance(pages, str) and copies.PAGES.match(pages)):
        raise InvalidData("Trích sao cần các trang được trích.", {"extract_pages": "Nhập các trang, ví dụ: 1-2,4."})
    if (source is None or source.agency_id != unit.agency_id or source.secrecy != Secrecy.NONE
            or source.status == DocumentStatus.DRAFT):
        raise InvalidData("Chỉ sao được văn bản đã vào sổ của cơ quan, không phải văn bản mật.",
                          {"source_document": "Văn bản nguồn không hợp lệ."})
    copy = Document(
        agency_id=source.agency_id, direction=Direction.OUTGOING, status=DocumentStatus.DRAFT,
        doc_type=source.doc_type, copy_kind=kind, copy_pages=pages if kind == "TrS" else None,
        created_by=user.id, created_at=now, updated_at=now,
        drafting_unit_id=unit_id,
        subject=f"{doctypes.COPY_KINDS[kind]} văn bản số {source.number_symbol}: {source.subject}"[:500],
        files=_same_files(source, user, now),
    )
    refresh_search_text(copy)
    session.add(copy)
    session.flush()
    session.add(DocumentLink(source_id=copy.id, target_id=source.id, kind=LinkKind.COPY_OF))
    for main in (f for f in copy.files if f.role == "main"):  # the version its leader will sign, as on a draft
        file_versions.record(session, copy.id, main.sha256, file_versions.Reason.UPLOAD, user.id, now)
    return copy


def receive(session: Session, source: Document, agency_id: int, user: User, now: datetime) -> Document:
    """Liên thông inside one installation: another agency's document arrives as an incoming
    entry of this agency, not yet registered, with the same files (stored once) and a link
    back, so a recall of the source reaches it."""
    if source.secrecy != Secrecy.NONE:
        raise InvalidData("Văn bản mật không được chuyển điện tử.", {"secrecy": "Không chuyển văn bản mật."})
    issuer = session.get(Agency, source.agency_id)
    assert issuer is not None
    own = source.direction == Direction.OUTGOING  # the sender's own document, or one it received
    doc = Document(
        agency_id=agency_id, direction=Direction.INCOMING, status=DocumentStatus.DRAFT, doc_type=source.doc_type,
        subject=source.subject, urgency=source.urgency, number_symbol=source.number_symbol,
        document_date=source.document_date, issuer_name=issuer.name if own else source.issuer_name,
        issuer_organ_id=issuer.identifier_code if own else source.issuer_organ_id,
        signer_authority=source.signer_authority, signer_position=source.signer_position,
        signer_name=source.signer_name, due_date=source.due_date, created_by=user.id, created_at=now, updated_at=now,
        files=_same_files(source, user, now),
    )
    refresh_search_text(doc)
    session.add(doc)
    session.flush()
    session.add(DocumentLink(source_id=doc.id, target_id=source.id, kind=LinkKind.RECEIVED_FROM))
    return doc


def register_copy(session: Session, doc: Document, now: datetime) -> None:
    """Vào sổ bản sao: copies have their own yearly series, e.g. ``03/SL-SYT``. A copy sent
    back after registration keeps its number."""
    if doc.copy_kind is None:
        raise Conflict("Văn bản này không phải bản sao.")
    if doc.number is not None:
        return
    agency = session.get(Agency, doc.agency_id)
    assert agency is not None
    _number(session, doc, "copies", f"{doc.copy_kind}-{agency.abbreviation.upper()}", _local_today(now))
    doc.updated_at = now
    refresh_search_text(doc)


def register_incoming(session: Session, doc: Document, now: datetime) -> None:
    """Vào sổ văn bản đến: give the next incoming number (after engine.registry.intake's checks)."""
    if doc.direction != Direction.INCOMING or doc.status != DocumentStatus.DRAFT:
        raise Conflict("Văn bản này đã vào sổ.")
    book = registers.book(session, doc.agency_id, "incoming_secret" if doc.secrecy != Secrecy.NONE else "incoming")
    arrival = doc.arrival_date or _local_today(now)
    doc.book_id, doc.year, doc.arrival_date = book.id, arrival.year, arrival
    doc.number = registers.take_number(session, book.id, arrival.year)
    doc.status, doc.updated_at = DocumentStatus.REGISTERED, now


def _linked(kind: str, other: Document) -> dict[str, Any]:
    # A secret document's summary is for its own readers only (ensure_can_view_document).
    subject = other.subject if other.secrecy == Secrecy.NONE else None
    return {"kind": kind, "document_id": other.id, "direction": other.direction.value, "status": other.status.value,
            "number_symbol": other.number_symbol, "subject": subject}


def _verification(doc: Document) -> list[dict[str, Any]]:
    """The kept reports of every signed file: the main file's on the document, an appendix's on it."""
    def kept(f: DocumentFile) -> list[dict[str, Any]]:
        stored = doc.signatures_json if f.role == "main" else f.signatures_json
        return json.loads(stored) if stored else []

    files = sorted(doc.files, key=lambda f: f.role != "main")  # the main file first, then the appendices in order
    return report.per_file([({"file_id": f.id, "role": f.role, "filename": f.filename}, kept(f)) for f in files])


def view(doc: Document, with_links: bool = True) -> dict[str, Any]:
    """The document as the API shows it; a case's view leaves out its links (each is a query)
    and GET /documents/<id> gives them."""
    def iso(d: date | None) -> str | None:
        return d.isoformat() if d else None

    return {
        "id": doc.id, "direction": doc.direction.value, "status": doc.status.value, "doc_type": doc.doc_type,
        "doc_type_name": doctypes.DOC_TYPES.get(doc.doc_type), "subject": doc.subject,
        "urgency": doc.urgency.value, "secrecy": doc.secrecy.value, "number": doc.number, "year": doc.year,
        "number_symbol": doc.number_symbol, "document_date": iso(doc.document_date),
        "arrival_date": iso(doc.arrival_date), "issuer_organ_id": doc.issuer_organ_id,
        "issuer_name": doc.issuer_name, "signer_authority": doc.signer_authority,
        "signer_position": doc.signer_position, "signer_name": doc.signer_name,
        "signature_mode": doc.signature_mode.value, "signature_status": doc.signature_status.value,
        "signatures": json.loads(doc.signatures_json) if doc.signatures_json else [],
        "verification": _verification(doc),
        "signing_warnings": [e.warning for e in doc.signature_evidence if e.warning],
        "issued_at": doc.issued_at.isoformat() if doc.issued_at else None, "due_date": iso(doc.due_date),
        "page_amount": doc.page_amount,
        "description": doc.description, "copy_kind": doc.copy_kind, "backfilled": doc.backfilled,
        "intake_note": doc.intake_note, "refusal_reason": doc.refusal_reason, "void_reason": doc.void_reason,
        "voided_at": doc.voided_at.isoformat() if doc.voided_at else None,
        "files": [{"id": f.id, "role": f.role, "filename": f.filename, "sha256": f.sha256, "size": f.size}
                  for f in doc.files],
        "recipients": [{"unit_id": r.unit_id, "organ_id": r.organ_id, "name": r.name, "delivery": r.delivery.value}
                       for r in doc.recipients],
        # links: this document replies to (copies, replaces) those; linked_from: those reply to this one.
        **({"links": [_linked(link.kind.value, link.target) for link in doc.links],
            "linked_from": [_linked(link.kind.value, link.source) for link in doc.linked_from]} if with_links else {}),
    }

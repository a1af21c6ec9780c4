"""Sổ đăng ký văn bản as the clerk reads it: an agency's register books, and a book's
entries for one year in number order, with the columns of the registers of Decree 30
Appendix IV. Only the agency's register keepers read them; a secret book, only those
who may read secret documents (engine.org.permissions)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, defer, selectinload

from engine import hooks
from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden, InvalidData, NotFound, Text
from engine.documents import doctypes, search
from engine.models import (
    Agency,
    Assignment,
    Direction,
    Document,
    DocumentStatus,
    RegisterBook,
    Unit,
    User,
    UserPosition,
)
from engine.org import permissions

# Appendix IV, I.2: the outgoing register (the "ký nhận" column is signed on paper).
OUTGOING_COLUMNS = [
    ("Số, ký hiệu văn bản", ["number_symbol"]),
    ("Ngày tháng văn bản", ["document_date"]),
    ("Tên loại và trích yếu nội dung văn bản", ["doc_type_name", "subject"]),
    ("Người ký", ["signer_authority", "signer_position", "signer_name"]),
    ("Nơi nhận văn bản", ["recipients"]),
    ("Đơn vị, người nhận bản lưu", ["archive_unit"]),
    ("Số trang", ["page_amount"]),
    ("Ngày chuyển", ["sent_on"]),
    ("Ghi chú", ["note"]),
]
# Appendix IV: the incoming register.
INCOMING_COLUMNS = [
    ("Ngày đến", ["arrival_date"]),
    ("Số đến", ["number"]),
    ("Tác giả", ["issuer_name"]),
    ("Số, ký hiệu", ["number_symbol"]),
    ("Ngày tháng", ["document_date"]),
    ("Tên loại và trích yếu nội dung", ["doc_type_name", "subject"]),
    ("Đơn vị hoặc người nhận", ["receivers"]),
    ("Ghi chú", ["note"]),
]
SECRECY_COLUMN = ("Độ mật", ["secrecy"])


def _year(text: str | None, now: datetime) -> int:
    if text is None:
        return now.astimezone(VIETNAM).year
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise InvalidData("Năm không hợp lệ.", {"year": "Từ 1900 đến 2100."})
    return int(text)


@dataclass(frozen=True)
class EntryFilter:
    """What a book's entries may be narrowed to: a range of their register dates (the
    arrival date of an incoming document, the document's date of an outgoing one), a
    document type, and words of their summary, number or issuer, with or without diacritics."""

    start: date | None = None
    end: date | None = None
    doc_type: str | None = None
    terms: search.Terms = ()

    @classmethod
    def parse(cls, args: Mapping[str, str]) -> EntryFilter:
        errors: dict[str, str] = {}
        start, end = (_date(args, name, errors) for name in ("from", "to"))
        if start is not None and end is not None and end < start:
            errors["to"] = "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."
        doc_type = args.get("doc_type") or None
        if doc_type is not None and doc_type not in doctypes.DOC_TYPES:
            errors["doc_type"] = "Loại văn bản không hợp lệ."
        text = args.get("q", "")
        terms = search.parse_terms(text, errors) if text.strip() else ()
        if errors:
            raise InvalidData("Bộ lọc không hợp lệ.", errors)
        return cls(start, end, doc_type, terms)

    def conditions(self, session: Session, book: RegisterBook) -> list[ColumnElement[bool]]:
        dated = Document.arrival_date if book.direction == Direction.INCOMING else Document.document_date
        found = [*([dated >= self.start] if self.start else []), *([dated <= self.end] if self.end else []),
                 *([Document.doc_type == self.doc_type] if self.doc_type else [])]
        if self.terms:
            query = search.SearchQuery(self.terms)
            found.append(search.words_match(session, query, search.agency_scopes(book.agency_id)))
        return found


def _date(args: Mapping[str, str], name: str, errors: dict[str, str]) -> date | None:
    given = args.get(name)
    if not given:
        return None
    try:
        return date.fromisoformat(given)
    except ValueError:
        errors[name] = "Ngày không hợp lệ (dạng YYYY-MM-DD)."
        return None


def _agencies(session: Session, user: User, agency_code: str | None) -> dict[int, str]:
    """The agencies ``user`` works in (only ``agency_code`` if given), id → code."""
    query = (
        select(Agency.id, Agency.code).join(Unit, Unit.agency_id == Agency.id)
        .join(UserPosition, UserPosition.unit_id == Unit.id).where(UserPosition.user_id == user.id).distinct()
    )
    if agency_code is not None:
        query = query.where(Agency.code == agency_code)
    found = {int(i): str(c) for i, c in session.execute(query)}
    if agency_code is not None and not found:
        raise Forbidden(Text("Bạn không thuộc cơ quan '%(agency)s'.", agency=agency_code))
    return found


def books(session: Session, user: User, year_text: str | None, agency_code: str | None,
          now: datetime) -> dict[str, Any]:
    """The books of the user's agencies that the user may read, with their entries in the year."""
    year = _year(year_text, now)
    agencies = _agencies(session, user, agency_code)
    found = list(session.scalars(
        select(RegisterBook).where(RegisterBook.agency_id.in_(agencies), permissions.register_visibility(session, user))
        .order_by(RegisterBook.agency_id, RegisterBook.id)
    ))
    counts: dict[int | None, int] = dict(session.execute(
        select(Document.book_id, func.count()).where(Document.book_id.in_([b.id for b in found]),
                                                     Document.year == year).group_by(Document.book_id)
    ).all())
    items = [
        {"agency": agencies[b.agency_id], "code": b.code, "name": b.name, "direction": b.direction.value,
         "secret": b.secret, "copies": b.copies, "entries": counts.get(b.id, 0)}
        for b in found
    ]
    return {"year": year, "items": items}


def _book(session: Session, user: User, code: str, agency_code: str | None) -> tuple[RegisterBook, str]:
    agencies = _agencies(session, user, agency_code)
    found = list(session.scalars(
        select(RegisterBook).where(RegisterBook.agency_id.in_(agencies), RegisterBook.code == code)
    ))
    if not found:
        raise NotFound(Text("Không có sổ '%(code)s'.", code=code))
    if len(found) > 1:
        raise InvalidData("Bạn thuộc nhiều cơ quan có sổ này, hãy chọn cơ quan.",
                          {"agency": "Bắt buộc khi bạn thuộc nhiều cơ quan."})
    book = found[0]
    permissions.ensure_can_read_register(session, user, book)
    return book, agencies[book.agency_id]


def entries(session: Session, user: User, code: str, year_text: str | None, agency_code: str | None,
            page: int, per_page: int, now: datetime, narrow: EntryFilter | None = None) -> dict[str, Any]:
    """One page of a book's entries for the year, in number order, narrowed if asked."""
    year = _year(year_text, now)
    book, agency = _book(session, user, code, agency_code)
    where = (Document.book_id == book.id, Document.year == year, *(narrow or EntryFilter()).conditions(session, book))
    total = session.scalar(select(func.count()).select_from(Document).where(*where)) or 0
    # The page's numbers come from the (book, year, number) index alone, so a page deep
    # in the year skips its predecessors without reading their rows.
    numbers = list(session.scalars(
        select(Document.number).where(*where).order_by(Document.number)
        .offset((page - 1) * per_page).limit(per_page)
    ))
    outgoing = book.direction == Direction.OUTGOING
    options = [defer(Document.search_text), *([selectinload(Document.recipients)] if outgoing else [])]
    docs = list(session.scalars(
        select(Document).options(*options).where(*where, Document.number.in_(numbers)).order_by(Document.number)
    )) if numbers else []
    columns = OUTGOING_COLUMNS if outgoing else INCOMING_COLUMNS
    if book.secret:
        columns = [*columns, SECRECY_COLUMN]
    items = _outgoing(session, docs) if outgoing else _incoming(session, docs)
    return {
        "agency": agency, "book": {"code": book.code, "name": book.name, "direction": book.direction.value,
                                   "secret": book.secret, "copies": book.copies},
        "year": year, "columns": [{"title": t, "fields": f} for t, f in columns],
        "items": items, "page": page, "per_page": per_page, "total": total,
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _common(doc: Document) -> dict[str, Any]:
    return {
        "id": doc.id, "number": doc.number, "number_symbol": doc.number_symbol,
        "document_date": _iso(doc.document_date), "doc_type": doc.doc_type,
        "doc_type_name": doctypes.DOC_TYPES.get(doc.doc_type), "subject": doc.subject,
        "urgency": doc.urgency.value, "secrecy": doc.secrecy.value, "status": doc.status.value,
        "signature_status": doc.signature_status.value, "void_reason": doc.void_reason,
        "note": "\n".join(register_notes(doc)),
    }


def register_notes(doc: Document) -> list[str]:
    """What the register's "Ghi chú" column says of an entry besides its description: a void
    (hủy; the number stays used), the note that registered an invalid signature, a recall."""
    notes = [f"ĐÃ HỦY: {doc.void_reason}" if doc.void_reason else "",
             "Đã thu hồi" if doc.status == DocumentStatus.RECALLED else "",
             f"Chữ ký số không hợp lệ: {doc.intake_note}" if doc.intake_note else "", doc.description or ""]
    return [n for n in notes if n]


def _delivery(name: str, organ_id: str | None, document_id: int, known: dict[tuple[int, str], str]) -> str:
    """A recipient as "Nơi nhận" prints it: with the latest status it sent back, when it has one."""
    status = known.get((document_id, organ_id)) if organ_id else None
    return f"{name} ({status})" if status else name


def _outgoing(session: Session, docs: list[Document]) -> list[dict[str, Any]]:
    unit_ids = {d.drafting_unit_id for d in docs if d.drafting_unit_id is not None}
    units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
    delivered = hooks.recipient_statuses(session, [d.id for d in docs])  # liên thông: each recipient's status
    return [
        {**_common(d), "signer_authority": d.signer_authority, "signer_position": d.signer_position,
         "signer_name": d.signer_name,
         "recipients": [_delivery(r.name, r.organ_id, d.id, delivered) for r in d.recipients],
         "archive_unit": units.get(d.drafting_unit_id) if d.drafting_unit_id else None,
         "page_amount": d.page_amount, "copy_kind": d.copy_kind,
         "sent_on": d.issued_at.astimezone(VIETNAM).date().isoformat() if d.issued_at else None}
        for d in docs
    ]


def _incoming(session: Session, docs: list[Document]) -> list[dict[str, Any]]:
    receivers: dict[int, list[dict[str, Any]]] = {}
    if docs:
        rows = session.execute(
            select(Assignment.document_id, Assignment.role, Unit.name, User.full_name)
            .outerjoin(Unit, Unit.id == Assignment.to_unit_id).outerjoin(User, User.id == Assignment.to_user_id)
            # The register records who the document was first handed to, not the work tree below.
            .where(Assignment.document_id.in_([d.id for d in docs]), Assignment.parent_id.is_(None))
            .order_by(Assignment.id)
        )
        for document_id, role, unit, person in rows:
            receivers.setdefault(document_id, []).append({"unit": unit, "person": person, "role": role.value})
    return [
        {**_common(d), "arrival_date": _iso(d.arrival_date), "issuer_name": d.issuer_name,
         "issuer_organ_id": d.issuer_organ_id, "due_date": _iso(d.due_date), "receivers": receivers.get(d.id, [])}
        for d in docs
    ]

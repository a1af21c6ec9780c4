"""The registers printed for binding (đóng sổ, Decree 30 Art. 16.2.b and 22.3.b): one
book and year as an A4 landscape PDF with every column of Appendix IV.

Columns the platform does not record (number of copies, receipt signature) are left
blank to be filled in by hand on the printed sheet, as the paper register would be.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden, NotFound, Text
from engine.documents import doctypes
from engine.models import (
    AssignmentRole,
    Direction,
    Document,
    RegisterBook,
    Secrecy,
    Unit,
    Urgency,
    User,
)
from engine.printouts.marks import PrintMark, Stamper
from engine.registry import register_views
from engine.reporting import pdftable, report_params, reports
from engine.reporting.pdftable import Fonts

# (title, width in mm); each register fills the 277 mm between the margins of A4 landscape.
OUTGOING_COLUMNS = [
    ("Số, ký hiệu văn bản", 24), ("Ngày tháng văn bản", 19), ("Tên loại và trích yếu nội dung", 66),
    ("Người ký", 28), ("Nơi nhận văn bản", 40), ("Đơn vị, người nhận bản lưu", 26), ("Số lượng bản", 13),
    ("Ngày chuyển", 19), ("Ký nhận", 20), ("Ghi chú", 22),
]
INCOMING_COLUMNS = [
    ("Ngày đến", 19), ("Số đến", 13), ("Tác giả", 32), ("Số, ký hiệu văn bản", 26), ("Ngày tháng văn bản", 19),
    ("Tên loại và trích yếu nội dung", 70), ("Đơn vị hoặc người nhận", 35), ("Ngày chuyển", 19), ("Ký nhận", 20),
    ("Ghi chú", 24),
]
_CENTRED = {"Số, ký hiệu văn bản", "Ngày tháng văn bản", "Số lượng bản", "Ngày chuyển", "Ngày đến", "Số đến"}

URGENCY_NAMES = {Urgency.URGENT: "Khẩn", Urgency.VERY_URGENT: "Thượng khẩn", Urgency.FLASH: "Hỏa tốc"}
SECRECY_NAMES = {Secrecy.SECRET: "Mật", Secrecy.TOP_SECRET: "Tối mật", Secrecy.ABSOLUTE: "Tuyệt mật"}
_ROLE_NOTES = {AssignmentRole.MAIN: "", AssignmentRole.CO: " (phối hợp)", AssignmentRole.INFO: " (để biết)"}

@dataclass(frozen=True)
class PrintedRegister:
    content: bytes
    filename: str


def _day(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _local_day(moment: datetime | None) -> date | None:
    return moment.astimezone(VIETNAM).date() if moment else None


def _kind_and_subject(doc: Document) -> str:
    return f"{doctypes.DOC_TYPES.get(doc.doc_type, doc.doc_type)}\n{doc.subject}"


def _notes(doc: Document, *extra: str) -> str:
    notes = [SECRECY_NAMES.get(doc.secrecy, ""), URGENCY_NAMES.get(doc.urgency, ""), *extra,
             "Nhập bù" if doc.backfilled else "", *register_views.register_notes(doc)]
    return "\n".join(n for n in notes if n)


def _outgoing_rows(session: Session, docs: Sequence[Document]) -> list[list[str]]:
    units = dict(session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_(sorted({d.drafting_unit_id for d in docs if d.drafting_unit_id is not None})))).all())
    rows = []
    for doc in docs:
        signer = "\n".join(p for p in (" ".join(p for p in (doc.signer_authority, doc.signer_position) if p),
                                       doc.signer_name or "") if p)
        archive = "Văn thư" + (f"; {units[doc.drafting_unit_id]}" if doc.drafting_unit_id in units else "")
        rows.append([
            doc.number_symbol or f"{doc.number:02d}", _day(doc.document_date), _kind_and_subject(doc), signer,
            "; ".join(r.name for r in doc.recipients), archive, "", _day(_local_day(doc.issued_at)), "", _notes(doc),
        ])
    return rows


def _incoming_rows(session: Session, book: RegisterBook, year: int, docs: Sequence[Document]) -> list[list[str]]:
    trees = reports.handovers(session, select(Document.id).where(Document.book_id == book.id, Document.year == year))
    given = {doc_id: reports.receivers(tree) for doc_id, tree in trees.items()}
    units = dict(session.execute(select(Unit.id, Unit.name).where(Unit.agency_id == book.agency_id)).all())
    people = dict(session.execute(select(User.id, User.full_name).where(
        User.id.in_(sorted({a.to_user_id for t in given.values() for a in t if a.to_user_id is not None})))).all())

    def name(a: reports.Handover) -> str:
        if a.to_unit_id is not None and a.to_unit_id in units:
            return units[a.to_unit_id]
        return people.get(a.to_user_id, "") if a.to_user_id is not None else ""

    rows = []
    for doc in docs:
        handed = given.get(doc.id, [])
        receivers = "\n".join(f"{name(a)}{_ROLE_NOTES[a.role]}" for a in handed if name(a))
        handed_on = min((a.created_at for a in handed), default=None)
        rows.append([
            _day(doc.arrival_date), str(doc.number), doc.issuer_name or "", doc.number_symbol or "",
            _day(doc.document_date), _kind_and_subject(doc), receivers, _day(_local_day(handed_on)), "",
            _notes(doc, f"Hạn xử lý: {_day(doc.due_date)}" if doc.due_date else ""),
        ])
    return rows


def render(agency_name: str, book: RegisterBook, year: int, rows: Sequence[Sequence[str]], first: int | None,
           last: int | None, fonts: Fonts, created: datetime, mark: PrintMark | None = None) -> bytes:
    """The register as PDF bytes: the title lines, then one table row per entry, headings
    repeated on every page."""
    incoming = book.direction == Direction.INCOMING
    title = "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" if incoming else "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    extent = "chưa có văn bản nào"
    if first is not None and last is not None:
        extent = f"từ số {first:02d} đến số {last:02d} ({len(rows)} văn bản)"
    return pdftable.render(
        pdftable.Sheet(
            heading=[(agency_name.upper(), "B", 12), (title, "B", 16), (f"Năm {year}", "", 12)],
            subtitle=f"{book.name}: {extent}", columns=INCOMING_COLUMNS if incoming else OUTGOING_COLUMNS,
            centred=_CENTRED, rows=rows, running_title=f"{agency_name} – {book.name} năm {year}",
            document_title=f"{title} – {agency_name} – {year}", author=agency_name, mark=mark,
        ),
        fonts, created,
    )


def print_register(session: Session, user: User, code: str, params: report_params.YearParams, fonts: Fonts,
                   now: datetime, stamp: Stamper | None = None) -> PrintedRegister:
    """In sổ: a register keeper prints one book for one year; a secret book only the clerk
    and the leaders. With ``stamp``, the printout is recorded and its pages carry its mark."""
    agency = reports.keeper_agency(session, user, params.agency)
    book = session.scalars(select(RegisterBook).where(RegisterBook.agency_id == agency.id,
                                                      RegisterBook.code == code)).first()
    if book is None:
        raise NotFound(Text("Cơ quan không có sổ '%(code)s'.", code=code[:32]))
    if book.secret and not reports.reads_secrets(session, user, agency.id):
        raise Forbidden("Sổ văn bản mật chỉ văn thư và lãnh đạo được in.")
    year = params.year or reports.today(now).year
    docs = list(session.scalars(
        select(Document).where(Document.book_id == book.id, Document.year == year, Document.number.is_not(None))
        .order_by(Document.number).options(selectinload(Document.recipients))
    ))
    if book.direction == Direction.INCOMING:
        rows = _incoming_rows(session, book, year, docs)
    else:
        rows = _outgoing_rows(session, docs)
    numbers = [d.number for d in docs if d.number is not None]
    mark = stamp(agency.id, "register", f"{book.name} năm {year}", None) if stamp else None
    content = render(agency.name, book, year, rows, min(numbers, default=None), max(numbers, default=None),
                     fonts, now, mark)
    return PrintedRegister(content, f"so-{re.sub(r'[^A-Za-z0-9_-]', '_', book.code)}-{year}.pdf")

"""The registers printed for binding (đóng sổ, Decree 30 Art. 16.2.b and 22.3.b): one
book and year as an A4 landscape PDF with every column of Appendix IV.

Columns the platform does not record (number of copies, receipt signature) are left
blank to be filled in by hand on the printed sheet, as the paper register would be.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, TableCellFillMode
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from . import doctypes, reports
from .clock import VIETNAM
from .errors import Forbidden, NotFound
from .models import (
    AssignmentRole,
    Direction,
    Document,
    DocumentStatus,
    RegisterBook,
    Secrecy,
    Unit,
    Urgency,
    User,
)

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

_FAMILY = "register"
_BODY_PT = 9
_LINE_MM = 4.2
_PADDING_MM = 1.0
# A row must fit on one page (the table cannot split it): long cells are cut to this.
_MAX_CELL_LINES = 24


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path


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
             "Nhập bù" if doc.backfilled else "", "Đã thu hồi" if doc.status == DocumentStatus.RECALLED else "",
             doc.description or ""]
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


class _RegisterPdf(FPDF):
    def __init__(self, fonts: Fonts, running_title: str) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        for path in (fonts.regular, fonts.bold):
            if not path.is_file():
                # A deployment fault, not the user's: say how to fix it.
                raise RuntimeError(f"Không tìm thấy phông chữ {path}: cài gói fonts-noto-core hoặc đặt "
                                   "QLVB_PDF_FONT, QLVB_PDF_FONT_BOLD.")
        self.add_font(_FAMILY, "", str(fonts.regular))
        self.add_font(_FAMILY, "B", str(fonts.bold))
        self.running_title = running_title
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(True, margin=14)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(_FAMILY, size=8)
        self.cell(0, 5, f"{self.running_title} – Trang {self.page_no()}/{{nb}}", align="C")

    def fit(self, text: str, width: float) -> str:
        """``text`` in NFC (some sources send decomposed diacritics, which would print as
        loose marks), cut to the lines a row may hold."""
        text = unicodedata.normalize("NFC", text)
        lines = self.multi_cell(width - 2 * _PADDING_MM, _LINE_MM, text, dry_run=True,
                                output=MethodReturnValue.LINES)
        assert isinstance(lines, list)  # what output=LINES returns
        if len(lines) <= _MAX_CELL_LINES:
            return text
        return "\n".join(lines[:_MAX_CELL_LINES - 1]) + "\n…"


def render(agency_name: str, book: RegisterBook, year: int, rows: Sequence[Sequence[str]], first: int | None,
           last: int | None, fonts: Fonts, created: datetime) -> bytes:
    """The register as PDF bytes: the title lines, then one table row per entry, headings
    repeated on every page."""
    incoming = book.direction == Direction.INCOMING
    title = "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" if incoming else "SỔ ĐĂNG KÝ VĂN BẢN ĐI"
    columns = INCOMING_COLUMNS if incoming else OUTGOING_COLUMNS
    pdf = _RegisterPdf(fonts, f"{agency_name} – {book.name} năm {year}")
    pdf.set_title(f"{title} – {agency_name} – {year}")
    pdf.set_author(agency_name)
    pdf.set_lang("vi")
    pdf.set_creation_date(created)
    pdf.add_page()
    for text, style, size in ((agency_name.upper(), "B", 12), (title, "B", 16), (f"Năm {year}", "", 12)):
        pdf.set_font(_FAMILY, style, size)
        pdf.cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 10)
    extent = "chưa có văn bản nào"
    if first is not None and last is not None:
        extent = f"từ số {first:02d} đến số {last:02d} ({len(rows)} văn bản)"
    pdf.cell(0, 6, f"{book.name}: {extent}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(_FAMILY, "", _BODY_PT)
    widths = [w for _, w in columns]
    headings = FontFace(family=_FAMILY, emphasis="BOLD", size_pt=_BODY_PT, fill_color=(235, 235, 235))
    with pdf.table(col_widths=widths, width=sum(widths), line_height=_LINE_MM, padding=_PADDING_MM,
                   text_align=tuple("CENTER" if t in _CENTRED else "LEFT" for t, _ in columns),
                   headings_style=headings, num_heading_rows=2, v_align="TOP",
                   cell_fill_mode=TableCellFillMode.NONE) as table:
        for heading in ([t for t, _ in columns], [f"({i})" for i in range(1, len(columns) + 1)]):
            head = table.row()
            for text in heading:
                head.cell(text, align="CENTER")
        for values in rows:
            row = table.row()
            for text, width in zip(values, widths, strict=True):
                row.cell(pdf.fit(text, width))
    return bytes(pdf.output())


def print_register(session: Session, user: User, code: str, params: reports.YearParams, fonts: Fonts,
                   now: datetime) -> PrintedRegister:
    """In sổ: a register keeper prints one book for one year; a secret book only the clerk
    and the leaders."""
    agency = reports.keeper_agency(session, user, params.agency)
    book = session.scalars(select(RegisterBook).where(RegisterBook.agency_id == agency.id,
                                                      RegisterBook.code == code)).first()
    if book is None:
        raise NotFound(f"Cơ quan không có sổ '{code[:32]}'.")
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
    content = render(agency.name, book, year, rows, min(numbers, default=None), max(numbers, default=None),
                     fonts, now)
    return PrintedRegister(content, f"so-{re.sub(r'[^A-Za-z0-9_-]', '_', book.code)}-{year}.pdf")

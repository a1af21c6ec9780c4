"""Compliance statistics per unit and per person (Quảng Ngãi regulation Art. 11; Vạn
Ninh's monthly report on electronic circulation), by month, quarter or year:

* hand-overs (assignments) made in the period, finished on time, finished late, or still
  open — a unit answers for the hand-overs made to it, a person for those made to them;
* outgoing documents issued in the period without a valid digital signature (the paper
  exception counted apart), for the drafting unit and the drafter;
* the share handled electronically: outgoing documents signed digitally, and incoming
  documents handled with their PDF in the system, among all those of the unit or person.

Exported as a spreadsheet (.xlsx) and as PDF.
"""

from __future__ import annotations

import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData
from engine.models import (
    Agency,
    Assignment,
    AssignmentStatus,
    Delivery,
    Direction,
    Document,
    DocumentStatus,
    Secrecy,
    SignatureStatus,
    Unit,
    User,
)
from engine.org import permissions
from engine.printouts.marks import PrintMark, Stamper
from engine.reporting import pdftable, report_params, reports
from engine.reporting.exports import Export

MEASURES = ("on_time", "late", "open", "issued", "unsigned", "paper", "documents", "electronic")
TITLES = {"on_time": "Đúng hạn", "late": "Trễ hạn", "open": "Đang xử lý", "issued": "Văn bản đi phát hành",
          "unsigned": "Phát hành không có chữ ký số hợp lệ", "paper": "Ký tay (ngoại lệ)",
          "documents": "Văn bản xử lý", "electronic": "Xử lý điện tử", "electronic_share": "Tỷ lệ điện tử (%)"}


def _local(moment: datetime) -> date:
    return moment.astimezone(VIETNAM).date()


class _Counts:
    def __init__(self) -> None:
        self.values: dict[tuple[str, int | None, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(MEASURES, 0))

    def add(self, kind: str, who: int | None, period: str, measure: str) -> None:
        self.values[(kind, who, period)][measure] += 1

    def figures(self, kind: str, who: int | None, periods: Iterable[str]) -> dict[str, Any]:
        total = dict.fromkeys(MEASURES, 0)
        for period in periods:
            for measure, count in self.values.get((kind, who, period), {}).items():
                total[measure] += count
        share = round(100 * total["electronic"] / total["documents"], 1) if total["documents"] else None
        return {**total, "electronic_share": share}

    def who(self, kind: str) -> set[int | None]:
        return {w for k, w, _ in self.values if k == kind}


def agencies(session: Session, user: User) -> list[dict[str, str]]:
    """The agencies whose statistics the user may see: those whose registers they keep."""
    kept = [a for a, positions in permissions.positions_by_agency(session, user).items()
            if positions & permissions.REGISTER_KEEPERS]
    return [{"code": a.code, "name": a.name}
            for a in session.scalars(select(Agency).where(Agency.id.in_(kept)).order_by(Agency.name))]


def statistics(session: Session, user: User, params: report_params.SummaryParams, now: datetime) -> dict[str, Any]:
    """The figures of an agency for the period, per unit and per person, by period."""
    agency = reports.keeper_agency(session, user, params.agency)
    counts = _Counts()

    def period_of(day: date) -> str:
        return reports.label(reports.bucket_start(day, params.group), params.group)

    low, high = reports.utc_bounds(params.start, params.end)
    handed = session.scalars(
        select(Assignment).join(Document, Document.id == Assignment.document_id)
        .where(Document.agency_id == agency.id, Assignment.created_at >= low, Assignment.created_at < high,
               Assignment.status != AssignmentStatus.RETURNED)
    )
    for a in handed:
        if a.status == AssignmentStatus.OPEN:
            measure = "open"
        elif a.deadline is None or a.finished_at is None or _local(a.finished_at) <= a.deadline:
            measure = "on_time"
        else:
            measure = "late"
        period = period_of(_local(a.created_at))
        if a.parent_id is None:  # the hand-over to the unit (or straight to one of its people)
            counts.add("unit", a.to_unit_id, period, measure)
        if a.to_user_id is not None:
            counts.add("person", a.to_user_id, period, measure)

    outgoing = session.scalars(select(Document).where(
        Document.agency_id == agency.id, Document.direction == Direction.OUTGOING,
        Document.issued_at >= low, Document.issued_at < high,
    ))
    for doc in outgoing:
        assert doc.issued_at is not None  # filtered on
        period = period_of(_local(doc.issued_at))
        for kind, who in (("unit", doc.drafting_unit_id), ("person", doc.created_by)):
            counts.add(kind, who, period, "issued")
            counts.add(kind, who, period, "documents")
            if doc.signature_mode == Delivery.ELECTRONIC:
                counts.add(kind, who, period, "electronic")
            if doc.signature_mode == Delivery.PAPER:  # signed by hand, even if the agency signed the scan
                counts.add(kind, who, period, "paper")
            elif doc.signature_status != SignatureStatus.VALID and doc.secrecy == Secrecy.NONE:
                counts.add(kind, who, period, "unsigned")

    incoming = session.scalars(
        select(Document).options(selectinload(Document.files)).where(
            Document.agency_id == agency.id, Document.direction == Direction.INCOMING,
            Document.status != DocumentStatus.DRAFT, Document.arrival_date >= params.start,
            Document.arrival_date <= params.end,
        )
    )
    tops = defaultdict(list)
    for a in session.scalars(select(Assignment).join(Document, Document.id == Assignment.document_id).where(
            Document.agency_id == agency.id, Assignment.parent_id.is_(None))):
        tops[a.document_id].append(a)
    for doc in incoming:
        assert doc.arrival_date is not None  # filtered on
        period = period_of(doc.arrival_date)
        electronic = any(f.role == "main" for f in doc.files)
        for a in tops.get(doc.id, []):
            for kind, who in (("unit", a.to_unit_id), ("person", a.to_user_id)):
                if kind == "person" and who is None:
                    continue
                counts.add(kind, who, period, "documents")
                if electronic:
                    counts.add(kind, who, period, "electronic")

    spans = reports.buckets(params.start, params.end, params.group)
    names = [name for name, _, _ in spans]
    units = {u.id: u for u in session.scalars(select(Unit).where(Unit.agency_id == agency.id))}
    people = {p.id: p for p in session.scalars(select(User).where(User.id.in_(
        {w for w in counts.who("person") if w is not None})))}

    def rows(kind: str, label_of: Any) -> list[dict[str, Any]]:
        return sorted(({**label_of(who), **counts.figures(kind, who, names),
                        "periods": [{"period": n, **counts.figures(kind, who, [n])} for n in names]}
                       for who in counts.who(kind)), key=lambda r: r["name"])

    return {
        "agency": {"id": agency.id, "code": agency.code, "name": agency.name}, "from": params.start.isoformat(),
        "to": params.end.isoformat(), "group": params.group.value, "periods": names,
        "units": rows("unit", lambda w: {"code": units[w].code if w in units else None,
                                         "name": units[w].name if w in units else "(không rõ đơn vị)"}),
        "people": rows("person", lambda w: {"username": people[w].username, "name": people[w].full_name}),
    }


_COLUMNS = ("on_time", "late", "open", "issued", "unsigned", "paper", "documents", "electronic", "electronic_share")


def _table(stats: dict[str, Any], section: str) -> list[list[str]]:
    return [[row["name"], *("" if row[m] is None else str(row[m]) for m in _COLUMNS)] for row in stats[section]]


def to_xlsx(stats: dict[str, Any]) -> bytes:
    book = Workbook()
    for index, (section, title) in enumerate((("units", "Theo đơn vị"), ("people", "Theo cá nhân"))):
        sheet = book.active if index == 0 else book.create_sheet()
        assert sheet is not None
        sheet.title = title
        sheet.append([f"{stats['agency']['name']} – thống kê từ {stats['from']} đến {stats['to']}"])
        sheet.append(["Đơn vị" if section == "units" else "Cá nhân", *(TITLES[m] for m in _COLUMNS)])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for row in stats[section]:
            sheet.append([row["name"], *(row[m] for m in _COLUMNS)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def to_pdf(stats: dict[str, Any], fonts: pdftable.Fonts, created: datetime, mark: PrintMark | None = None) -> bytes:
    widths = [67] + [23] * len(_COLUMNS)
    titles = [TITLES[m] for m in _COLUMNS]
    rows = [["Đơn vị:"] + [""] * len(_COLUMNS), *_table(stats, "units"),
            ["Cá nhân:"] + [""] * len(_COLUMNS), *_table(stats, "people")]
    return pdftable.render(pdftable.Sheet(
        heading=[(stats["agency"]["name"].upper(), "B", 12), ("THỐNG KÊ TUÂN THỦ XỬ LÝ VĂN BẢN", "B", 15),
                 (f"Từ {stats['from']} đến {stats['to']}", "", 11)],
        subtitle="Đúng hạn, trễ hạn, đang xử lý; văn bản phát hành không có chữ ký số hợp lệ; tỷ lệ xử lý điện tử",
        columns=list(zip(["Đơn vị / cá nhân", *titles], widths, strict=True)), centred=set(titles), rows=rows,
        running_title=f"Thống kê tuân thủ – {stats['agency']['name']}", document_title="Thống kê tuân thủ",
        author=stats["agency"]["name"], mark=mark,
    ), fonts, created)


def export(stats: dict[str, Any], fmt: str, fonts: pdftable.Fonts, created: datetime,
           stamp: Stamper | None = None) -> Export:
    """The figures as a spreadsheet (``xlsx``) or a PDF (``pdf``, recorded as a printout with
    ``stamp``), with their file name."""
    if fmt not in ("xlsx", "pdf"):
        raise InvalidData("Định dạng không hỗ trợ.", {"format": "Chọn xlsx hoặc pdf."})
    filename = f"thong-ke-{stats['agency']['code']}-{stats['from']}-{stats['to']}.{fmt}"
    if fmt == "xlsx":
        return Export(to_xlsx(stats), filename, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    title = f"Thống kê tuân thủ từ {stats['from']} đến {stats['to']}"
    mark = stamp(stats["agency"]["id"], "statistics", title, None) if stamp else None
    return Export(to_pdf(stats, fonts, created, mark), filename, "application/pdf")

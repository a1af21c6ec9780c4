"""Reports on the registers (báo cáo văn thư) for an agency's register keepers.

Definitions, all dates in Vietnam time (Asia/Ho_Chi_Minh, ``clock.VIETNAM``):

- incoming: incoming documents entered in an incoming register (any status but draft),
  counted on their arrival date (ngày đến);
- outgoing: outgoing documents issued (numbered and sent), counted on the day of
  ``issued_at``; a document recalled later still counts, it was issued;
- processed: an incoming document whose status is finished or recalled (nothing left to
  handle), or that has main assignments (xử lý chính) and all of them not returned are
  done; unprocessed: every other incoming document, so incoming = processed + unprocessed;
- overdue: unprocessed, and its due date (hạn xử lý) or the deadline of one of its open
  assignments is before the report's "as of" date, which is today;
- recalled, corrected, replaced: outgoing documents issued in the period that were later
  recalled (thu hồi), corrected (đính chính) or replaced (thay thế) by another document
  (engine/registry/lifecycle.py); voided: entries of either register in the period voided (hủy),
  which keep their numbers and are still counted as incoming or outgoing;
- unit: of an incoming document, the unit of its main assignment (the top-level one, the
  latest not returned); of an outgoing one, its drafting unit. Documents without one are
  counted under ``unit: null`` (chưa giao).

Secret documents are register entries, so they are counted everywhere; their subject,
number and issuer are only listed to the clerk and the leaders (``SECRET_READERS``).
Every report is for the register keepers of the agency (``REGISTER_KEEPERS``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden, InvalidData, Text
from engine.documents import doctypes
from engine.models import (
    Agency,
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Direction,
    Document,
    DocumentStatus,
    InfoItem,
    InfoKind,
    RegisterBook,
    Secrecy,
    Unit,
    User,
    UserPosition,
)
from engine.org.permissions import REGISTER_KEEPERS, SECRET_READERS, positions_in
from engine.reporting.report_params import DailyParams, Grouping, SummaryParams


def keeper_agency(session: Session, user: User, code: str | None) -> Agency:
    """The agency whose registers ``user`` keeps: the one named, or their only one."""
    if code is not None:
        agency = session.scalars(select(Agency).where(Agency.code == code)).first()
        if agency is None:
            raise InvalidData("Không có cơ quan này.", {"agency": Text("Không có cơ quan '%(agency)s'.", agency=code)})
        if not positions_in(session, user, agency.id) & REGISTER_KEEPERS:
            raise Forbidden("Chỉ văn thư, lãnh đạo và quản trị của cơ quan mới xem được báo cáo, sổ văn bản.")
        return agency
    rows = session.execute(
        select(Agency, UserPosition.position).join(Unit, Unit.agency_id == Agency.id)
        .join(UserPosition, UserPosition.unit_id == Unit.id).where(UserPosition.user_id == user.id)
    ).all()
    kept = {agency.id: agency for agency, position in rows if position.value in REGISTER_KEEPERS}
    if not kept:
        raise Forbidden("Chỉ văn thư, lãnh đạo và quản trị của cơ quan mới xem được báo cáo, sổ văn bản.")
    if len(kept) > 1:
        raise InvalidData("Bạn giữ sổ của nhiều cơ quan, cần chọn cơ quan.",
                          {"agency": "Bắt buộc khi bạn thuộc nhiều cơ quan."})
    return next(iter(kept.values()))


def reads_secrets(session: Session, user: User, agency_id: int) -> bool:
    return bool(positions_in(session, user, agency_id) & SECRET_READERS)


# ---- shared reading of the registers ---------------------------------------------------


def today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


def utc_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """The UTC instants from the start of ``start`` to the end of ``end`` in Vietnam."""
    low = datetime.combine(start, time(0), VIETNAM).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time(0), VIETNAM).astimezone(UTC)
    return low, high


def _registered_incoming(agency_id: int) -> list[ColumnElement[bool]]:
    return [Document.agency_id == agency_id, Document.direction == Direction.INCOMING,
            Document.status != DocumentStatus.DRAFT]


@dataclass(frozen=True)
class Handover:
    """One assignment of a document, as the reports need it."""

    id: int
    parent_id: int | None
    role: AssignmentRole
    status: AssignmentStatus
    to_unit_id: int | None
    to_user_id: int | None
    deadline: date | None
    created_at: datetime


def handovers(session: Session, document_ids: Select[Any]) -> dict[int, list[Handover]]:
    """The assignments of the documents ``document_ids`` selects, oldest first."""
    rows = session.execute(
        select(Assignment.document_id, Assignment.id, Assignment.parent_id, Assignment.role, Assignment.status,
               Assignment.to_unit_id, Assignment.to_user_id, Assignment.deadline, Assignment.created_at)
        .where(Assignment.document_id.in_(document_ids)).order_by(Assignment.id)
    )
    found: dict[int, list[Handover]] = defaultdict(list)
    for document_id, id_, parent_id, role, status, to_unit_id, to_user_id, deadline, created_at in rows:
        found[document_id].append(Handover(id_, parent_id, role, status, to_unit_id, to_user_id, deadline, created_at))
    return found


def main_unit(assignments: Sequence[Handover]) -> int | None:
    """The unit in charge: the latest top-level main assignment to a unit, returned ones last."""
    candidates = [a for a in assignments if a.role == AssignmentRole.MAIN and a.to_unit_id is not None]
    if not candidates:
        return None
    return max(candidates, key=lambda a: (a.status != AssignmentStatus.RETURNED, a.parent_id is None, a.id)).to_unit_id


def is_processed(status: DocumentStatus, assignments: Sequence[Handover]) -> bool:
    if status in (DocumentStatus.FINISHED, DocumentStatus.RECALLED):
        return True
    mains = [a for a in assignments if a.role == AssignmentRole.MAIN and a.status != AssignmentStatus.RETURNED]
    return bool(mains) and all(a.status == AssignmentStatus.DONE for a in mains)


def is_overdue(due_date: date | None, assignments: Sequence[Handover], as_of: date) -> bool:
    """Past due as of ``as_of``; only meaningful for an unprocessed document."""
    deadlines = [a.deadline for a in assignments if a.status == AssignmentStatus.OPEN and a.deadline is not None]
    return any(d < as_of for d in [*deadlines, *([due_date] if due_date else [])])


def units_of(session: Session, agency_id: int) -> list[Unit]:
    return list(session.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.id)))


def unit_view(unit: Unit | None) -> dict[str, Any] | None:
    return {"id": unit.id, "code": unit.code, "name": unit.name} if unit is not None else None


def agency_view(agency: Agency) -> dict[str, Any]:
    return {"code": agency.code, "name": agency.name}


class Tally:
    """Counts by (unit, period, measure), with the sums over all units and all periods
    kept as they are added, so that a table of units by days costs one pass."""

    ALL = "*"

    def __init__(self) -> None:
        self.cells: Counter[tuple[int | str | None, str | None, str]] = Counter()
        self.units: set[int | None] = set()

    def add(self, unit: int | None, period: str, measure: str) -> None:
        self.units.add(unit)
        for who, when in ((unit, period), (unit, None), (self.ALL, period), (self.ALL, None)):
            self.cells[who, when, measure] += 1

    def figures(self, measures: Sequence[str], unit: int | str | None = ALL,
                period: str | None = None) -> dict[str, int]:
        return {m: self.cells[unit, period, m] for m in measures}

    def listed_units(self, units: list[Unit]) -> list[Unit | None]:
        """The agency's units, then "no unit" when some document has none."""
        return [*units, *([None] if None in self.units else [])]


# ---- summary -----------------------------------------------------------------------------

MEASURES = ("incoming", "outgoing", "processed", "unprocessed", "overdue", "recalled", "corrected", "replaced",
            "voided", "notices")  # notices: filed as văn bản thông báo (engine/office/info_items.py)
_WITHDRAWN = {DocumentStatus.RECALLED: "recalled", DocumentStatus.CORRECTED: "corrected",
              DocumentStatus.REPLACED: "replaced"}


def bucket_start(day: date, group: Grouping) -> date:
    if group == Grouping.DAY:
        return day
    if group == Grouping.MONTH:
        return day.replace(day=1)
    if group == Grouping.QUARTER:
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return date(day.year, 1, 1)


def _next_bucket(start: date, group: Grouping) -> date:
    if group == Grouping.DAY:
        return start + timedelta(days=1)
    if group == Grouping.YEAR:
        return date(start.year + 1, 1, 1)
    months = start.month - 1 + (1 if group == Grouping.MONTH else 3)
    return date(start.year + months // 12, months % 12 + 1, 1)


def label(start: date, group: Grouping) -> str:
    if group == Grouping.DAY:
        return start.isoformat()
    if group == Grouping.MONTH:
        return f"{start.year}-{start.month:02d}"
    if group == Grouping.QUARTER:
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    return str(start.year)


def buckets(start: date, end: date, group: Grouping) -> list[tuple[str, date, date]]:
    """(label, first day, last day) of every bucket of the period, clipped to it."""
    found = []
    current = bucket_start(start, group)
    while current <= end:
        following = _next_bucket(current, group)
        found.append((label(current, group), max(current, start), min(following - timedelta(days=1), end)))
        current = following
    return found


def summary(session: Session, user: User, params: SummaryParams, now: datetime) -> dict[str, Any]:
    """Incoming, outgoing, processed, unprocessed and overdue counts, by unit and period."""
    agency = keeper_agency(session, user, params.agency)
    as_of = today(now)
    tally = Tally()

    def period_of(day: date) -> str:
        return label(bucket_start(day, params.group), params.group)

    incoming = [*_registered_incoming(agency.id), Document.arrival_date >= params.start,
                Document.arrival_date <= params.end]
    trees = handovers(session, select(Document.id).where(*incoming))
    noticed = set(session.scalars(select(InfoItem.document_id).where(
        InfoItem.kind == InfoKind.NOTICE, InfoItem.document_id.in_(select(Document.id).where(*incoming)))))
    rows = session.execute(select(Document.id, Document.arrival_date, Document.status, Document.due_date,
                                  Document.voided_at).where(*incoming))
    for document_id, arrival, status, due_date, voided_at in rows:
        assert arrival is not None  # filtered on
        assignments = trees.get(document_id, [])
        unit, bucket = main_unit(assignments), period_of(arrival)
        tally.add(unit, bucket, "incoming")
        if voided_at is not None:
            tally.add(unit, bucket, "voided")
        if document_id in noticed:
            tally.add(unit, bucket, "notices")
        if is_processed(status, assignments):
            tally.add(unit, bucket, "processed")
        else:
            tally.add(unit, bucket, "unprocessed")
            if is_overdue(due_date, assignments, as_of):
                tally.add(unit, bucket, "overdue")

    low, high = utc_bounds(params.start, params.end)
    issued = session.execute(select(Document.drafting_unit_id, Document.issued_at, Document.status,
                                    Document.voided_at).where(
        Document.agency_id == agency.id, Document.direction == Direction.OUTGOING,
        Document.issued_at >= low, Document.issued_at < high,
    ))
    for unit_id, issued_at, status, voided_at in issued:
        assert issued_at is not None  # filtered on
        bucket = period_of(issued_at.astimezone(VIETNAM).date())
        tally.add(unit_id, bucket, "outgoing")
        for measure in (_WITHDRAWN.get(status), "voided" if voided_at is not None else None):
            if measure is not None:
                tally.add(unit_id, bucket, measure)

    spans = buckets(params.start, params.end, params.group)

    def periods(unit: int | str | None) -> list[dict[str, Any]]:
        return [{"period": name, "from": first.isoformat(), "to": last.isoformat(),
                 **tally.figures(MEASURES, unit, name)} for name, first, last in spans]

    return {
        "agency": agency_view(agency), "from": params.start.isoformat(), "to": params.end.isoformat(),
        "group": params.group.value, "as_of": as_of.isoformat(),
        "totals": tally.figures(MEASURES), "periods": periods(tally.ALL),
        "units": [{"unit": unit_view(unit), **tally.figures(MEASURES, unit.id if unit else None),
                   "periods": periods(unit.id if unit else None)}
                  for unit in tally.listed_units(units_of(session, agency.id))],
    }


# ---- daily list of incoming documents (sổ ký nhận) ---------------------------------------


def _people(session: Session, ids: set[int]) -> dict[int, User]:
    if not ids:
        return {}
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))}


_ROLE_ORDER = {AssignmentRole.MAIN: 0, AssignmentRole.CO: 1, AssignmentRole.INFO: 2}


def receivers(assignments: Sequence[Handover]) -> list[Handover]:
    """Who the document was handed to by the agency: top-level assignments not returned,
    the main one first."""
    given = [a for a in assignments if a.parent_id is None and a.status != AssignmentStatus.RETURNED]
    return sorted(given, key=lambda a: (_ROLE_ORDER[a.role], a.id))


def daily_incoming(session: Session, user: User, params: DailyParams, now: datetime) -> dict[str, Any]:
    """The incoming documents registered on one day, with the units that receive them,
    for those units to sign for (sổ ký nhận)."""
    agency = keeper_agency(session, user, params.agency)
    day = params.day or today(now)
    conditions = [*_registered_incoming(agency.id), Document.arrival_date == day]
    if not reads_secrets(session, user, agency.id):
        # Văn bản mật: only the clerk and the leaders see even that the entry exists.
        conditions.append(Document.secrecy == Secrecy.NONE)
    trees = handovers(session, select(Document.id).where(*conditions))
    rows = session.execute(select(Document, RegisterBook.code).join(RegisterBook, RegisterBook.id == Document.book_id)
                           .where(*conditions).order_by(RegisterBook.id, Document.number)).all()
    units = {u.id: u for u in units_of(session, agency.id)}
    people = _people(session, {a.to_user_id for t in trees.values() for a in t if a.to_user_id is not None})
    items: list[dict[str, Any]] = []
    by_unit: defaultdict[int | None, list[int]] = defaultdict(list)
    for doc, book_code in rows:
        given = receivers(trees.get(doc.id, []))
        for unit_id in dict.fromkeys(a.to_unit_id for a in given) or [None]:
            by_unit[unit_id].append(doc.id)
        items.append({
            "id": doc.id, "book": book_code, "number": doc.number, "arrival_date": doc.arrival_date.isoformat()
            if doc.arrival_date else None, "urgency": doc.urgency.value, "secrecy": doc.secrecy.value,
            "doc_type": doc.doc_type, "doc_type_name": doctypes.DOC_TYPES.get(doc.doc_type),
            "number_symbol": doc.number_symbol,
            "document_date": doc.document_date.isoformat() if doc.document_date else None,
            "issuer_name": doc.issuer_name, "subject": doc.subject,
            "due_date": doc.due_date.isoformat() if doc.due_date else None,
            "receivers": [{
                "role": a.role.value, "unit": unit_view(units.get(a.to_unit_id) if a.to_unit_id else None),
                "user": {"username": people[a.to_user_id].username, "full_name": people[a.to_user_id].full_name}
                if a.to_user_id in people else None,
                "deadline": a.deadline.isoformat() if a.deadline else None,
            } for a in given],
        })
    return {
        "agency": agency_view(agency), "date": day.isoformat(), "total": len(items), "items": items,
        "units": [{"unit": unit_view(unit), "documents": by_unit[unit.id if unit else None]}
                  for unit in [*units.values(), None] if by_unit.get(unit.id if unit else None)],
    }

"""Thời hạn bảo quản: how long a record is kept, counted from the year its work ended (Luật Lưu
trữ 2024, Art. 15 §3–4: the period runs from 31 December of that year), and which records are due
— for hand-over to the agency's archive (nộp lưu, within a year of the work's end: Decree 30
Art. 30) or for appraisal and destruction once their period is over (docs/archives.md). The period
is the record's retention, its agency's retention table item's term (engine.archives.table)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.archives.table import PERMANENT
from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden
from engine.models import DestructionEntry, DestructionList, DestructionStatus, Record, User
from engine.office import records
from engine.org import permissions

_YEARS = re.compile(r"^(\d{1,3}) năm$")


@dataclass(frozen=True)
class Period:
    years: int | None  # None: kept permanently
    end_year: int | None  # None: the record is still open
    until: date | None  # 31 December of end_year + years; None if permanent or open


def years_of(retention: str) -> int | None:
    """``"10 năm"`` → 10; ``"Vĩnh viễn"`` → None (the retention table's two kinds of entry)."""
    if retention == PERMANENT:
        return None
    found = _YEARS.match(retention)
    if found is None:
        raise ValueError(f"not a retention period: {retention!r}")
    return int(found.group(1))


def period(record: Record) -> Period:
    years, end = years_of(record.retention), record.closed_on.year if record.closed_on else None
    until = date(end + years, 12, 31) if years is not None and end is not None else None
    return Period(years, end, until)


def today(now: datetime) -> date:
    return now.astimezone(VIETNAM).date()


def listed_for_destruction(session: Session, agency_id: int) -> set[int]:
    """Records on a destruction list still under way or carried out: not offered again."""
    return set(session.scalars(
        select(DestructionEntry.record_id).join(DestructionList, DestructionList.id == DestructionEntry.list_id)
        .where(DestructionList.agency_id == agency_id, DestructionList.status != DestructionStatus.REJECTED)))


def row(session: Session, record: Record) -> dict[str, Any]:
    kept = period(record)
    due = records.archive_due(record)
    return {"id": record.id, "code": records.code(session, record), "title": record.title,
            "retention": record.retention, "retention_item": records.view_item(session, record),
            "end_year": kept.end_year,
            "retention_until": kept.until.isoformat() if kept.until else None,
            "handover_due": due.isoformat() if due else None, "archived": record.archived}


def ensure_archivist(session: Session, user: User, agency_id: int) -> None:
    """Hand-over packages and destruction lists are the register keepers' work (the văn thư, the office)."""
    if not permissions.positions_in(session, user, agency_id) & permissions.REGISTER_KEEPERS:
        raise Forbidden("Chỉ văn thư, lãnh đạo và văn phòng cơ quan được lập gói nộp lưu hoặc danh mục hủy.")


def due_for(session: Session, user: User, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """``due`` for my agency, if I keep its registers."""
    agency_id = records.agency_of(session, user).id
    ensure_archivist(session, user, agency_id)
    return due(session, agency_id, now)


def due(session: Session, agency_id: int, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """The agency's closed records: those due for hand-over (not yet handed, a year after their end
    or sooner within the notice), and those whose retention period is over and not yet listed."""
    day = today(now)
    closed = session.scalars(select(Record).where(Record.agency_id == agency_id, Record.personal.is_(False),
                                                  Record.closed_on.is_not(None))
                             .order_by(Record.closed_on, Record.id)).all()
    listed = listed_for_destruction(session, agency_id)
    handover, expired = [], []
    for record in closed:
        hand_by = records.archive_due(record)
        if not record.archived and hand_by is not None and day >= hand_by - records.NOTICE:
            handover.append(row(session, record))
        until = period(record).until
        if until is not None and day > until and record.id not in listed:
            expired.append(row(session, record))
    return {"handover": handover, "expired": expired}

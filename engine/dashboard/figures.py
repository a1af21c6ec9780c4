"""What the home page counts for each person (trang tổng quan): everyone's tasks to handle and
overdue; a leader's drafts to approve and sign; for those who keep the registers (clerk,
leaders, office chief), the agency's documents received and issued this month."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import Agency, Direction, Document, DocumentStatus, Unit, User, UserPosition
from engine.office import queries
from engine.org.permissions import REGISTER_KEEPERS
from engine.reporting import reports

LEADERS = frozenset({"director", "deputy_director"})


def _positions(session: Session, user: User) -> dict[int, set[str]]:
    """The user's positions by agency."""
    found: dict[int, set[str]] = {}
    rows = session.execute(select(Unit.agency_id, UserPosition.position)
                           .join(Unit, Unit.id == UserPosition.unit_id).where(UserPosition.user_id == user.id))
    for agency_id, position in rows:
        found.setdefault(agency_id, set()).add(position.value)
    return found


def _month_counts(session: Session, agency_id: int, first: date, last: date) -> dict[str, int]:
    received = session.scalar(select(func.count()).select_from(Document).where(
        Document.agency_id == agency_id, Document.direction == Direction.INCOMING,
        Document.status != DocumentStatus.DRAFT, Document.arrival_date >= first, Document.arrival_date <= last)) or 0
    low, high = reports.utc_bounds(first, last)
    issued = session.scalar(select(func.count()).select_from(Document).where(
        Document.agency_id == agency_id, Document.direction == Direction.OUTGOING,
        Document.issued_at >= low, Document.issued_at < high)) or 0
    return {"received": received, "issued": issued}


def figures(session: Session, user: User, now: datetime) -> dict[str, Any]:
    """The counts the home page shows ``user``; a figure they have no use for is left out (None)."""
    counts = queries.tab_counts(session, user, now)
    positions = _positions(session, user)
    every = set().union(*positions.values()) if positions else set()
    today = reports.today(now)
    first = today.replace(day=1)
    agencies = []
    for agency_id, held in positions.items():
        if held & REGISTER_KEEPERS:
            agency = session.get(Agency, agency_id)
            assert agency is not None
            agencies.append({"code": agency.code, "name": agency.name,
                             **_month_counts(session, agency_id, first, today)})
    return {
        "todo": counts["todo"], "overdue": counts["overdue"], "following": counts["following"],
        "to_sign": queries.to_sign_count(session, user, now) if every & LEADERS else None,
        "month": {"year": today.year, "month": today.month}, "agencies": agencies,
    }

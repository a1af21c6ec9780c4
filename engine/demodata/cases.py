"""A few real cases per agency, started through its procedures: outgoing ones by a specialist,
incoming ones by the clerk, so that the drafters' and the clerks' inboxes ("Công việc") hold
tasks on first login."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import DomainError
from engine.models import Agency, Case, Position, Unit, User, UserPosition
from engine.workflow import cases
from engine.workflow.definitions import latest_versions, version_info

from . import letters

PER_PROCESS = 3
STARTERS = {"outgoing": Position.SPECIALIST, "incoming": Position.CLERK}


def start(session: Session, now: datetime) -> int:
    """Start PER_PROCESS cases of each procedure started by hand that has no case yet."""
    started = 0
    for version in latest_versions(session):
        info = version_info(session, version.id)
        if info.document_kind not in STARTERS or info.start_messages or info.agency_code is None:
            continue
        agency = session.scalar(select(Agency).where(Agency.code == info.agency_code))
        if agency is None or session.scalar(select(func.count()).select_from(Case).where(
                Case.agency_id == agency.id, Case.process_version_id == version.id)):
            continue
        drafter = session.scalar(select(User).join(UserPosition, UserPosition.user_id == User.id)
                                 .join(Unit, Unit.id == UserPosition.unit_id)
                                 .where(Unit.agency_id == agency.id,
                                        UserPosition.position == STARTERS[info.document_kind])
                                 .order_by(User.id).limit(1))
        if drafter is None:
            continue
        for i in range(PER_PROCESS):
            data = {"subject": letters.subject(i + 7, "năm " + str(now.year)), "doc_type": letters.TYPES[i]}
            if info.document_kind == "incoming":
                data.update(channel="electronic", number_symbol=f"{40 + i}/{letters.ISSUER_SYMBOLS[i]}",
                            issuer_name=letters.ISSUERS[i], document_date=now.astimezone(VIETNAM).date().isoformat())
            try:
                with session.begin_nested():
                    cases.start_case(session, drafter, version.process_id, data, now)
            except DomainError:
                break  # this procedure's start form asks for more: its cases are started by hand
            started += 1
    return started

"""Refusals that must be on record though their transaction is rolled back: a diagram's
code that failed or went over its budget (engine/workflow/sandbox.py), a liên thông message refused
(engine/interagency/case_messages.py). The step is refused and rolled back; ``Database.write`` then
writes the refusal to the audit log in a transaction of its own, and a refusal on a case
stays open as an incident (sự cố) for the operators' incident desk (engine/operations),
whichever entry point (API, page, worker) ran the step."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData, dumped
from engine.models import Case, Incident, IncidentStatus

if TYPE_CHECKING:
    from engine.core.db import Database


class Refused(InvalidData):
    """A refusal to audit: ``action`` and ``payload`` say what; the caller that knows them
    fills in the case, the person and the time (``on_case``); without a time it is not
    audited."""

    action = "refused"

    def __init__(self, message: str, fields: dict[str, str], payload: dict[str, Any]) -> None:
        super().__init__(message, fields)
        self.payload = payload
        self.case_id: int | None = None
        self.actor_id: int | None = None
        self.at: datetime | None = None
        # The open task whose completion was refused, and what was entered: the incident
        # desk retries the step with them.
        self.task_id: str | None = None
        self.data: dict[str, Any] | None = None


@contextlib.contextmanager
def on_case(case_id: int | None, process: str, actor_id: int | None, now: datetime, task_id: str | None = None,
            data: dict[str, Any] | None = None) -> Iterator[None]:
    """Name the case (None while it is being started), process and person of a refusal
    raised inside, unless a step nearer to it has; and the task being completed with what
    was entered."""
    try:
        yield
    except Refused as err:
        if "process" not in err.payload:
            err.payload["process"] = process
            err.case_id, err.actor_id, err.at = case_id, actor_id, now
            err.task_id, err.data = task_id, data
        raise


def record(db: Database, err: Refused) -> None:
    """After the rollback: one audit entry. A case started in the rolled-back transaction
    does not exist: the entry then names none (its process is in the payload)."""
    assert err.at is not None
    with db.write() as session:
        case_id = err.case_id if err.case_id is not None and session.get(Case, err.case_id) is not None else None
        audit.append(session, at=err.at, action=err.action, actor_id=err.actor_id, case_id=case_id,
                     task_id=err.task_id if case_id else None, payload=err.payload)
        if case_id is not None:
            note_incident(session, err)


def note_incident(session: Session, err: Refused) -> Incident:
    """The case's open incident for this failure (same kind, same task), counted up, or a new
    one. ``err`` names its case and time."""
    assert err.case_id is not None and err.at is not None
    # The message kept as template and parameters too, for the desk to say it in the operator's language.
    detail = json.dumps({**err.payload, "data": err.data, "said": dumped(err.message)}, ensure_ascii=False, default=str)
    found = session.scalars(select(Incident).where(
        Incident.case_id == err.case_id, Incident.kind == err.action, Incident.status == IncidentStatus.OPEN,
        Incident.task_id.is_(None) if err.task_id is None else Incident.task_id == err.task_id)).first()
    if found is None:
        found = Incident(case_id=err.case_id, kind=err.action, task_id=err.task_id, first_at=err.at, count=0,
                         status=IncidentStatus.OPEN)
        session.add(found)
    found.message, found.detail_json, found.actor_id = err.message, detail, err.actor_id
    found.last_at, found.count = err.at, found.count + 1
    session.flush()
    return found

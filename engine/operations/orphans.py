"""Open tasks nobody can take any more: every person they were given to has left (account
disabled). Nothing fails when it happens — the case just waits — so the worker looks for
them at each sweep and keeps each one as an incident for the desk (giao lại)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.audit.refusals import Refused, note_incident
from engine.core.db import Database
from engine.core.errors import Text
from engine.models import Case, CaseStatus, HumanTask, Incident, IncidentStatus, TaskCandidate, TaskStatus, User

KIND = "task_orphaned"


class TaskOrphaned(Refused):
    action = KIND

    def __init__(self, task: HumanTask) -> None:
        super().__init__(Text("Bước '%(task)s' không còn ai xử lý: những người được giao đã thôi làm việc "
                              "(tài khoản bị khóa).", task=task.title),
                         {"task": "Giao lại cho người khác."},
                         {"element": task.spec_name, "lane": task.lane})


def scan(session: Session, now: datetime) -> int:
    """Keep an incident for every open task of a running case whose people are all inactive,
    unless one is open already; how many were new."""
    anyone = exists().where(TaskCandidate.task_id == HumanTask.id, TaskCandidate.user_id == User.id,
                            User.active.is_(True))
    known = exists().where(Incident.task_id == HumanTask.id, Incident.kind == KIND,
                           Incident.status == IncidentStatus.OPEN)
    rows = session.scalars(select(HumanTask).join(Case, Case.id == HumanTask.case_id).where(
        HumanTask.status == TaskStatus.OPEN, Case.status == CaseStatus.RUNNING, ~anyone, ~known).limit(1000))
    found = 0
    for task in rows:
        err = TaskOrphaned(task)
        err.case_id, err.at, err.task_id = task.case_id, now, task.id
        audit.append(session, at=now, action=KIND, case_id=task.case_id, task_id=task.id, payload=err.payload)
        note_incident(session, err)
        found += 1
    return found


def sweep(db: Database, now: datetime) -> int:
    """``scan`` in a transaction of its own: the worker's job."""
    with db.write() as session:
        return scan(session, now)

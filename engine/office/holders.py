"""Who holds a case's document now (văn bản đang ở đâu): its open steps and the people each
waits for, by name and position; what a confirmation after a decision tells the person who
decided."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Case, CaseStatus, HumanTask, TaskCandidate, TaskStatus
from engine.office.people import people


def now_holding(session: Session, case_id: int) -> dict[str, Any]:
    """``finished``: the case has ended; ``steps``: each open step's title and its people."""
    case = session.get(Case, case_id)
    rows = session.execute(
        select(HumanTask.id, HumanTask.title, TaskCandidate.user_id)
        .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
        .where(HumanTask.case_id == case_id, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.created_at, HumanTask.id, TaskCandidate.user_id)
    ).all()
    named = people(session, {user_id for _, _, user_id in rows})
    steps: dict[str, dict[str, Any]] = {}
    for task_id, title, user_id in rows:
        step = steps.setdefault(task_id, {"title": title, "people": []})
        step["people"].append(named[user_id].as_dict())
    return {"finished": case is None or case.status != CaseStatus.RUNNING, "steps": list(steps.values())}

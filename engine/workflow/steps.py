"""Bookkeeping after the engine moves: open human tasks, timers, case status and state.

Every path that moves a case (start, completion, timer) ends here, so the task table,
the timer table and the saved workflow can never disagree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm.util import identity_key

from engine import hooks
from engine.audit.refusals import Refused
from engine.core.errors import Conflict, Text
from engine.models import Case, CaseStatus, HumanTask, TaskCandidate, TaskStatus, Timer
from engine.office import notifications
from engine.workflow import deadlines, roles, state
from engine.workflow.bpmn_check import FORM_PROPERTY
from engine.workflow.definitions import VersionInfo

# Built once: every move of a case runs them (engine/core/db.py says why). The case's row and its
# tasks' are written with statements, not the unit of work: a step writes the same few columns of
# rows it holds, and flushing them through the ORM cost more than the rest of its bookkeeping.
_CASES = Case.metadata.tables[Case.__tablename__]
_TASKS = HumanTask.metadata.tables[HumanTask.__tablename__]
_OPEN_TASKS = select(_TASKS.c.id).where(_TASKS.c.case_id == bindparam("case_id"), _TASKS.c.status == TaskStatus.OPEN)
_CANCEL_TASKS = (update(_TASKS).where(_TASKS.c.id.in_(bindparam("ids", expanding=True)))
                 .values(status=TaskStatus.CANCELLED))
_COMPLETE_TASK = (update(_TASKS).where(_TASKS.c.id == bindparam("task_id"), _TASKS.c.status == TaskStatus.OPEN)
                  .values(status=TaskStatus.COMPLETED, completed_at=bindparam("at"), completed_by=bindparam("by"),
                          on_behalf_of=bindparam("for_whom")))
# Checked against the revision read with the case, as the ORM's version counter (Case.revision) is.
_SAVE_CASE = (update(_CASES).where(_CASES.c.id == bindparam("case_id"), _CASES.c.revision == bindparam("was"))
              .values(status=bindparam("new_status"), data_json=bindparam("new_data"),
                      state_json=bindparam("new_state"), updated_at=bindparam("at"), revision=bindparam("next")))
_PENDING_TIMERS = select(Timer).where(
    Timer.case_id == bindparam("case_id"), Timer.fired_at.is_(None), Timer.cancelled.is_(False)
)
_INSERT_TASKS = insert(HumanTask.metadata.tables[HumanTask.__tablename__])
_INSERT_CANDIDATES = insert(TaskCandidate.metadata.tables[TaskCandidate.__tablename__])
_RAN = TaskState.READY | TaskState.STARTED | TaskState.COMPLETED  # a timer event's states once it fired


class LaneUnresolved(Refused):
    """A task's lane resolves to nobody (e.g. the unit chosen has no head): the step that would
    open it is refused, and the case waits at the incident desk for a person to be named."""

    action = "lane_unresolved"

    def __init__(self, task: Any) -> None:
        unit = task.data.get("unit") if isinstance(task.data.get("unit"), str) else None
        where = Text(" của đơn vị %(unit)s", unit=unit) if unit else ""
        lane = task.task_spec.lane
        super().__init__(Text("Không xác định được người xử lý bước '%(step)s'%(where)s (vai trò '%(role)s'): "
                              "chưa có ai giữ vai trò này.", step=state.task_title(task), where=where, role=lane),
                         {"lane": Text("Vai trò '%(role)s' không có ai.", role=lane)},
                         {"element": task.task_spec.name, "lane": lane, "unit": unit})


@dataclass
class Changes:
    opened: list[dict[str, Any]] = field(default_factory=list)  # {id, task, candidates}
    cancelled: list[str] = field(default_factory=list)
    fired: list[str] = field(default_factory=list)  # timer event names
    path: list[list[str]] = field(default_factory=list)  # [from, to] element moves, see state.path_since

    def as_payload(self) -> dict[str, Any]:
        return {"opened": self.opened, "cancelled": self.cancelled, "fired": self.fired, "path": self.path}


def persist(
    session: Session, case: Case, workflow: BpmnWorkflow, info: VersionInfo, now: datetime, before: set[UUID],
    returned_note: str | None = None, timers_before: bool = True, assign: dict[str, list[int]] | None = None,
) -> Changes:
    """Bring the task and timer tables in line with the workflow, then save it, and tell
    the people of each new task (with the note, when the step was a return).

    ``before`` holds the ids of the tasks completed before this step, to log the path;
    ``timers_before`` says whether the workflow waited on a timer before it (when it did
    not and does not now, the case has no timer rows to look at). ``assign`` names the people an
    operator chose at the incident desk for tasks (by element) whose lane resolves to nobody."""
    changes = Changes(path=state.path_since(workflow, before))
    last = workflow.last_task
    decision = last.data.get("decision") if last else None
    data_json = json.dumps(dict(last.data) if last is not None else {}, ensure_ascii=False, default=str)
    new = case.id is None
    if new:
        # A new case is inserted with its state (not inserted empty, then updated): it has no task
        # nor timer rows yet, and the rows made below need its id. The state is saved after the
        # path is read, as saving prunes the history the path comes from.
        _save(case, workflow, data_json, now)
        session.flush()
    _sync_tasks(session, case, workflow, now, changes, assign or {}, new)
    notifications.tasks_opened(session, case, changes.opened, now, returned_note)
    _sync_timers(session, case, workflow, now, changes, timers_before, new)
    hooks.case_moved(session, case, info.task_properties, [o["task"] for o in changes.opened],
                     {source for source, _ in changes.path}, decision, now)
    if not new:
        # Saved after the timers' rows are brought in line: a timer that ran is told from one
        # cancelled by looking it up in the history that saving prunes.
        _save_again(session, case, workflow, data_json, now)
    session.flush()
    return changes


def case_status(workflow: BpmnWorkflow) -> CaseStatus:
    """What a case is while its workflow stands where ``workflow`` does (replay compares it too)."""
    return CaseStatus.COMPLETED if workflow.completed else CaseStatus.RUNNING


def _save(case: Case, workflow: BpmnWorkflow, data_json: str, now: datetime) -> None:
    case.status = case_status(workflow)
    case.data_json = data_json
    case.state_json = state.dump(workflow)
    case.updated_at = now


def _save_again(session: Session, case: Case, workflow: BpmnWorkflow, data_json: str, now: datetime) -> None:
    """:func:`_save` for a case already written, in one statement that moves its revision."""
    values = {"status": case_status(workflow), "data_json": data_json,
              "state_json": state.dump(workflow), "updated_at": now, "revision": case.revision + 1}
    done = session.connection().execute(_SAVE_CASE, {
        "case_id": case.id, "was": case.revision, "new_status": values["status"], "new_data": data_json,
        "new_state": values["state_json"], "at": now, "next": values["revision"]})
    if done.rowcount != 1:  # as the ORM's version check says it
        raise StaleDataError(f"UPDATE statement on table 'cases' expected to update 1 row(s); {done.rowcount} were "
                             "matched.")
    for name, value in values.items():
        set_committed_value(case, name, value)


def complete_row(session: Session, row: HumanTask, actor_id: int, on_behalf_of: int | None, now: datetime) -> None:
    """The open task ``row`` completed by ``actor_id`` (for ``on_behalf_of``): written at once,
    and only while it is open, so that a step cannot complete a task twice."""
    done = session.connection().execute(_COMPLETE_TASK, {"task_id": row.id, "at": now, "by": actor_id,
                                                         "for_whom": on_behalf_of})
    if done.rowcount != 1:
        raise Conflict("Công việc này đã được xử lý.")
    values = {"status": TaskStatus.COMPLETED, "completed_at": now, "completed_by": actor_id,
              "on_behalf_of": on_behalf_of}
    for name, value in values.items():
        set_committed_value(row, name, value)


def lane_people(session: Session, case: Case, task: Any) -> list[int]:
    ctx = roles.CaseContext(case.agency_id, case.initiator_id, case.initiator_unit_id, dict(task.data))
    return roles.resolve(session, task.task_spec.lane or "", ctx)


def _sync_tasks(session: Session, case: Case, workflow: BpmnWorkflow, now: datetime, changes: Changes,
                assign: dict[str, list[int]], new: bool) -> None:
    ready = {str(t.id): t for t in workflow.get_tasks(state=TaskState.READY, manual=True)}
    known = set() if new else set(session.connection().execute(_OPEN_TASKS, {"case_id": case.id}).scalars())
    changes.cancelled.extend(sorted(known - ready.keys()))
    if changes.cancelled:
        session.connection().execute(_CANCEL_TASKS, {"ids": changes.cancelled})
        for task_id in changes.cancelled:
            held = session.identity_map.get(identity_key(HumanTask, task_id))
            if held is not None:  # a task the step read: as the database has it now
                set_committed_value(held, "status", TaskStatus.CANCELLED)
    tasks: list[dict[str, Any]] = []
    candidates: list[dict[str, Any]] = []
    for task_id, task in ready.items():
        if task_id in known:
            continue
        people = lane_people(session, case, task)
        chosen = [] if people else assign.get(task.task_spec.name, [])
        people = people or chosen
        if not people:
            # Refused with the completion that would open it: the case stays with its holder.
            raise LaneUnresolved(task)
        title = state.task_title(task)
        tasks.append({"id": task_id, "case_id": case.id, "spec_name": task.task_spec.name, "title": title,
                      "lane": task.task_spec.lane or "", "form": state.extension_property(task, FORM_PROPERTY),
                      "status": TaskStatus.OPEN, "created_at": now, "due_at": deadlines.due_at(task, now)})
        candidates.extend({"task_id": task_id, "user_id": uid} for uid in dict.fromkeys(people))
        opened: dict[str, Any] = {"id": task_id, "task": task.task_spec.name, "title": title, "candidates": people}
        kind = state.extension_property(task, "taskKind")
        if kind:
            opened["kind"] = kind
        if chosen:
            opened["assigned"] = True  # by an operator: the replay does not resolve its lane
        changes.opened.append(opened)
    if tasks:
        # Written at once, as the notifications and the audit entry are: nothing reads the new
        # rows back as objects in the step's transaction, and the unit of work cost more than the
        # two inserts (engine/core/db.py).
        session.execute(_INSERT_TASKS, tasks)
        session.execute(_INSERT_CANDIDATES, candidates)


def _sync_timers(session: Session, case: Case, workflow: BpmnWorkflow, now: datetime, changes: Changes,
                 timers_before: bool, new: bool) -> None:
    waiting = {str(t.id): (t, due) for t, due in state.waiting_timers(workflow)}
    if not waiting and not timers_before:
        return
    pending = [] if new else session.scalars(_PENDING_TIMERS, {"case_id": case.id}).all()
    for timer in pending:
        if timer.task_id in waiting:
            continue
        # Fired only if its event ran: a due timer whose task was completed before any sweep
        # reached it was cancelled with that task, and its path never ran (issue 11).
        try:
            ran = workflow.get_task_from_id(UUID(timer.task_id)).has_state(_RAN)
        except TaskNotFoundException:  # gone with a path the case left
            ran = False
        if ran:
            timer.fired_at = now
            changes.fired.append(timer.spec_name)
        else:
            timer.cancelled = True
    known = {t.task_id for t in pending}
    for task_id, (task, due) in waiting.items():
        if task_id not in known:
            session.add(Timer(case_id=case.id, task_id=task_id, spec_name=task.task_spec.name, due_at=due))

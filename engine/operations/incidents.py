"""The incident desk (bàn xử lý sự cố): the open incidents of the cases of the agencies a person
operates (engine.org.permissions.operated), and their repairs. Each repair locks the case,
changes it in the caller's transaction, resolves the incident and appends one audit entry
naming the incident and the operator's reason; ``qlvb audit replay`` makes the same move."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import FakeClock, using
from engine.core.errors import Conflict, InvalidData, NotFound, Text, loaded
from engine.models import (
    Case,
    CaseStatus,
    HumanTask,
    Incident,
    IncidentStatus,
    TaskCandidate,
    TaskStatus,
    Unit,
    User,
    UserPosition,
)
from engine.office import notifications
from engine.org import permissions
from engine.workflow import cases, sandbox, state, surgery, timers
from engine.workflow.definitions import version_info
from engine.workflow.steps import persist

KINDS = {"lane_unresolved": Text("Không xác định được người xử lý"), "script_failed": Text("Mã của quy trình bị dừng"),
         "action_failed": Text("Thao tác của bước gặp lỗi"), "timer_failed": Text("Bước hẹn giờ gặp lỗi"),
         "message_refused": Text("Thông điệp liên thông bị từ chối"),
         "task_orphaned": Text("Bước không còn người xử lý")}
MAX_REASON = 1000


def _agencies(session: Session, user: User) -> list[int]:
    return sorted(permissions.operated(session, user).values())


def listing(session: Session, user: User, status: IncidentStatus = IncidentStatus.OPEN) -> list[dict[str, Any]]:
    """The incidents of the person's agencies, the newest failure first."""
    rows = session.execute(
        select(Incident, Case).join(Case, Case.id == Incident.case_id)
        .where(Case.agency_id.in_(_agencies(session, user)), Incident.status == status)
        .order_by(Incident.last_at.desc(), Incident.id.desc()).limit(500)
    )
    return [_summary(i, c) for i, c in rows]


def _summary(incident: Incident, case: Case) -> dict[str, Any]:
    return {"id": incident.id, "case_id": case.id, "case_title": case.title, "kind": incident.kind,
            "kind_title": KINDS.get(incident.kind, incident.kind),
            "message": loaded(json.loads(incident.detail_json or "{}").get("said", incident.message)),
            "task_id": incident.task_id, "count": incident.count, "status": incident.status.value,
            "first_at": incident.first_at.isoformat(), "last_at": incident.last_at.isoformat(),
            "resolution": incident.resolution}


def _incident(session: Session, user: User, incident_id: int, lock: bool = False) -> tuple[Incident, Case]:
    incident = session.get(Incident, incident_id)
    case = session.get(Case, incident.case_id) if incident is not None else None
    if incident is None or case is None:
        raise NotFound("Không tìm thấy sự cố.")
    if case.agency_id not in _agencies(session, user):
        raise NotFound("Không tìm thấy sự cố.")
    if lock:
        case = session.scalars(select(Case).where(Case.id == case.id).with_for_update()).one()
        if incident.status != IncidentStatus.OPEN:
            raise Conflict("Sự cố này đã được xử lý.")
    return incident, case


def ensure_visible(session: Session, user: User, incident_id: int) -> None:
    """NotFound unless the incident is of a case of the person's agencies (Forbidden if they operate none)."""
    _incident(session, user, incident_id)


def people(session: Session, agency_id: int) -> list[dict[str, Any]]:
    """The active people of the agency, for the pickers."""
    rows = session.execute(
        select(User.id, User.username, User.full_name).join(UserPosition, UserPosition.user_id == User.id)
        .join(Unit, Unit.id == UserPosition.unit_id).where(Unit.agency_id == agency_id, User.active.is_(True))
        .distinct().order_by(User.full_name))
    return [{"id": i, "username": u, "full_name": n} for i, u, n in rows]


def detail(session: Session, user: User, incident_id: int) -> dict[str, Any]:
    """An incident with what its repairs need: the case's open tasks and their people, the tasks
    of its diagram, the agency's people."""
    incident, case = _incident(session, user, incident_id)
    info = version_info(session, case.process_version_id)
    names = {p["id"]: p for p in people(session, case.agency_id)}
    tasks = [{"id": t.id, "task": t.spec_name, "title": t.title, "lane": t.lane,
              "candidates": [names.get(c.user_id, {"full_name": str(c.user_id)})["full_name"] for c in t.candidates]}
             for t in cases.open_tasks(session, case.id)]
    detail_json = json.loads(incident.detail_json)
    return {**_summary(incident, case), "detail": detail_json, "case_status": case.status.value,
            "process": info.process_id, "version": info.version, "open_tasks": tasks,
            "elements": surgery.elements(info.spec), "people": list(names.values()),
            "element": detail_json.get("element"), "can_retry": _retry_kind(incident) is not None}


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidData("Cần ghi lý do.", {"reason": "Ghi lý do xử lý sự cố."})
    if len(reason) > MAX_REASON:
        raise InvalidData("Lý do quá dài.", {"reason": Text("Tối đa %(n)s ký tự.", n=MAX_REASON)})
    return reason


def _person(session: Session, case: Case, person_id: int | None, field: str = "person") -> User:
    person = session.get(User, person_id) if person_id else None
    if person is None or not person.active or case.agency_id not in permissions.agencies_of(session, person):
        raise InvalidData("Người được chọn không hợp lệ.", {field: "Chọn một người của cơ quan."})
    return person


def _open_row(session: Session, case: Case, task_id: str | None) -> HumanTask:
    row = session.get(HumanTask, task_id) if task_id else None
    if row is None or row.case_id != case.id or row.status != TaskStatus.OPEN:
        raise InvalidData("Bước này không còn chờ xử lý.", {"task": "Chọn một bước đang mở của hồ sơ."})
    return row


def _resolve(incident: Incident, user: User, now: datetime, what: str, reason: str) -> dict[str, Any]:
    incident.status, incident.resolved_at, incident.resolved_by = IncidentStatus.RESOLVED, now, user.id
    incident.resolution = f"{what}: {reason}"
    return {"incident": incident.id, "reason": reason}


def reassign(session: Session, user: User, incident_id: int, task_id: str, person_id: int | None, reason: str,
             now: datetime) -> Case:
    """Giao lại: the open task goes to one person instead of its candidates."""
    reason = _reason(reason)
    incident, case = _incident(session, user, incident_id, lock=True)
    row = _open_row(session, case, task_id)
    person = _person(session, case, person_id)
    before = [c.user_id for c in row.candidates]
    row.candidates = [TaskCandidate(user_id=person.id)]
    session.flush()
    opened = {"id": row.id, "task": row.spec_name, "title": row.title, "candidates": [person.id]}
    notifications.tasks_opened(session, case, [opened], now)
    extra = _resolve(incident, user, now, f"giao lại cho {person.full_name}", reason)
    audit.append(session, at=now, action="task_reassigned", actor_id=user.id, case_id=case.id, task_id=row.id,
                 payload={"task": row.spec_name, "title": row.title, "from": before, "to": [person.id], **extra})
    return case


def _retry_kind(incident: Incident) -> str | None:
    if incident.kind in ("message_refused", "task_orphaned"):  # nothing failed to run again
        return None
    return "task" if incident.task_id else "timer"


def retry(session: Session, user: User, incident_id: int, assign: dict[str, int], reason: str,
          now: datetime) -> Case:
    """Chạy lại bước: the refused step again — the completion with what its person entered, or
    the case's timers — with, for tasks whose lane still names nobody, the people chosen."""
    reason = _reason(reason)
    incident, case = _incident(session, user, incident_id, lock=True)
    chosen = {element: [_person(session, case, pid, f"assign-{element}").id] for element, pid in assign.items() if pid}
    kind = _retry_kind(incident)
    if kind is None:
        raise InvalidData("Sự cố này không có bước nào để chạy lại: giao lại, chuyển bước hoặc hủy hồ sơ.")
    extra = _resolve(incident, user, now, "chạy lại bước", reason)
    if kind == "timer":
        timers.fire(session, case, version_info(session, case.process_version_id), now, chosen, extra)
        return case
    row = _open_row(session, case, incident.task_id)
    original = session.get(User, incident.actor_id) if incident.actor_id else None
    if original is None:
        raise InvalidData("Không rõ người đã xử lý bước này.")
    data = json.loads(incident.detail_json).get("data") or {}
    how = cases.Completion(on_behalf_of=original.id, recorded_by=user, assign=chosen, extra=extra)
    return cases.run_completion(session, case, row, original, data, now, None, how)


def move(session: Session, user: User, incident_id: int, task_id: str, target: str, person_id: int | None,
         reason: str, now: datetime) -> Case:
    """Chuyển bước: the case leaves its open task for another task of its diagram; ``person_id``
    takes the new task if its lane names nobody."""
    reason = _reason(reason)
    incident, case = _incident(session, user, incident_id, lock=True)
    row = _open_row(session, case, task_id)
    chosen = {target: [_person(session, case, person_id).id]} if person_id else {}
    info = version_info(session, case.process_version_id)
    with using(FakeClock(now)):
        workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
        task = workflow.get_task_from_id(UUID(row.id))
        before = state.completed_ids(workflow)
        surgery.move(workflow, task, target)
        sandbox.run_engine(workflow)
    extra = _resolve(incident, user, now, f"chuyển sang bước {target}", reason)
    changes = persist(session, case, workflow, info, now, before, assign=chosen)
    audit.append(session, at=now, action="case_moved", actor_id=user.id, case_id=case.id, task_id=row.id,
                 payload={"task": row.spec_name, "title": row.title, "to": target, **extra,
                          "status": case.status.value, **changes.as_payload()})
    return case


def cancel(session: Session, user: User, incident_id: int, reason: str, now: datetime) -> Case:
    """Hủy hồ sơ: the case ends where it stands, its open tasks and timers cancelled."""
    reason = _reason(reason)
    incident, case = _incident(session, user, incident_id, lock=True)
    if case.status != CaseStatus.RUNNING:
        raise Conflict("Hồ sơ đã kết thúc.")
    info = version_info(session, case.process_version_id)
    with using(FakeClock(now)):
        workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
        before = state.completed_ids(workflow)
        workflow.cancel()
    extra = _resolve(incident, user, now, "hủy hồ sơ", reason)
    changes = persist(session, case, workflow, info, now, before)
    audit.append(session, at=now, action="case_cancelled", actor_id=user.id, case_id=case.id,
                 payload={**extra, "status": case.status.value, **changes.as_payload()})
    return case


def close(session: Session, user: User, incident_id: int, reason: str, now: datetime) -> None:
    """Đóng sự cố: nothing to repair any more (the step went through another way)."""
    reason = _reason(reason)
    incident, case = _incident(session, user, incident_id, lock=True)
    extra = _resolve(incident, user, now, "đóng sự cố", reason)
    audit.append(session, at=now, action="incident_closed", actor_id=user.id, case_id=case.id,
                 task_id=incident.task_id, payload=extra)

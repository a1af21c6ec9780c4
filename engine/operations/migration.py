"""Moving running cases from one version of their process to another (chuyển phiên bản): the
dry run says, case by case, which can move — every live task has its element in the new
version, directly or through the operator's mapping (old element → new), the new lanes name
someone and the new forms exist — and why the others cannot; the move is one transaction per
case and one audit entry with the mapping; it is reverted, with the inverse mapping, while no
step has run on the new version. ``qlvb audit replay`` re-points the replayed workflow at the
same entries (engine.workflow.surgery.repoint), so migrated cases replay."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import FakeClock, using
from engine.core.db import Database
from engine.core.errors import Conflict, DomainError, InvalidData, NotFound, Text
from engine.models import Case, CaseStatus, HumanTask, ProcessVersion, TaskCandidate, TaskStatus, User
from engine.org import permissions
from engine.workflow import roles, state, surgery
from engine.workflow.bpmn_check import FORM_PROPERTY
from engine.workflow.definitions import VersionInfo, version_info
from engine.workflow.replay import MIGRATIONS
from engine.workflow.steps import persist

MIGRATED, REVERTED = MIGRATIONS
# What moves a case on: after one of these, the case ran on its new version and stays there.
_STEPS = frozenset({"task_completed", "timer_fired", "message_received", "case_moved", "case_cancelled",
                    "case_resumed", "case_refused", MIGRATED, REVERTED})


@dataclass
class CasePlan:
    case_id: int
    title: str
    tasks: list[dict[str, str]] = field(default_factory=list)  # open tasks: {id, from, to, title}
    reasons: list[str] = field(default_factory=list)  # why it cannot move, in Vietnamese

    @property
    def movable(self) -> bool:
        return not self.reasons


def _version(session: Session, user: User, process_id: str, number: int) -> ProcessVersion:
    row = session.scalars(select(ProcessVersion).where(ProcessVersion.process_id == process_id,
                                                       ProcessVersion.version == number)).first()
    codes = permissions.agency_codes(row.agency_code) if row is not None else None
    # A process of other agencies only is not found, as their other objects are not.
    if row is None or codes is not None and not set(codes) & set(permissions.operated(session, user)):
        raise NotFound(Text("Không có phiên bản %(number)s của quy trình '%(process)s'.",
                            number=number, process=process_id))
    return row


def versions(session: Session, user: User, process_id: str) -> list[dict[str, Any]]:
    """The versions of a process with how many of the person's agencies' cases run on each."""
    agencies = sorted(permissions.operated(session, user).values())
    latest = session.scalars(select(func.max(ProcessVersion.version)).where(
        ProcessVersion.process_id == process_id)).first()
    if latest is None:
        return []
    _version(session, user, process_id, latest)
    rows = session.execute(
        select(ProcessVersion.version, ProcessVersion.name, ProcessVersion.deployed_at, func.count(Case.id))
        .outerjoin(Case, (Case.process_version_id == ProcessVersion.id) & (Case.status == CaseStatus.RUNNING)
                   & Case.agency_id.in_(agencies))
        .where(ProcessVersion.process_id == process_id).group_by(ProcessVersion.id).order_by(ProcessVersion.version))
    return [{"version": v, "name": n, "deployed_at": d.isoformat(), "running": c} for v, n, d, c in rows]


def choices(session: Session, user: User, process_id: str, from_version: int,
            to_version: int) -> dict[str, list[tuple[str, str]]]:
    """What the mapping form offers: the tasks of the old version the new one lacks, and the
    tasks of the new version they may be mapped to, as (element, name)."""
    old, new = (version_info(session, _version(session, user, process_id, n).id) for n in (from_version, to_version))
    targets = [pair for spec in (new.spec, *new.subprocess_specs.values()) for pair in surgery.elements(spec)]
    known = {name for name, _ in targets}
    missing = [pair for spec in (old.spec, *old.subprocess_specs.values()) for pair in surgery.elements(spec)
               if pair[0] not in known]
    return {"missing": missing, "targets": targets}


def _find_spec(info: VersionInfo, name: str) -> Any:
    for spec in (info.spec, *info.subprocess_specs.values()):
        if name in spec.task_specs:
            return spec.task_specs[name]
    return None


def check_mapping(old: VersionInfo, new: VersionInfo, mapping: dict[str, str]) -> dict[str, str]:
    """The mapping's elements exist in their versions (InvalidData naming each one that does not)."""
    errors = {}
    for source, target in mapping.items():
        if _find_spec(old, source) is None:
            errors[source] = f"Phiên bản {old.version} không có bước '{source}'."
        elif _find_spec(new, target) is None:
            errors[source] = f"Phiên bản {new.version} không có bước '{target}'."
    if errors:
        raise InvalidData("Ánh xạ bước không hợp lệ.", errors)
    return {k: v for k, v in mapping.items() if k != v}


def _problems(session: Session, case: Case, workflow: BpmnWorkflow, new: VersionInfo,
              mapping: dict[str, str]) -> tuple[list[dict[str, str]], list[str]]:
    reasons = [f"bước '{name}' không có trong phiên bản {new.version} và chưa được ánh xạ"
               for name in surgery.unmatched(workflow, new.spec, new.subprocess_specs, mapping)]
    tasks = []
    for row in session.scalars(_open_rows(case.id)):
        target = mapping.get(row.spec_name, row.spec_name)
        spec = _find_spec(new, target)
        tasks.append({"id": row.id, "from": row.spec_name, "to": target, "title": row.title})
        if spec is None:
            continue
        if not getattr(spec, "manual", False):
            reasons.append(f"bước '{target}' của phiên bản {new.version} không phải việc của người xử lý")
            continue
        form = spec.extensions.get("properties", {}).get(FORM_PROPERTY)
        if form and form not in new.forms:
            reasons.append(f"biểu mẫu '{form}' của bước '{target}' không có trong phiên bản {new.version}")
        if (spec.lane or "") != row.lane and not _lane_people(session, case, workflow, row, spec.lane or ""):
            reasons.append(f"vai trò '{spec.lane}' của bước '{target}' không xác định được ai trong hồ sơ này")
    return tasks, reasons


def _open_rows(case_id: int) -> Any:
    return select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.status == TaskStatus.OPEN)


def _lane_people(session: Session, case: Case, workflow: BpmnWorkflow, row: HumanTask, lane: str) -> list[int]:
    task = workflow.get_task_from_id(UUID(row.id))
    ctx = roles.CaseContext(case.agency_id, case.initiator_id, case.initiator_unit_id, dict(task.data))
    return roles.resolve(session, lane, ctx)


def plan(session: Session, user: User, process_id: str, from_version: int, to_version: int,
         mapping: dict[str, str]) -> list[CasePlan]:
    """Chạy thử: every running case of the person's agencies on ``from_version``, movable or not and why."""
    old_row, new_row = (_version(session, user, process_id, n) for n in (from_version, to_version))
    old, new = version_info(session, old_row.id), version_info(session, new_row.id)
    mapping = check_mapping(old, new, mapping)
    agencies = sorted(permissions.operated(session, user).values())
    found = []
    for case in session.scalars(select(Case).where(
            Case.process_version_id == old.id, Case.status == CaseStatus.RUNNING, Case.agency_id.in_(agencies))
            .order_by(Case.id)):
        workflow = state.load(case.state_json, old.spec, old.subprocess_specs)
        tasks, reasons = _problems(session, case, workflow, new, mapping)
        found.append(CasePlan(case.id, case.title, tasks, reasons))
    return found


def _locked(session: Session, user: User, case_id: int) -> Case:
    case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()).first()
    if case is None or case.agency_id not in permissions.operated(session, user).values():
        raise NotFound(Text("Không tìm thấy hồ sơ %(case)s.", case=case_id))
    if case.status != CaseStatus.RUNNING:
        raise Conflict(Text("Hồ sơ %(case)s đã kết thúc.", case=case_id))
    return case


def _repoint(session: Session, case: Case, old: VersionInfo, new: VersionInfo, mapping: dict[str, str],
             now: datetime, check: bool) -> dict[str, Any]:
    with using(FakeClock(now)):
        workflow = state.load(case.state_json, old.spec, old.subprocess_specs)
        tasks, reasons = _problems(session, case, workflow, new, mapping)
        if check and reasons:
            raise InvalidData(f"Hồ sơ {case.id} không chuyển được: " + "; ".join(reasons) + ".")
        before = state.completed_ids(workflow)
        surgery.repoint(workflow, new.spec, new.subprocess_specs, mapping)
    for row in session.scalars(_open_rows(case.id)):
        spec = _find_spec(new, mapping.get(row.spec_name, row.spec_name))
        lane = spec.lane or ""
        if lane != row.lane:
            row.candidates = [TaskCandidate(user_id=uid) for uid in _lane_people(session, case, workflow, row, lane)]
        row.spec_name, row.title, row.lane = spec.name, str(spec.bpmn_name or spec.name), lane
        row.form = spec.extensions.get("properties", {}).get(FORM_PROPERTY)
    case.process_version_id = new.id
    changes = persist(session, case, workflow, new, now, before)
    return {"from_version_id": old.id, "to_version_id": new.id, "from_version": old.version,
            "to_version": new.version, "mapping": mapping, "tasks": tasks, **changes.as_payload()}


def migrate(session: Session, user: User, case_id: int, to_version: int, mapping: dict[str, str],
            now: datetime) -> Case:
    """Move one running case to ``to_version`` of its process, in the caller's transaction."""
    case = _locked(session, user, case_id)
    old = version_info(session, case.process_version_id)
    new = version_info(session, _version(session, user, old.process_id, to_version).id)
    if new.id == old.id:
        raise Conflict(Text("Hồ sơ %(case)s đã ở phiên bản %(version)s.", case=case_id, version=to_version))
    payload = _repoint(session, case, old, new, check_mapping(old, new, mapping), now, check=True)
    audit.append(session, at=now, action=MIGRATED, actor_id=user.id, case_id=case.id, payload=payload)
    return case


def migrate_batch(db: Database, user_id: int, case_ids: list[int], to_version: int, mapping: dict[str, str],
                  now: datetime) -> tuple[list[int], dict[int, str]]:
    """Each case in a transaction of its own: the cases moved, and why each other one was not."""
    moved, refused = [], {}
    for case_id in case_ids:
        try:
            with db.write() as session:
                user = session.get(User, user_id)
                assert user is not None
                migrate(session, user, case_id, to_version, mapping, now)
            moved.append(case_id)
        except (InvalidData, Conflict, NotFound) as err:
            refused[case_id] = err.message
    return moved, refused


def _last_move(session: Session, case_id: int) -> Any:
    return next((e for e in reversed(audit.case_entries(session, case_id)) if e.action in _STEPS), None)


def revertible(session: Session, user: User, process_id: str, number: int) -> list[dict[str, Any]]:
    """The running cases moved to this version that no step has run on since: those that may go back."""
    version = _version(session, user, process_id, number)
    agencies = sorted(permissions.operated(session, user).values())
    cases = session.scalars(select(Case).where(Case.process_version_id == version.id,
                                               Case.status == CaseStatus.RUNNING, Case.agency_id.in_(agencies))
                            .order_by(Case.id).limit(500))
    found = []
    for case in cases:
        last = _last_move(session, case.id)
        if last is not None and last.action == MIGRATED:
            found.append({"case_id": case.id, "title": case.title})
    return found


def revert(session: Session, user: User, case_id: int, now: datetime) -> Case:
    """Back to the version the case ran on before its last move, while no step has run since."""
    case = _locked(session, user, case_id)
    last = _last_move(session, case.id)
    if last is None or last.action != MIGRATED:
        raise Conflict("Hồ sơ đã xử lý bước nào đó trên phiên bản mới, hoặc chưa được chuyển phiên bản: "
                       "không hoàn tác được.")
    moved = json.loads(last.payload)
    old = version_info(session, case.process_version_id)
    back = version_info(session, int(moved["from_version_id"]))
    inverse = {target: source for source, target in moved["mapping"].items()}
    try:
        payload = _repoint(session, case, old, back, inverse, now, check=False)
    except DomainError as err:
        raise Conflict(Text("Không hoàn tác được: %(reason)s", reason=err.message)) from err
    audit.append(session, at=now, action=REVERTED, actor_id=user.id, case_id=case.id,
                 payload={"reverts": last.id, **payload})
    return case

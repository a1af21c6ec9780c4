"""Stranded cases: running, yet with nothing that could move them — no open task, no
pending timer, no awaited message. Nobody can act on one; only this check (and
``qlvb audit replay``) notices it.

Until the parsed diagram was wired like a deserialised one (``definitions.wire``), a case
whose multi-instance sub-process finished an instance in a process that had not itself
created one was left this way: the instance completed but was never merged into its
multi-instance task (issue 11). ``resume`` merges such instances with the wired diagram
and runs the engine on, so the case reaches its next task.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import LoopTask
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import FakeClock, using
from engine.core.db import Database
from engine.models import Case, CaseStatus, HumanTask, TaskStatus, Timer
from engine.workflow import state
from engine.workflow.definitions import version_info
from engine.workflow.steps import persist

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StrandedCase:
    case_id: int
    process_id: str
    version: int
    title: str
    updated_at: datetime

    def __str__(self) -> str:
        return (f"Hồ sơ {self.case_id} ({self.process_id} v{self.version}) «{self.title}»: đang xử lý nhưng không có "
                f"bước mở, hạn chờ hay thông điệp chờ nào, từ {self.updated_at.isoformat()}")


def _awaits_message(workflow: BpmnWorkflow) -> bool:
    return any(isinstance(t.task_spec, CatchingEvent) and state.timer_due(t) is None
               for t in workflow.get_tasks(state=TaskState.WAITING))


def find(session: Session) -> list[StrandedCase]:
    """Every stranded case, oldest change first. Only running cases with no open task and
    no pending timer are loaded, to look for a message they wait on."""
    candidates = session.scalars(
        select(Case).where(
            Case.status == CaseStatus.RUNNING,
            ~exists().where(HumanTask.case_id == Case.id, HumanTask.status == TaskStatus.OPEN),
            ~exists().where(Timer.case_id == Case.id, Timer.fired_at.is_(None), Timer.cancelled.is_(False)),
        ).order_by(Case.updated_at, Case.id)
    )
    found = []
    for case in candidates:
        info = version_info(session, case.process_version_id)
        if not _awaits_message(state.load(case.state_json, info.spec, info.subprocess_specs)):
            found.append(StrandedCase(case.id, info.process_id, info.version, case.title, case.updated_at))
    return found


def report(session: Session) -> list[StrandedCase]:
    """``find``, each one logged as a warning: run at server and worker start-up."""
    found = find(session)
    for case in found:
        log.warning("%s", case)
    return found


def _merge_unmerged(workflow: BpmnWorkflow) -> int:
    """Merge every finished instance that its loop or multi-instance task never merged."""
    merged = 0
    for sub in (workflow, *workflow.subprocesses.values()):
        for task in list(sub.tasks.values()):
            spec = task.task_spec
            if not isinstance(spec, LoopTask) or task.state != TaskState.STARTED:
                continue
            done = task.internal_data.get("merged", [])
            for child in list(task.children):
                if child.task_spec.name == spec.task_spec and child.state == TaskState.COMPLETED \
                        and str(child.id) not in done:
                    spec.merge_child(sub, child)
                    merged += 1
    return merged


def resume(session: Session, case_id: int, now: datetime) -> bool:
    """Move one stranded case on to its next task; False if nothing needed merging.
    The caller's transaction holds the case's row lock until it commits."""
    case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()).one()
    info = version_info(session, case.process_version_id)
    last = audit.case_entries(session, case.id)[-1].id
    with using(FakeClock(now)):
        workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
        before = state.completed_ids(workflow)
        merged = _merge_unmerged(workflow)
        if not merged:
            return False
        workflow.do_engine_steps()
    changes = persist(session, case, workflow, info, now, before)
    # ``resumes``: the entry whose step stalled; replay expects the tasks opened here at that one.
    audit.append(session, at=now, action="case_resumed", case_id=case.id,
                 payload={"resumes": last, "merged": merged, "status": case.status.value, **changes.as_payload()})
    return True


def repair(db: Database, now: datetime) -> tuple[list[int], list[StrandedCase]]:
    """Resume every stranded case, each in its own transaction: the ids of those moved on
    and the cases still stranded (stranded for another reason; they need a person)."""
    with db.read() as session:
        found = find(session)
    resumed = []
    for case in found:
        with db.write() as session:
            if resume(session, case.case_id, now):
                resumed.append(case.case_id)
    with db.read() as session:
        return resumed, find(session)

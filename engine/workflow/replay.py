"""``qlvb audit replay``: re-execute a case from its audit log on its deployed version.

The log holds what people entered and when timers fired; replaying it on a fresh
workflow must open the same tasks for the same people and end in the state the
database holds. Anything else means the case was moved outside the engine, or the
organisation changed since (the report says which step differs).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import FakeClock, using
from engine.core.errors import NotFound, Text
from engine.interagency import case_messages
from engine.models import AuditEntry, Case
from engine.workflow import state, surgery
from engine.workflow.cases import REFUSED_ACTION, open_tasks
from engine.workflow.definitions import version_info
from engine.workflow.steps import case_status, lane_people

MIGRATIONS = ("case_migrated", "case_migration_reverted")  # engine/operations/migration.py


@dataclass
class ReplayReport:
    case_id: int
    steps: int = 0
    differences: list[str] = field(default_factory=list)

    @property
    def matches(self) -> bool:
        return not self.differences


def _new_ready(workflow: BpmnWorkflow, known: set[str]) -> list[Task]:
    return [t for t in workflow.get_tasks(state=TaskState.READY, manual=True) if str(t.id) not in known]


def replay(session: Session, case_id: int) -> ReplayReport:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound(Text("Không có hồ sơ %(case)s.", case=case_id))
    report = ReplayReport(case_id)
    entries = audit.case_entries(session, case_id)
    if not entries or entries[0].action != "case_started":
        report.differences.append("nhật ký không bắt đầu bằng case_started")
        return report
    start = json.loads(entries[0].payload)
    info = version_info(session, int(start["version_id"]))
    mapping: dict[str, Task] = {}  # logged task id → task of the replayed workflow
    # Steps after which the case stalled (issue 11) and was resumed later: the tasks the
    # replay opens at such a step were logged as opened by the resumption. ``resumes`` names the
    # entry by its id (before migration 0036, its place in the single chain: the same number).
    stalled = {json.loads(e.payload)["resumes"] for e in entries if e.action == "case_resumed"}

    def compare_opened(entry: AuditEntry, logged: list[dict[str, Any]]) -> None:
        seq = entry.seq
        fresh = _new_ready(workflow, {str(t.id) for t in mapping.values()})
        for item in logged:
            match = next((t for t in fresh if t.task_spec.name == item["task"]), None)
            if match is None:
                report.differences.append(f"#{seq}: bước '{item['task']}' không được mở khi chạy lại")
                continue
            fresh.remove(match)
            mapping[item["id"]] = match
            people = item["candidates"] if item.get("assigned") else lane_people(session, case, match)
            if people != item["candidates"]:
                report.differences.append(
                    f"#{seq}: bước '{item['task']}' giao cho {people}, nhật ký ghi {item['candidates']}"
                )
        for extra in [] if entry.id in stalled else fresh:
            report.differences.append(f"#{seq}: chạy lại mở thêm bước '{extra.task_spec.name}'")

    with using(FakeClock(entries[0].at)):
        workflow = state.new_workflow(info.spec, info.subprocess_specs)
        workflow.task_tree.data.update(start["data"])
        workflow.do_engine_steps()
        if "message" in start:  # started by a message from another case (liên thông)
            workflow.send_event(case_messages.event(start["message"], start["payload"]))
            workflow.do_engine_steps()
    compare_opened(entries[0], start["opened"])
    for entry in entries[1:]:
        payload = json.loads(entry.payload)
        with using(FakeClock(entry.at)):
            if entry.action == "task_completed":
                task = mapping.get(entry.task_id or "")
                if task is None or task.state != TaskState.READY:
                    report.differences.append(f"#{entry.seq}: bước {payload['task']} không chờ xử lý khi chạy lại")
                    break
                task.data.update(payload["data"])
                task.run()
                workflow.do_engine_steps()
            elif entry.action == "timer_fired":
                workflow.refresh_timers()
                workflow.do_engine_steps()
            elif entry.action == "case_resumed":
                pass  # the replay merged the stalled instances when their step ran
            elif entry.action == "message_received":
                workflow.send_event(case_messages.event(payload["message"], payload["payload"]))
                workflow.do_engine_steps()
            elif entry.action in (REFUSED_ACTION, "case_cancelled"):  # ended there (từ chối tiếp nhận, sự cố)
                workflow.cancel()
            elif entry.action == "case_moved":  # the incident desk moved it to another task
                moved = mapping.get(entry.task_id or "")
                if moved is None or moved.state != TaskState.READY:
                    report.differences.append(f"#{entry.seq}: bước {payload['task']} không chờ xử lý khi chạy lại")
                    break
                surgery.move(workflow, moved, payload["to"])
                workflow.do_engine_steps()
                del mapping[entry.task_id or ""]  # gone from the tree with the move
            elif entry.action in MIGRATIONS:  # moved to another version of its diagram, or back
                info = version_info(session, int(payload["to_version_id"]))
                surgery.repoint(workflow, info.spec, info.subprocess_specs, payload["mapping"], lenient=True)
            else:
                continue
        report.steps += 1
        compare_opened(entry, payload.get("opened", []))

    _compare_final(session, case, workflow, mapping, report)
    return report


def _compare_final(
    session: Session, case: Case, workflow: BpmnWorkflow, mapping: dict[str, Task], report: ReplayReport
) -> None:
    status = case_status(workflow)
    if status != case.status:
        report.differences.append(f"trạng thái khi chạy lại là {status.value}, cơ sở dữ liệu ghi {case.status.value}")
    stored_open = {t.id for t in open_tasks(session, case.id)}
    replayed_open = {logged for logged, t in mapping.items() if t.state == TaskState.READY}
    if stored_open != replayed_open:
        report.differences.append(f"các bước đang mở khác nhau: {sorted(stored_open)} ≠ {sorted(replayed_open)}")
    last = workflow.last_task
    replayed_data = json.loads(json.dumps(dict(last.data) if last else {}, default=str))
    if replayed_data != json.loads(case.data_json):
        report.differences.append("dữ liệu hồ sơ khi chạy lại khác dữ liệu đã lưu")

"""Dry run (chạy thử) of a draft diagram: the parsed spec run in memory, from the designer's
start data, with the answers they chose for each task, and nothing stored: no case, no task
rows, no audit entry, no document. Each lane is resolved against the organisation exactly as
a case would resolve it (engine.workflow.roles, read only), so the designer sees, step by
step, who would receive each task and which path the answers take.

The platform's actions (numbering, issuing, signing) change documents and registers, so they
are not run: a step with an action says so, and its outputs are whatever the answers give."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.exceptions import WorkflowException
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.clock import FakeClock, using
from engine.core.errors import InvalidData, Text
from engine.models import Agency, Unit, User, UserPosition
from engine.org import permissions
from engine.workflow import roles, sandbox, state
from engine.workflow.bpmn_check import ACTION_PROPERTY, Definition, parser_for, safe_xml

MAX_STEPS = 60  # a run of answers that loops (return after return) stops here
_HUMAN = ("UserTask", "ManualTask")


@dataclass(frozen=True)
class Step:
    """One task the run reached (một bước): who would receive it and what was answered."""

    element: str
    name: str
    lane: str
    people: tuple[str, ...]  # usernames
    answer: dict[str, Any] | None  # None: the run stopped here, waiting for an answer
    action: str | None = None  # the platform action a real case would run (not run here)


@dataclass
class DryRun:
    steps: list[Step] = field(default_factory=list)
    path: list[list[str]] = field(default_factory=list)  # the moves taken, [from, to] element ids
    finished: bool = False
    stopped: str | None = None  # why the run stopped before an end event, in Vietnamese

    def as_json(self) -> dict[str, Any]:
        return {"finished": self.finished, "stopped": self.stopped, "path": self.path,
                "steps": [{"element": s.element, "name": s.name, "lane": s.lane, "people": list(s.people),
                           "answer": s.answer, "action": s.action} for s in self.steps]}


def _starter(session: Session, username: str, agency_code: str | None) -> tuple[User, Unit]:
    """The person the run starts as, and their unit in one of the process's agencies."""
    codes = permissions.agency_codes(agency_code)
    query = (select(User, Unit).join(UserPosition, UserPosition.user_id == User.id)
             .join(Unit, Unit.id == UserPosition.unit_id).join(Agency, Agency.id == Unit.agency_id)
             .where(User.username == username, User.active.is_(True)))
    if codes is not None:
        query = query.where(Agency.code.in_(codes))
    found = session.execute(query.order_by(UserPosition.id).limit(1)).first()
    if found is None:
        raise InvalidData("Người khởi tạo không thuộc cơ quan nào dùng quy trình này.",
                          {"initiator": "Chọn một cán bộ của cơ quan."})
    return found[0], found[1]


def _usernames(session: Session, ids: list[int]) -> tuple[str, ...]:
    if not ids:
        return ()
    return tuple(session.scalars(select(User.username).where(User.id.in_(ids)).order_by(User.username)))


def _ready_human(workflow: Any) -> Any | None:
    ready = [t for t in workflow.get_tasks(state=TaskState.READY) if type(t.task_spec).__name__ in _HUMAN]
    return ready[0] if ready else None


def run(session: Session, definition: Definition, process_id: str, initiator: str, data: Mapping[str, Any],
        answers: Mapping[str, list[dict[str, Any]]], now: datetime) -> DryRun:
    """Run the checked ``definition``'s process ``process_id`` as ``initiator`` would start it
    with ``data``; each time a task is reached its next answer in ``answers`` (by element id,
    used in order, so a task visited twice takes its second answer the second time) completes
    it. Stops at an end, at a task with no answer left, or after MAX_STEPS."""
    entry = next((p for p in definition.processes if p.id == process_id), None)
    if entry is None:
        raise InvalidData(Text("Sơ đồ không có quy trình '%(process)s'.", process=process_id),
                          {"process": "Không có trong sơ đồ."})
    user, unit = _starter(session, initiator, entry.agency_code)
    parser = parser_for(safe_xml(definition.content, process_id, len(definition.content) + 1), process_id)
    spec, subprocesses = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    result, used = DryRun(), {key: 0 for key in answers}
    start = dict(data, initiator=user.username, initiator_unit=unit.code)
    with using(FakeClock(now)):
        workflow = state.new_workflow(spec, subprocesses)
        workflow.task_tree.data.update(start)
        before = state.completed_ids(workflow)
        sandbox.run_engine(workflow)
        while len(result.steps) < MAX_STEPS:
            result.path.extend(m for m in state.path_since(workflow, before) if m not in result.path)
            before = state.completed_ids(workflow)
            if workflow.completed:
                result.finished = True
                return result
            task = _ready_human(workflow)
            if task is None:
                result.stopped = "Quy trình dừng: không còn công việc nào sẵn sàng (chờ hẹn giờ hoặc thông điệp)."
                return result
            ctx = roles.CaseContext(unit.agency_id, user.id, unit.id, dict(task.data))
            people = _usernames(session, roles.resolve(session, task.task_spec.lane or "", ctx))
            name, element = state.task_title(task), str(task.task_spec.bpmn_id)
            action = state.extension_property(task, ACTION_PROPERTY)
            given = answers.get(element, [])
            if used.get(element, 0) >= len(given):
                result.steps.append(Step(element, name, task.task_spec.lane or "", people, None, action))
                result.stopped = f"Dừng ở '{name}': chưa chọn câu trả lời cho lần xử lý này."
                return result
            answer = dict(given[used[element]])
            used[element] += 1
            result.steps.append(Step(element, name, task.task_spec.lane or "", people, answer, action))
            task.data.update(answer)
            try:
                with sandbox.limited():
                    task.run()
                    sandbox.run_engine(workflow)
            except (WorkflowException, sandbox.ScriptFailed) as err:
                # A gateway no answer satisfies, a script that fails: where a real case would stop.
                result.stopped = f"Lỗi sau '{name}': {err}"
                return result
    result.stopped = f"Dừng sau {MAX_STEPS} bước (có thể là một vòng lặp)."
    return result


def read_answers(raw: Any) -> dict[str, list[dict[str, Any]]]:
    """The answers as posted: element id → one object or a list of objects (one per visit)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InvalidData("Câu trả lời phải là đối tượng JSON: mã công việc → dữ liệu.", {"answers": "Cần JSON."})
    answers = {}
    for element, value in raw.items():
        visits = value if isinstance(value, list) else [value]
        if not all(isinstance(v, dict) for v in visits):
            raise InvalidData(Text("Câu trả lời cho '%(element)s' phải là đối tượng JSON.", element=element),
                              {"answers": element})
        answers[str(element)] = visits
    return answers

"""Dry run (chạy thử) of a draft diagram: the parsed spec run in memory, from the designer's
start data, with the answers they chose for each task, and nothing stored: no case, no task
rows, no audit entry, no document. Each lane is resolved against the organisation exactly as
a case would resolve it (engine.workflow.roles, read only), so the designer sees, step by
step, who would receive each task and which path the answers take.

The platform's actions (numbering, issuing, signing) change documents and registers, so they
are not run: a step with an action says so, and its outputs are whatever the answers give.

``explore`` runs every path instead of one: at each task it tries each answer the designer gave
for it, or else each combination of the values of its form's choices that a condition of the
diagram reads (each ``decision``, the leader a head sends to...), a value the designer picked
narrowing that field to it. Within one path a task never takes the same answer twice, so a
return-for-revision loop ends."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
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
from engine.workflow import flow_check, roles, sandbox, state
from engine.workflow.bpmn_check import ACTION_PROPERTY, FORM_PROPERTY, Definition, parser_for, safe_xml

MAX_STEPS = 60  # a run of answers that loops (return after return) stops here
MAX_PATHS = 40  # explore stops listing paths here (and says so)
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


# What answers a task the run reached: (element id, the SpiffWorkflow task, the answers it took
# before in this run, the number of steps answered so far) -> the answer, or None to stop there.
Pick = Callable[[str, Any, list[dict[str, Any]], int], "dict[str, Any] | None"]


def _play(session: Session, definition: Definition, process_id: str, initiator: str, data: Mapping[str, Any],
          pick: Pick, now: datetime) -> DryRun:
    entry = next((p for p in definition.processes if p.id == process_id), None)
    if entry is None:
        raise InvalidData(Text("Sơ đồ không có quy trình '%(process)s'.", process=process_id),
                          {"process": "Không có trong sơ đồ."})
    user, unit = _starter(session, initiator, entry.agency_code)
    parser = parser_for(safe_xml(definition.content, process_id, len(definition.content) + 1), process_id)
    spec, subprocesses = parser.get_spec(process_id), parser.get_subprocess_specs(process_id)
    result, taken = DryRun(), {}  # type: DryRun, dict[str, list[dict[str, Any]]]
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
            answer = pick(element, task, taken.setdefault(element, []), len(result.steps))
            result.steps.append(Step(element, name, task.task_spec.lane or "", people, answer, action))
            if answer is None:
                result.stopped = f"Dừng ở '{name}': chưa chọn câu trả lời cho lần xử lý này."
                return result
            taken[element].append(answer)
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


def run(session: Session, definition: Definition, process_id: str, initiator: str, data: Mapping[str, Any],
        answers: Mapping[str, list[dict[str, Any]]], now: datetime) -> DryRun:
    """Run the checked ``definition``'s process ``process_id`` as ``initiator`` would start it
    with ``data``; each time a task is reached its next answer in ``answers`` (by element id,
    used in order, so a task visited twice takes its second answer the second time) completes
    it. Stops at an end, at a task with no answer left, or after MAX_STEPS."""
    def pick(element: str, _task: Any, before: list[dict[str, Any]], _step: int) -> dict[str, Any] | None:
        given = answers.get(element, [])
        return dict(given[len(before)]) if len(before) < len(given) else None
    return _play(session, definition, process_id, initiator, data, pick, now)


def _choices(definition: Definition, task: Any, read: frozenset[str], given: list[dict[str, Any]]) -> list[
        dict[str, Any]]:
    """The answers worth trying at ``task``: several the designer gave, else every combination of
    its form's choice fields that some condition reads (one the designer fixed keeps its value)."""
    if len(given) > 1:
        return [dict(g) for g in given]
    fixed = dict(given[0]) if given else {}
    schema = definition.forms.get(state.extension_property(task, FORM_PROPERTY) or "") or {}
    fields = []
    for name, prop in (schema.get("properties") or {}).items():
        if name not in read or name in fixed or not isinstance(prop, dict):
            continue
        values = prop.get("enum") or [o["const"] for o in prop.get("oneOf", []) if isinstance(o, dict) and "const" in o]
        if prop.get("type") == "boolean":
            values = [True, False]
        if values:
            fields.append((name, list(values)))
    return [fixed | dict(zip([n for n, _ in fields], combination, strict=True))
            for combination in itertools.product(*(values for _, values in fields))]


@dataclass
class Paths:
    runs: list[DryRun] = field(default_factory=list)
    truncated: bool = False  # more than MAX_PATHS

    def as_json(self) -> dict[str, Any]:
        return {"paths": [r.as_json() for r in self.runs], "truncated": self.truncated}


def explore(session: Session, definition: Definition, process_id: str, initiator: str, data: Mapping[str, Any],
            answers: Mapping[str, list[dict[str, Any]]], now: datetime) -> Paths:
    """Every path the diagram can take from ``data`` (see the module's text), each a dry run:
    the answers in step order are replayed from the start, and where a task has more than one
    answer to try, each makes its own path. Paths making the same moves are listed once."""
    root = safe_xml(definition.content, process_id, len(definition.content) + 1)
    read = flow_check.condition_names(root)
    found, seen, todo = Paths(), set(), [[]]  # type: Paths, set[str], list[list[dict[str, Any]]]
    while todo:
        prefix = todo.pop()
        branches: list[dict[str, Any]] = []

        def pick(element: str, task: Any, before: list[dict[str, Any]], step: int,
                 prefix: list[dict[str, Any]] = prefix,
                 branches: list[dict[str, Any]] = branches) -> dict[str, Any] | None:
            if step < len(prefix):
                return prefix[step]
            branches.extend(c for c in _choices(definition, task, read, answers.get(element, [])) if c not in before)
            return None

        played = _play(session, definition, process_id, initiator, data, pick, now)
        if played.steps and played.steps[-1].answer is None and branches:
            todo.extend(prefix + [choice] for choice in reversed(branches))
            continue
        if played.steps and played.steps[-1].answer is None and not played.finished:
            played.stopped = (f"Quay lại '{played.steps[-1].name}': mọi câu trả lời của bước này đã được thử "
                              "trên nhánh này (vòng lặp).")
        key = repr((played.path, [s.element for s in played.steps]))
        if key not in seen:
            seen.add(key)
            found.runs.append(played)
        if len(found.runs) >= MAX_PATHS:
            found.truncated = bool(todo)
            break
    return found


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

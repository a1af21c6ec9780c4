"""Changes to a running workflow that no step of its diagram makes, for the incident desk and
for moving cases between versions (engine/operations), and for ``qlvb audit replay``, which
must make them again at the same entries: move a case from an open task to another task of
its diagram (SpiffWorkflow's reset, towards any element), and re-point a workflow at
another version of its diagram keeping every task and its id.

SpiffWorkflow's own ``bpmn.util.diff.migrate_workflow`` resets and re-predicts the ready
tasks, which gives them new ids: the open human tasks would lose their rows, candidates
and deadlines. Here only the specs change."""

from __future__ import annotations

from collections.abc import Iterator

from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.control import BoundaryEventSplit
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.specs.base import TaskSpec
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.core.errors import InvalidData, Text


def _entry(spec: BpmnProcessSpec, name: str) -> TaskSpec:
    """The spec a move to element ``name`` starts from: its boundary events' split, if it has any."""
    target = spec.task_specs.get(name)
    if target is None or name.endswith(("Split", "Join")) or name in {"Start", "End"}:
        raise InvalidData(Text("Không có bước '%(step)s' trong sơ đồ của hồ sơ.", step=name),
                          {"target": "Chọn một bước của sơ đồ."})
    return spec.task_specs.get(f"{name}.BoundaryEventSplit") or target


def move(workflow: BpmnWorkflow, task: Task, target: str) -> None:
    """Replace the open ``task`` (and what hangs on it: its boundary timers) by a new task of
    element ``target`` of the same (sub-)process, ready to run; the caller runs the engine on."""
    holder: BpmnBaseWorkflow = task.workflow
    anchor = task.parent if task.parent is not None and isinstance(task.parent.task_spec, BoundaryEventSplit) \
        else task
    parent = anchor.parent
    if parent is None:
        raise InvalidData("Không chuyển được bước đầu tiên của hồ sơ.")
    entry = _entry(holder.spec, target)
    for sub in [t for t in anchor if t.id in workflow.subprocesses]:
        workflow.delete_subprocess(sub)
    holder._remove_task(anchor.id)
    fresh = parent._add_child(entry, TaskState.FUTURE)
    fresh.task_spec._predict(fresh, mask=TaskState.PREDICTED_MASK | TaskState.FUTURE)
    fresh.task_spec._update(fresh)  # ready, its data from the task before, as after a reset


def elements(spec: BpmnProcessSpec) -> list[tuple[str, str]]:
    """(element id, name) of the tasks of a diagram a case may be moved to."""
    found = []
    for name, task_spec in spec.task_specs.items():
        if getattr(task_spec, "manual", False) and task_spec.bpmn_id == name:
            found.append((name, str(task_spec.bpmn_name or name)))
    return sorted(found, key=lambda pair: pair[1])


def mapped(name: str, mapping: dict[str, str]) -> str:
    """The element ``name`` through ``mapping``; the engine's own specs of an element (its
    boundary events' split and join, ``head_review.BoundaryEventSplit``) follow it."""
    base, dot, rest = name.partition(".")
    if name in mapping:
        return mapping[name]
    return f"{mapping[base]}{dot}{rest}" if dot and base in mapping else name


def _workflows(workflow: BpmnWorkflow) -> Iterator[BpmnBaseWorkflow]:
    yield workflow
    yield from workflow.subprocesses.values()


def unmatched(workflow: BpmnWorkflow, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec],
              mapping: dict[str, str]) -> list[str]:
    """The elements of the workflow's live tasks that the new version (through ``mapping``,
    old element → new element) does not have."""
    missing: list[str] = []
    for sub in _workflows(workflow):
        target = spec if sub is workflow else subprocess_specs.get(sub.spec.name)
        for task in sub.tasks.values():
            if task.has_state(TaskState.PREDICTED_MASK):
                continue
            name = mapped(task.task_spec.name, mapping)
            if (target is None or name not in target.task_specs) and task.task_spec.name not in missing:
                missing.append(task.task_spec.name)
    return missing


def repoint(workflow: BpmnWorkflow, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec],
            mapping: dict[str, str], lenient: bool = False) -> None:
    """Point the workflow at another version of its diagram: every live task keeps its id and
    state and takes the spec of its element (renamed through ``mapping``); the predicted
    future is predicted again from the new diagram. ``lenient`` (the replay, which keeps the
    finished history the saved case pruned) leaves a finished task without a counterpart on
    its old spec."""
    for sub in _workflows(workflow):
        target = spec if sub is workflow else subprocess_specs[sub.spec.name]
        for task in list(sub.tasks.values()):
            if task.id not in sub.tasks or not task.has_state(TaskState.PREDICTED_MASK):
                continue
            if task.parent is not None and not task.parent.has_state(TaskState.PREDICTED_MASK):
                sub._remove_task(task.id)
        for task in sub.tasks.values():
            name = mapped(task.task_spec.name, mapping)
            if name in target.task_specs:
                task.task_spec = target.task_specs[name]
            elif not (lenient and task.has_state(TaskState.FINISHED_MASK)):
                raise InvalidData(Text("Phiên bản mới không có bước '%(step)s'.", step=task.task_spec.name))
        sub.spec = target
        for task in list(sub.tasks.values()):
            if task.has_state(TaskState.READY | TaskState.WAITING):
                task.task_spec._predict(task, mask=TaskState.PREDICTED_MASK | task.state)
    workflow.subprocess_specs = subprocess_specs

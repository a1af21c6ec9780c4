"""Saving and loading the live part of a SpiffWorkflow instance.

Two changes against SpiffWorkflow's own serializer keep the cost of a step flat however
long a case runs (ENGINE.md: raw SpiffWorkflow grows ~2.5 KB and ~4 tree levels per
return-for-revision, and dies at 246 returns):

* the diagram is not stored with the case: it is the deployed version's, parsed once per
  process and cached (``definitions.version_info``);
* finished history above the live frontier is pruned before saving. Who did what is
  kept by the audit log, not by the task tree.
"""

from __future__ import annotations

import json
from collections import deque
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.subworkflow import BpmnBaseWorkflow
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.core import clock
from engine.workflow.sandbox import RestrictedScriptEngine

clock.install_in_spiffworkflow()

_REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
_SERIALIZER = BpmnWorkflowSerializer(_REGISTRY)
_WORKFLOW_CONVERTER = _REGISTRY.convert_from_dict[_REGISTRY.typenames[BpmnWorkflow]].args[0].__self__
SCRIPT_ENGINE = RestrictedScriptEngine()


def new_workflow(spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=SCRIPT_ENGINE)


def dump(workflow: BpmnWorkflow) -> str:
    prune(workflow)
    _REGISTRY._encoder_mode = True
    try:
        dct = _SERIALIZER.to_dict(workflow)
    finally:
        _REGISTRY._encoder_mode = False
    del dct["spec"], dct["subprocess_specs"]
    return json.dumps(dct, cls=_SERIALIZER._encoder_cls, separators=(",", ":"), ensure_ascii=False)


def load(text: str, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> BpmnWorkflow:
    dct = json.loads(text)
    conv = _WORKFLOW_CONVERTER
    workflow = BpmnWorkflow(spec, subprocess_specs, deserializing=True)
    workflow.tasks = conv.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    conv.set_default_attributes(workflow, dct)
    conv.subprocesses_from_dict(dct["subprocesses"], workflow)
    workflow.bpmn_events = _REGISTRY.restore(dct.get("bpmn_events", []))
    workflow.script_engine = SCRIPT_ENGINE
    return workflow


def _lowest_common_ancestor(tasks: list[Task]) -> Task:
    path = []
    node: Task | None = tasks[0]
    while node is not None:
        path.append(node)
        node = node.parent
    path.reverse()  # root first
    index = {t.id: i for i, t in enumerate(path)}
    for task in tasks[1:]:
        node = task
        while node is not None and node.id not in index:
            node = node.parent
        cut = index[node.id] if node is not None else 0
        if cut < len(path) - 1:
            for dropped in path[cut + 1:]:
                del index[dropped.id]
            path = path[: cut + 1]
    return path[-1]


def _prune_one(workflow: BpmnBaseWorkflow, top: BpmnWorkflow) -> None:
    live = [t for t in workflow.tasks.values() if not t.has_state(TaskState.FINISHED_MASK)]
    if not live:
        return
    root = workflow.task_tree
    keep_from = _lowest_common_ancestor(live)
    # Cut above a completed task only: a task not yet run takes its data from its parent when
    # it becomes ready, and must not find the root's old data there instead.
    while keep_from is not root and keep_from.state != TaskState.COMPLETED:
        keep_from = keep_from.parent
    if keep_from is root or keep_from.parent is root:
        return
    # The kept subtree hangs straight under the root; its data is already complete in
    # memory, and the serializer writes a child's data as a delta against its new parent.
    keep_from._parent = root.id
    root._children = [keep_from.id]
    ordered: dict[UUID, Task] = {root.id: root}
    queue = deque([keep_from])
    while queue:
        task = queue.popleft()
        ordered[task.id] = task
        queue.extend(task.children)
    for task_id in list(top.subprocesses):
        if task_id in workflow.tasks and task_id not in ordered:
            top.delete_subprocess(workflow.tasks[task_id])
    workflow.tasks = ordered


def prune(workflow: BpmnWorkflow) -> None:
    """Drop the finished history above the lowest common ancestor of all unfinished tasks."""
    _prune_one(workflow, workflow)
    for sub in list(workflow.subprocesses.values()):
        _prune_one(sub, workflow)


def task_title(task: Task) -> str:
    return str(task.task_spec.bpmn_name or task.task_spec.name)


def extension_property(task: Task, name: str) -> str | None:
    props: dict[str, Any] = task.task_spec.extensions.get("properties", {})
    value = props.get(name)
    return None if value is None else str(value)


def timer_due(task: Task) -> datetime | None:
    """When a waiting timer event fires, or None if ``task`` is not a waiting timer."""
    spec = task.task_spec
    if not (isinstance(spec, CatchingEvent) and isinstance(spec.event_definition, TimerEventDefinition)):
        return None
    if task.state != TaskState.WAITING:
        return None
    value = task.internal_data.get("event_value")
    if isinstance(value, dict):
        value = value.get("next")
    if not isinstance(value, str):
        return None
    return TimerEventDefinition.get_datetime(value)


def waiting_timers(workflow: BpmnWorkflow) -> list[tuple[Task, datetime]]:
    found = []
    for task in workflow.get_tasks(state=TaskState.WAITING):
        due = timer_due(task)
        if due is not None:
            found.append((task, due))
    return found


def boundary_deadline(task: Task) -> datetime | None:
    """The earliest timer on the boundary of ``task``: the deadline shown with it."""
    parent = task.parent
    if parent is None:
        return None
    dues = [d for d in (timer_due(s) for s in parent.children if s is not task) if d is not None]
    return min(dues) if dues else None


def _all_tasks(workflow: BpmnWorkflow) -> list[Task]:
    # Not workflow.get_tasks(): its iterator does not enter the instances of a running
    # multi-instance sub-process when filtering on finished states.
    tasks = list(workflow.tasks.values())
    for sub in workflow.subprocesses.values():
        tasks.extend(sub.tasks.values())
    return tasks


def completed_ids(workflow: BpmnWorkflow) -> set[UUID]:
    return {t.id for t in _all_tasks(workflow) if t.state == TaskState.COMPLETED}


def path_since(workflow: BpmnWorkflow, before: set[UUID]) -> list[list[str]]:
    """The moves the engine made since ``before``, as [from element, to element] pairs of
    BPMN element ids: for every task of a diagram element that completed, towards each
    element it handed on to (through the engine's internal tasks, e.g. the split of a
    task with boundary events), unless that next task is merely predicted. The auditor's
    diagram draws the path from these; the test suite's BPMN branch coverage reads the
    moves out of gateways."""
    moves: list[list[str]] = []

    def targets(task: Task) -> list[str]:
        found: list[str] = []
        for child in task.children:
            if child.has_state(TaskState.PREDICTED_MASK):
                continue
            element = child.task_spec.bpmn_id
            found.extend([element] if element else targets(child))
        return found

    for task in _all_tasks(workflow):
        source = task.task_spec.bpmn_id
        if task.state != TaskState.COMPLETED or task.id in before or not source:
            continue
        for target in targets(task):
            if [source, target] not in moves:
                moves.append([source, target])
    return moves

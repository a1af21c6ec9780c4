"""When a human task is due (its ``due_at``): one place owns the rule.

In order: the earliest timer on the task's boundary (the diagram's own deadline); else
the deadline a person set for this task's holder (the bút phê's hạn xử lý for the unit's
part, or the unit head's hạn for the handler); else the step's configured default, the
``dueIn`` extension property (an ISO 8601 duration such as ``P2D`` or ``PT4H``) counted
from when the task opens (the registration of an incoming document carries ``P1D``: Decree
30/2020 Art. 11 has it registered and passed on within the day, the next working day at
the latest). A deadline given as a date runs to the end of that day in
Vietnam, as the overdue report reads it (engine.reporting.reports.is_overdue)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task

from engine.core.clock import VIETNAM
from engine.workflow import state

DUE_PROPERTY = "dueIn"


def step_default(value: str) -> timedelta:
    """The ``dueIn`` property as a duration; a diagram with a bad one is refused at deploy."""
    duration = TimerEventDefinition.parse_iso_duration(value)
    delta = TimerEventDefinition.get_timedelta_from_start(duration, datetime(2000, 1, 1))
    if delta <= timedelta(0):
        raise ValueError(value)
    return delta


def _end_of(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM)


def set_by_person(task: Task) -> datetime | None:
    """The deadline a leader set for whoever holds ``task``: the handler's (``deadline`` of
    the assignment, in a lane naming ``data.assignee``), else the unit's from the direction."""
    data = dict(task.data)
    lane = task.task_spec.lane or ""
    if "data.assignee" in lane and (own := _end_of(data.get("deadline"))) is not None:
        return own
    unit = data.get("unit")
    if not isinstance(unit, str):
        return None
    if unit == data.get("main_unit"):
        return _end_of(data.get("main_deadline"))
    if unit in (data.get("co_units") or []):
        return _end_of(data.get("co_deadline")) or _end_of(data.get("main_deadline"))
    return None


def due_at(task: Task, now: datetime) -> datetime | None:
    found = state.boundary_deadline(task) or set_by_person(task)
    if found is not None:
        return found
    default = state.extension_property(task, DUE_PROPERTY)
    return now + step_default(default) if default else None

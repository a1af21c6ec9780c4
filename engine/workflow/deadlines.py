"""When a human task is due (its ``due_at``): one place owns the rule.

In order: the earliest timer on the task's boundary (the diagram's own deadline); else
the deadline a person set for this task's holder (the bút phê's hạn xử lý for the unit's
part: each chủ trì / phối hợp node of the routing tree may carry its own; or the unit head's
hạn for the handler); else the step's configured default, the
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
from engine.core.errors import Text
from engine.workflow import state

DUE_PROPERTY = "dueIn"


def step_default(value: str) -> timedelta:
    """The ``dueIn`` property as a duration; a diagram with a bad one is refused at deploy."""
    duration = TimerEventDefinition.parse_iso_duration(value)
    delta = TimerEventDefinition.get_timedelta_from_start(duration, datetime(2000, 1, 1))
    if delta <= timedelta(0):
        raise ValueError(value)
    return delta


def _day(value: Any) -> date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _end_of(day: date | None) -> datetime | None:
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=VIETNAM) if day is not None else None


def unit_deadline(data: dict[str, Any], unit: str) -> date | None:
    """The hạn xử lý a direction (bút phê) gives ``unit``: the chủ trì's ``main_deadline``; a
    phối hợp unit's own (``co_deadlines``, one per node of the routing tree), else the co-units'
    common ``co_deadline``, else the chủ trì's."""
    if unit == data.get("main_unit"):
        return _day(data.get("main_deadline"))
    if unit in (data.get("co_units") or []):
        own = data.get("co_deadlines")
        own = own.get(unit) if isinstance(own, dict) else None
        return _day(own) or _day(data.get("co_deadline")) or _day(data.get("main_deadline"))
    return None


def problem(value: Any, today: date, limit: date | None) -> Text | None:
    """Why a deadline a person gives is not allowed: not a date, before ``today`` (in Vietnam),
    after ``limit`` (the document's own hạn xử lý, or the unit's for its handler)."""
    day = _day(value)
    if day is None:
        return Text("Ngày không hợp lệ.")
    if day < today:
        return Text("Hạn xử lý không được trước hôm nay (%(today)s).", today=today.strftime("%d/%m/%Y"))
    if limit is not None and day > limit:
        return Text("Hạn xử lý không được sau hạn %(limit)s.", limit=limit.strftime("%d/%m/%Y"))
    return None


def direction_problems(data: dict[str, Any], today: date, document_due: date | None) -> dict[str, Text]:
    """What is wrong with the deadlines of a direction: each as :func:`problem` with the
    document's own deadline as the limit; a node's own deadline only for a phối hợp unit. Keys
    are the fields' paths (``co_deadlines.QLTM``)."""
    own = data.get("co_deadlines") or {}
    dated = [("main_deadline", data.get("main_deadline")), ("co_deadline", data.get("co_deadline")),
             *[(f"co_deadlines.{unit}", value) for unit, value in (own.items() if isinstance(own, dict) else [])]]
    co_units = data.get("co_units") or []
    found: dict[str, Text] = {}
    for key, value in dated:
        if value in (None, ""):
            continue
        if key.startswith("co_deadlines.") and key.split(".", 1)[1] not in co_units:
            found[key] = Text("Chỉ đơn vị phối hợp mới có hạn riêng ở đây.")
        elif (wrong := problem(value, today, document_due)) is not None:
            found[key] = wrong
    return found


def set_by_person(task: Task) -> datetime | None:
    """The deadline a leader set for whoever holds ``task``: the handler's (``deadline`` of
    the assignment, in a lane naming ``data.assignee``), else the unit's from the direction."""
    data = dict(task.data)
    lane = task.task_spec.lane or ""
    if "data.assignee" in lane and (own := _end_of(_day(data.get("deadline")))) is not None:
        return own
    unit = data.get("unit")
    return _end_of(unit_deadline(data, unit)) if isinstance(unit, str) else None


def due_at(task: Task, now: datetime) -> datetime | None:
    found = state.boundary_deadline(task) or set_by_person(task)
    if found is not None:
        return found
    default = state.extension_property(task, DUE_PROPERTY)
    return now + step_default(default) if default else None

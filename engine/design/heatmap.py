"""Heatmap (bản đồ nhiệt) of a process: for each task of its diagram, how many cases passed
through it and the median and 90th percentile of the time its task stayed open, read from
the task table (no search server). All versions of the process count, by element id, so a
task kept across versions keeps its history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Case, HumanTask, ProcessVersion, TaskStatus


@dataclass(frozen=True)
class Heat:
    element: str
    cases: int  # distinct cases that completed this task at least once
    completed: int  # completions, returns included
    median_hours: float
    p90_hours: float


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (sorted or not); 0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * share // 1))  # ceil without floats drifting
    return ordered[int(rank) - 1]


def heatmap(session: Session, process_id: str, agency_id: int | None = None) -> list[Heat]:
    """Per task element of ``process_id``, over every case of every version; only the cases
    of ``agency_id`` when given (an auditor sees their agency's)."""
    query = (
        select(HumanTask.spec_name, HumanTask.case_id, HumanTask.created_at, HumanTask.completed_at)
        .join(Case, Case.id == HumanTask.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(ProcessVersion.process_id == process_id, HumanTask.status == TaskStatus.COMPLETED,
               HumanTask.completed_at.is_not(None))
    )
    rows = session.execute(query if agency_id is None else query.where(Case.agency_id == agency_id))
    hours: dict[str, list[float]] = defaultdict(list)
    cases: dict[str, set[int]] = defaultdict(set)
    for element, case_id, created, completed in rows:
        assert completed is not None  # the query's own condition
        hours[element].append((completed - created).total_seconds() / 3600)
        cases[element].add(case_id)
    return [Heat(element, len(cases[element]), len(spent), round(percentile(spent, 0.5), 2),
                 round(percentile(spent, 0.9), 2))
            for element, spent in sorted(hours.items())]


def as_json(heats: list[Heat]) -> dict[str, dict[str, float]]:
    return {h.element: {"cases": h.cases, "completed": h.completed, "median_hours": h.median_hours,
                        "p90_hours": h.p90_hours} for h in heats}

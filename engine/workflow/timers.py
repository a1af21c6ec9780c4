"""The timer worker: fires every due timer exactly once, however many workers run.

A worker takes the oldest due timer whose case nobody holds (``FOR UPDATE OF cases SKIP
LOCKED`` on PostgreSQL; SQLite's single writer lock does the same) and fires it under
that case's lock, in its own transaction.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.audit.refusals import Refused, note_incident, on_case
from engine.core.clock import FakeClock, using
from engine.core.db import Database
from engine.core.errors import DomainError, Text
from engine.interagency import case_messages
from engine.models import Case, Timer, User
from engine.workflow import sandbox, state
from engine.workflow.definitions import VersionInfo, version_info
from engine.workflow.steps import persist


def fire_due(db: Database, now: Callable[[], datetime]) -> int:
    """Fire all timers due at ``now()``; returns how many cases were moved."""
    moved = 0
    seen: list[int] = []  # a case whose timer did not fire is not retried in the same sweep
    while True:
        with db.write() as session:
            moment = now()
            row = session.execute(
                select(Case)
                .join(Timer, Timer.case_id == Case.id)
                .where(Timer.fired_at.is_(None), Timer.cancelled.is_(False), Timer.due_at <= moment,
                       Case.id.not_in(seen))
                .order_by(Timer.due_at, Timer.id)
                .limit(1)
                .with_for_update(skip_locked=True, of=Case)
            ).first()
            if row is None:
                return moved
            seen.append(row[0].id)
            if fire_timers(session, row[0], moment):
                moved += 1


log = logging.getLogger("qlvb.worker")


class TimerFailed(Refused):
    """A timer's step failed with an unexpected error (not a refusal of the diagram's code)."""

    action = "timer_failed"

    def __init__(self, err: Exception) -> None:
        reason = f"{type(err).__name__}: {err}"[:500]
        super().__init__(Text("Bước hẹn giờ của hồ sơ gặp lỗi: %(reason)s.", reason=reason), {"timer": reason},
                         {"reason": reason})


def fire_timers(session: Session, case: Case, now: datetime) -> list[str]:
    """Fire the case's timers that are due at ``now``; the caller holds the case lock. If the
    step then fails (the diagram's code over its budget, a lane naming nobody, any error),
    the case stays as it was (savepoint) and the failure is audited in the worker's
    transaction and kept as an incident: no one is there to be told. The timer stays due."""
    info = version_info(session, case.process_version_id)
    refused: Refused
    try:
        with session.begin_nested():
            return fire(session, case, info, now)
    except Refused as err:
        refused = err
    except DomainError:
        raise
    except Exception as err:  # noqa: BLE001 - any failure of one case must not stop the sweep
        log.exception("timer of case %s failed", case.id)
        refused = TimerFailed(err)
    refused.payload.setdefault("process", info.process_id)
    refused.case_id, refused.at = case.id, now
    audit.append(session, at=now, action=refused.action, case_id=case.id, payload=refused.payload)
    note_incident(session, refused)
    return []


def fire(session: Session, case: Case, info: VersionInfo, now: datetime,
         assign: dict[str, list[int]] | None = None, extra: dict[str, object] | None = None) -> list[str]:
    """Fire the case's due timers; ``assign`` and ``extra`` as for a completion an operator retries."""
    with on_case(case.id, info.process_id, None, now):
        with using(FakeClock(now)), sandbox.limited():
            workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
            before = state.completed_ids(workflow)
            workflow.refresh_timers()
            sandbox.run_engine(workflow)
            onward = workflow.get_events()
        changes = persist(session, case, workflow, info, now, before, assign=assign)
    if changes.fired:
        audit.append(session, at=now, action="timer_fired", case_id=case.id,
                     payload={**(extra or {}), **changes.as_payload()})
    initiator = session.get(User, case.initiator_id)
    assert initiator is not None
    case_messages.route(session, case, onward, initiator, now)
    return changes.fired


def run_worker(
    db: Database, now: Callable[[], datetime], interval: float, once: bool = False,
    jobs: Sequence[Callable[[], object]] = (),
) -> bool:
    """Fire due timers, then run each of ``jobs`` (the deadline sweep, e-mail, the daily backup),
    every ``interval`` seconds. A job that fails is logged and tried again at the next sweep;
    it never stops the worker nor the jobs after it. With ``once``, one sweep; returns whether
    every job of it succeeded."""
    def due_timers() -> None:
        fire_due(db, now)

    while True:
        succeeded = True
        for job in (due_timers, *jobs):
            try:
                job()
            except Exception:
                succeeded = False
                log.exception("worker job %s failed; it is tried again at the next sweep",
                              getattr(job, "__name__", job))
        if once:
            return succeeded
        time.sleep(interval)

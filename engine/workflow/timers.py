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

from engine.core.db import Database
from engine.models import Case, Timer
from engine.workflow import cases


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
            if cases.fire_timers(session, row[0], moment):
                moved += 1


log = logging.getLogger("qlvb.worker")


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

"""Deadlines: a boundary timer's due time is stored; when it passes (injected clock), two
workers running at once fire it exactly once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from datetime import timedelta

from sqlalchemy import select

from engine.core.clock import FakeClock
from engine.core.db import Database
from engine.core.platform import Platform
from engine.models import AuditEntry, HumanTask, Timer
from engine.workflow import timers
from tests.conftest import ROOT, Api
from tests.flows import complete, to_head


def _timer_entries(platform: Platform) -> list[AuditEntry]:
    with platform.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == "timer_fired")))


def test_deadline_fires_exactly_once_with_two_workers(api: Api, platform: Platform, clock: FakeClock) -> None:
    task = to_head(api)
    assert task["due_at"] == (clock.now() + timedelta(days=2)).isoformat()

    clock.advance(timedelta(days=1))
    assert timers.fire_due(platform.db, clock.now) == 0  # not due yet

    clock.advance(timedelta(days=1, minutes=1))
    workers = [Database(platform.settings.database_url) for _ in range(2)]
    barrier = threading.Barrier(2, timeout=300)  # a failed thread fails the test, never hangs it
    moved: list[int] = []

    def work(db: Database) -> None:
        barrier.wait()
        moved.append(timers.fire_due(db, clock.now))

    threads = [threading.Thread(target=work, args=(db,)) for db in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for db in workers:
        db.dispose()

    assert sorted(moved) == [0, 1]
    entries = _timer_entries(platform)
    assert len(entries) == 1
    assert json.loads(entries[0].payload)["fired"] == ["head_deadline"]
    with platform.db.read() as s:
        fired = s.scalars(select(Timer).where(Timer.fired_at.is_not(None))).all()
        assert len(fired) == 1
        # Non-interrupting: the head's review is still open.
        assert s.get(HumanTask, task["id"]).status.value == "open"
    # A later sweep finds nothing more to fire.
    assert timers.fire_due(platform.db, clock.now) == 0
    assert len(_timer_entries(platform)) == 1
    complete(api, "btl_head_khnv", task, {"decision": "approve", "route": "director"})


def test_completing_the_task_cancels_its_deadline(api: Api, platform: Platform, clock: FakeClock) -> None:
    task = to_head(api)
    complete(api, "btl_head_khnv", task, {"decision": "approve", "route": "director"})
    clock.advance(timedelta(days=3))
    assert timers.fire_due(platform.db, clock.now) == 0
    with platform.db.read() as s:
        assert [t.cancelled for t in s.scalars(select(Timer))] == [True]


def test_worker_command_fires_due_timers(api: Api, platform: Platform) -> None:
    to_head(api)  # due two days after the test clock's start, long before the real time now
    env = {**os.environ, "QLVB_DATABASE_URL": platform.settings.database_url,
           "QLVB_DATA_DIR": str(platform.settings.data_dir)}
    result = subprocess.run([sys.executable, "-m", "qlvb", "worker", "--once", "--no-backup"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert len(_timer_entries(platform)) == 1


def test_a_due_deadline_not_yet_swept_when_its_task_is_completed_is_cancelled_not_fired(
    api: Api, platform: Platform, clock: FakeClock
) -> None:
    """The head decides a minute after the deadline, before any worker swept it: the
    deadline's path never ran, so it is cancelled, and nothing says it fired."""
    task = to_head(api)
    clock.advance(timedelta(days=2, minutes=1))
    complete(api, "btl_head_khnv", task, {"decision": "approve", "route": "director"})
    assert timers.fire_due(platform.db, clock.now) == 0
    with platform.db.read() as s:
        assert [(t.cancelled, t.fired_at) for t in s.scalars(select(Timer))] == [(True, None)]
        completed = s.scalars(select(AuditEntry).where(AuditEntry.action == "task_completed")).all()
        assert [json.loads(e.payload)["fired"] for e in completed] == [[], []]
    assert _timer_entries(platform) == []

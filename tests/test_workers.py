"""Any number of ``qlvb worker`` processes side by side (issue 11, item 2): three looping workers
sweep the same deadlines while new ones keep coming; each deadline is announced once to each
person and each timer fires once, no worker dies, and one backup is made that day. A job that
fails is logged and does not stop the others nor the worker."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.core.platform import Platform
from engine.models import AuditEntry, HumanTask, Notification, NotificationKind, TaskCandidate, TaskStatus, Timer
from engine.workflow import timers
from tests.conftest import ROOT, Api
from tests.flows import to_head
from tests.test_backup import PASSPHRASE


def _wait_for(condition: Callable[[], bool], what: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _settled(platform: Platform) -> bool:
    """Every due timer fired, and every open task past its deadline announced to each of its people."""
    now = datetime.now(UTC)
    with platform.db.read() as s:
        unfired = s.scalar(select(func.count()).select_from(Timer).where(
            Timer.fired_at.is_(None), Timer.cancelled.is_(False), Timer.due_at <= now))
        owed = s.scalar(select(func.count()).select_from(TaskCandidate).join(
            HumanTask, HumanTask.id == TaskCandidate.task_id).where(
            HumanTask.status == TaskStatus.OPEN, HumanTask.due_at <= now))
        told = s.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == NotificationKind.OVERDUE))
    return unfired == 0 and owed == told


@pytest.fixture
def workers(platform: Platform, tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    (tmp_path / "passphrase").write_text(PASSPHRASE + "\n", encoding="utf-8")
    settings = platform.settings
    env = {**os.environ, "QLVB_DATABASE_URL": settings.database_url, "QLVB_DATA_DIR": str(settings.data_dir),
           "QLVB_PKI_DIR": str(settings.pki_dir), "QLVB_BACKUP_PASSPHRASE_FILE": str(tmp_path / "passphrase"),
           "QLVB_BACKUP_AT": "00:00"}  # due at once, whatever the time of day
    started = []
    for n in range(3):
        log = (tmp_path / f"worker{n}.log").open("wb")
        started.append(subprocess.Popen([sys.executable, "-m", "qlvb", "worker", "--interval", "0.05"], cwd=ROOT,
                                        env=env, stdout=log, stderr=subprocess.STDOUT))
    yield started
    for process in started:
        process.send_signal(signal.SIGTERM)
    for process in started:
        process.wait(timeout=60)


def test_three_workers_sweep_the_same_deadlines(
    api: Api, platform: Platform, workers: list[subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    # The head's review is due two days after the test clock's start, long before the real
    # time the workers go by: each new one is overdue at once, and all three race for it.
    for _batch in range(5):
        for _ in range(3):
            to_head(api)
        _wait_for(lambda: _settled(platform), "the workers to announce the deadlines")
    _wait_for(lambda: any(platform.settings.backup_dir.glob("qlvb-backup-*.tar.gz")), "the daily backup")

    logs = [(tmp_path / f"worker{n}.log").read_text(encoding="utf-8", errors="replace") for n in range(3)]
    assert [w.poll() for w in workers] == [None, None, None], logs  # every worker still running
    assert not any("Traceback" in log for log in logs), logs
    with platform.db.read() as s:
        pairs = s.execute(select(Notification.user_id, Notification.task_id).where(
            Notification.kind == NotificationKind.OVERDUE)).all()
        assert len(pairs) == len(set(pairs)) == s.scalar(select(func.count()).select_from(TaskCandidate).join(
            HumanTask, HumanTask.id == TaskCandidate.task_id).where(HumanTask.due_at.is_not(None)))
        fired = s.scalars(select(AuditEntry.case_id).where(AuditEntry.action == "timer_fired")).all()
        assert sorted(fired) == sorted(set(fired)) and len(fired) == 15  # once per case
    assert len(list(platform.settings.backup_dir.glob("qlvb-backup-*.tar.gz"))) == 1
    assert sum(log.count("Đã sao lưu") for log in logs) == 1


def test_a_failing_job_is_logged_and_the_others_still_run(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    ran: list[str] = []

    def broken() -> None:
        raise RuntimeError("the mail server is down")

    def after() -> None:
        ran.append("after")

    with caplog.at_level(logging.ERROR, "qlvb.worker"):
        assert timers.run_worker(platform.db, platform.clock.now, 0, once=True, jobs=(broken, after)) is False
    assert ran == ["after"]
    assert "worker job broken failed" in caplog.text and "the mail server is down" in caplog.text
    assert timers.run_worker(platform.db, platform.clock.now, 0, once=True, jobs=(after,)) is True

"""Benchmark: the CPU of a plain task completion (one that signs nothing), in process.

Not a test: it prints, per step of the Bắc Từ Liêm incoming procedure (register, the
director's direction, the unit head's assignment, the handler's outcome), the thread CPU
(``time.thread_time``) of ``POST /api/v1/tasks/{id}/complete`` through the Flask test client,
on SQLite and PostgreSQL, with the tests' fixtures (a fresh database each, the demo agency):

    .venv/bin/python -m pytest -q -s -p tests.conftest bench/plain_steps.py [-k sqlite]

``QLVB_BENCH_CASES`` (default 30) cases are run; the first three are the warm-up.
``QLVB_BENCH_PROFILE=FILE`` writes a cProfile of the timed completions to FILE.<database>.
The thread's CPU, not the wall clock, is what is compared, but a busy machine still inflates
it (caches, frequency): compare the lower percentiles, and runs made side by side.
"""

from __future__ import annotations

import cProfile
import os
import statistics
import time
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

from engine.core.platform import Platform
from tests.conftest import Api
from tests.test_btl_incoming import INCOMING

HEADS = {"KHNV": ("btl_head_khnv", "btl_spec_khnv"), "KSDB": ("btl_head_ksdb", "btl_spec_ksdb"),
         "TYT1": ("btl_head_tyt1", "btl_spec_tyt1")}
WARM_UP = 3


def test_plain_steps(api: Api, platform: Platform) -> None:
    cases = int(os.environ.get("QLVB_BENCH_CASES", "30"))
    profile_to = os.environ.get("QLVB_BENCH_PROFILE")
    profile = cProfile.Profile() if profile_to else None
    times: dict[str, list[float]] = defaultdict(list)
    specialist = {head: spec for head, spec in HEADS.values()}

    def step(user: str, task: dict[str, Any], data: dict[str, Any], timed: bool) -> dict[str, Any]:
        api.token(user)  # logged in before the clock starts
        started = time.thread_time()
        if profile is not None and timed:
            profile.enable()
        r = api.post(user, f"/api/v1/tasks/{task['id']}/complete", {"data": data})
        if profile is not None:
            profile.disable()
        if timed:
            times[task["task"]].append(time.thread_time() - started)
        assert r.status_code == 200, r.get_json()
        answer: dict[str, Any] = r.get_json()
        return answer

    due = (date(2026, 3, 2) + timedelta(days=10)).isoformat()
    for number in range(cases):
        timed = number >= WARM_UP
        data = {**INCOMING, "channel": "paper", "number_symbol": f"{number}/SYT-NVY"}
        case = api.post("btl_clerk", "/api/v1/cases", {"process": "btl_incoming", "data": data}).get_json()
        case = step("btl_clerk", case["open_tasks"][0], {"decision": "register", "leader": "director"}, timed)
        units = list(HEADS)
        direction: dict[str, Any] = {"main_unit": units[number % 3], "main_deadline": due, "note": "Đề nghị xử lý"}
        if number % 2:
            direction.update(co_units=[units[(number + 1) % 3]], co_deadline=due)
        leader = case["open_tasks"][0]
        case = step(leader["assignees"][0]["username"], leader, direction, timed)
        while case["open_tasks"]:
            task = case["open_tasks"][0]
            user = task["assignees"][0]["username"]
            data = {"assignee": specialist[user]} if task["task"] == "unit_assign" else \
                {"decision": "finish", "note": "Đã xử lý"}
            case = step(user, task, data, timed)
        assert case["status"] == "completed"

    every = [t for spent in times.values() for t in spent]
    name = platform.db.engine.dialect.name
    print(f"\n{name}: {len(every)} completions, load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}; "
          f"CPU ms mean {1000 * statistics.mean(every):.2f}, median {1000 * statistics.median(every):.2f}, "
          f"p10 {1000 * statistics.quantiles(every, n=10)[0]:.2f}")
    for kind, spent in sorted(times.items()):
        print(f"  {kind:16} {len(spent):4}  mean {1000 * statistics.mean(spent):6.2f}  "
              f"p10 {1000 * statistics.quantiles(spent, n=10)[0]:6.2f}")
    if profile is not None:
        profile.dump_stats(f"{profile_to}.{name}")

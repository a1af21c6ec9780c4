"""The crash test (issue 11): `qlvb serve` killed with SIGKILL at random moments (fixed seed)
while client threads walk Lai Châu incoming cases — the procedure with a per-unit
multi-instance sub-process — through the HTTP API, and restarted each time. Afterwards
every case has either finished or holds an open task, a timer or an awaited message;
the audit chain verifies and every case replays from its log."""

from __future__ import annotations

import http.client
import itertools
import random
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import select

from engine.core.clock import VIETNAM
from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from engine.models import Case, CaseStatus
from qlvb.cli import main
from tests.server import READY_WITHIN, Server, call
from tests.test_lai_chau import DIRECTION, INCOMING

KILLS = 8  # then the server is left running while the threads finish their cases
THREADS = 4
SEED = 11
CLERK = "laichau_clerk"
USERS = (CLERK, "laichau_director", "laichau_head_qlcn", "laichau_head_qltm", "laichau_spec_qlcn",
         "laichau_spec_qltm")
_LOST = (OSError, http.client.HTTPException, ValueError)  # no answer, or half of one: the server died


def _direction() -> dict[str, Any]:
    """The director's direction with deadlines from the server's today (its clock is the real one,
    in Vietnam time): a unit's deadline may not be before the day it is given."""
    today = datetime.now(VIETNAM).date()
    return {**DIRECTION, "main_deadline": (today + timedelta(days=10)).isoformat(),
            "co_deadline": (today + timedelta(days=7)).isoformat()}


def _form(task: dict[str, Any], user: str) -> dict[str, Any]:
    return {
        "direct_electronic": _direction(),
        "register_route": {"decision": "register"},
        "unit_assign": {"assignee": user.replace("_head_", "_spec_")},
        "handle": {"decision": "finish"},
    }[task["task"]]


class Client:
    """One thread's view of the server: a request that gets no answer is retried only
    after the server answers again, and never blindly: the case is read back first."""

    def __init__(self, base: str, tokens: dict[str, str], failures: list[str]) -> None:
        self.base, self.tokens, self.failures = base, tokens, failures

    def _when_up(self) -> None:
        deadline = time.monotonic() + READY_WITHIN
        while time.monotonic() < deadline:
            try:
                if call(f"{self.base}/api/openapi.json", timeout=5)[0] == 200:
                    return
            except _LOST:
                pass
            time.sleep(0.05)  # polling interval while waiting on readiness
        raise AssertionError(f"the server did not come back within {READY_WITHIN:.0f} s")

    def request(self, user: str, path: str, body: dict[str, Any] | None = None) -> tuple[int, Any] | None:
        """The answer, or None if the server died before giving one."""
        try:
            status, answer = call(f"{self.base}{path}", body, self.tokens[user])
        except _LOST:
            self._when_up()
            return None
        if status >= 500:
            self.failures.append(f"{path}: {status} {answer}")
        return status, answer

    def case(self, case_id: int) -> dict[str, Any]:
        while True:
            answer = self.request(CLERK, f"/api/v1/cases/{case_id}")
            if answer is not None:
                assert answer[0] == 200, answer
                case: dict[str, Any] = answer[1]
                return case

    def walk(self, rng: random.Random, case_id: int) -> None:
        case = self.case(case_id)
        refused = 0
        while case["status"] == "running":
            assert case["open_tasks"], f"case {case_id} is running with no open task: {case}"
            task = rng.choice(case["open_tasks"])
            user = task["assignees"][0]["username"]
            answer = self.request(user, f"/api/v1/tasks/{task['id']}/complete", {"data": _form(task, user)})
            if answer is not None and answer[0] == 200:
                case, refused = answer[1], 0
            else:  # lost, or already done by a request whose answer was lost (409): read it back
                assert answer is None or answer[0] == 409, answer
                refused = refused + 1 if answer is not None else 0
                assert refused < 50, f"case {case_id}: the same step refused 50 times: {answer}"
                case = self.case(case_id)


def _drive(client: Client, seed: int, calm: threading.Event, started: list[int]) -> None:
    rng = random.Random(seed)
    for n in itertools.count(1):
        if calm.is_set():
            return
        # each case its own document: the same number twice would wait for the clerk's confirmation
        data = {**INCOMING, "channel": "electronic", "number_symbol": f"{seed}{n:04d}/UBND-KT"}
        answer = client.request(CLERK, "/api/v1/cases", {"process": "laichau_incoming", "data": data})
        if answer is None:
            continue  # the case may exist, waiting at its first task: checked at the end like every case
        assert answer[0] == 201, answer
        started.append(answer[1]["id"])
        client.walk(rng, answer[1]["id"])


def _check_every_case(server: Server) -> None:
    """What an operator would run after the incident: each command exits 0."""
    for command in (["cases", "check"], ["audit", "verify"], ["audit", "replay", "--all"]):
        result = CliRunner().invoke(main, command, env=server.env)
        assert result.exit_code == 0, (command, result.output[-4000:])


def test_cases_survive_a_server_killed_at_random_moments(platform: Platform, tmp_path: Path) -> None:
    server = Server(platform, tmp_path / "serve.log")
    server.start()
    tokens = {}
    for user in USERS:
        status, body = call(f"{server.base}/api/v1/auth/token", {"username": user, "password": DEMO_PASSWORD})
        assert status == 200, body
        tokens[user] = body["token"]
    failures: list[str] = []
    started: list[int] = []
    errors: list[BaseException] = []
    calm = threading.Event()

    def run(seed: int) -> None:
        try:
            _drive(Client(server.base, tokens, failures), seed, calm, started)
        except BaseException as err:  # reported by the main thread
            errors.append(err)

    threads = [threading.Thread(target=run, args=(SEED + i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    chaos = random.Random(SEED)
    try:
        for _ in range(KILLS):
            time.sleep(chaos.uniform(0.2, 2.5))  # the random moment of the next kill
            server.kill()
            server.start()
        calm.set()
        for t in threads:
            t.join(timeout=600)
    finally:
        server.stop()
    assert not errors, errors
    assert not any(t.is_alive() for t in threads)
    assert failures == []
    _check_every_case(server)
    with platform.db.read() as session:
        statuses = [c.status for c in session.scalars(select(Case))]
    print(f"{KILLS} kills; {len(started)} cases started, {len(statuses)} in the database, "
          f"{statuses.count(CaseStatus.COMPLETED)} finished")
    assert statuses.count(CaseStatus.COMPLETED) >= len(started) // 2 > 0, (statuses, len(started))

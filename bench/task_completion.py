"""Benchmark: completing one task through the HTTP API, against raw SpiffWorkflow's
load + run + save of the same step, after 1, 10, 100 and 1,000 returns-for-revision.

Not a test: it prints a table (README "Benchmarks"). Run with ``make bench`` or
``.venv/bin/python bench/task_completion.py [--returns 1,10,100,1000] [--samples 40]``.

Ours: ``qlvb serve`` (waitress) on a fresh SQLite database, one keep-alive HTTP client;
after a warm-up case of 30 completions, one case is driven through N returns (head
returns, drafter resubmits), then the next ``samples`` completions of that case are
timed one by one and the median taken.
Raw: the same diagram in plain SpiffWorkflow 3.2.0 with its default serializer and
script engine; each sample is deserialize + complete the ready task + engine steps +
serialize, the cost every stateless server pays per request.
The two take their samples in alternate blocks of ten, so both see the same machine.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser  # noqa: E402
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine.demo import DEMO_PASSWORD  # noqa: E402

BPMN = ROOT / "processes" / "bac_tu_liem" / "btl_outgoing.bpmn"
DRAFT = {"subject": "Kế hoạch tiêm chủng mở rộng quý II năm 2026", "doc_type": "KH"}
RETURN = {"decision": "return", "note": "Sửa lại số liệu"}
WARM_UP = 100
BLOCK = 10  # samples of one side before the other takes its turn


class Client:
    def __init__(self, port: int) -> None:
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.tokens: dict[str, str] = {}

    def call(self, method: str, path: str, body: Any = None, user: str | None = None) -> Any:
        headers = {"Content-Type": "application/json"}
        if user is not None:
            if user not in self.tokens:
                self.tokens[user] = self.call("POST", "/api/v1/auth/token",
                                              {"username": user, "password": DEMO_PASSWORD})["token"]
            headers["Authorization"] = f"Bearer {self.tokens[user]}"
        self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.conn.getresponse()
        data = json.loads(response.read())
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: {response.status} {data}")
        return data

    def complete(self, user: str, case: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        task = case["open_tasks"][0]
        result: dict[str, Any] = self.call("POST", f"/api/v1/tasks/{task['id']}/complete", {"data": data}, user)
        return result


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _step(client: Client, case: dict[str, Any]) -> dict[str, Any]:
    """One completion of the revision loop: the head returns, or the drafter resubmits."""
    if case["open_tasks"][0]["task"] == "head_review":
        return client.complete("btl_head_khnv", case, RETURN)
    return client.complete("btl_spec_khnv", case, DRAFT)


class Ours:
    """``qlvb serve`` on a fresh SQLite database, one keep-alive client, one case in its
    revision loop (head returns, drafter resubmits)."""

    def __init__(self) -> None:
        data_dir = Path(tempfile.mkdtemp(prefix="qlvb-bench-"))
        env = {**os.environ, "QLVB_DATA_DIR": str(data_dir)}
        qlvb = [sys.executable, "-m", "qlvb"]
        subprocess.run([*qlvb, "init-db"], cwd=ROOT, env=env, check=True, capture_output=True)
        subprocess.run([*qlvb, "seed-demo"], cwd=ROOT, env=env, check=True, capture_output=True)
        port = _free_port()
        self.server = subprocess.Popen([*qlvb, "serve", "--port", str(port)], cwd=ROOT, env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
        self.client = Client(port)
        warm = self._new_case()
        for _ in range(WARM_UP):  # steady state: caches filled, connections pooled
            warm = _step(self.client, warm)
        self.case = self.client.complete("btl_spec_khnv", self._new_case(), DRAFT)
        self.returns = 0

    def _new_case(self) -> dict[str, Any]:
        result: dict[str, Any] = self.client.call("POST", "/api/v1/cases", {"process": "btl_outgoing", "data": DRAFT},
                                                  "btl_spec_khnv")
        return result

    def advance_to(self, returns: int) -> None:
        if self.case["open_tasks"][0]["task"] == "draft":  # keep the loop count exact
            self.case = _step(self.client, self.case)
        while self.returns < returns:  # head returns, drafter resubmits: one return-for-revision
            self.case = _step(self.client, _step(self.client, self.case))
            self.returns += 1

    def sample(self) -> float:
        t0 = time.perf_counter()
        self.case = _step(self.client, self.case)
        return time.perf_counter() - t0

    def close(self) -> None:
        self.server.terminate()
        self.server.wait(timeout=10)


class Raw:
    """The same diagram in plain SpiffWorkflow with its default serializer; a sample is
    deserialize + complete the ready task + engine steps + serialize."""

    def __init__(self) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(BPMN))
        spec = parser.get_spec("btl_outgoing")
        self.serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        warm = self.serializer.serialize_json(BpmnWorkflow(spec, {}))
        for _ in range(WARM_UP):
            self.serializer.serialize_json(self.serializer.deserialize_json(warm))
        wf = BpmnWorkflow(spec, {})
        wf.task_tree.data.update(DRAFT)
        wf.do_engine_steps()
        self._step(wf)
        self.state = self.serializer.serialize_json(wf)
        self.returns = 0

    @staticmethod
    def _ready(wf: BpmnWorkflow) -> Any:
        return wf.get_tasks(state=TaskState.READY, manual=True)[0]

    def _step(self, wf: BpmnWorkflow) -> None:
        task = self._ready(wf)
        task.data.update(RETURN if task.task_spec.name == "head_review" else DRAFT)
        task.run()
        wf.do_engine_steps()

    def advance_to(self, returns: int) -> None:
        """Raises RecursionError where SpiffWorkflow's serializer gives up."""
        wf = self.serializer.deserialize_json(self.state)
        if self._ready(wf).task_spec.name == "draft":
            self._step(wf)
        while self.returns < returns:
            self._step(wf)
            self._step(wf)
            self.returns += 1
        self.state = self.serializer.serialize_json(wf)

    def sample(self) -> float:
        t0 = time.perf_counter()
        loaded = self.serializer.deserialize_json(self.state)
        self._step(loaded)
        self.state = self.serializer.serialize_json(loaded)
        return time.perf_counter() - t0


def measure(returns: list[int], samples: int) -> tuple[dict[int, float], dict[int, float | str]]:
    """Medians per number of returns. Ours and raw take their samples in alternate blocks,
    so that both see the same machine: a ratio from two phases a minute apart moved with the
    machine's other load, not with the code. Blocks, not single samples, so that each side
    runs with its own data in the processor's caches, as it did alone."""
    ours, raw = Ours(), Raw()
    mine: dict[int, float] = {}
    theirs: dict[int, float | str] = {}
    raw_alive = True
    try:
        for target in returns:
            ours.advance_to(target)
            if raw_alive:
                try:
                    raw.advance_to(target)
                except RecursionError:
                    theirs[target] = f"fails (RecursionError after {raw.returns} returns)"
                    raw_alive = False
            times: list[float] = []
            raw_times: list[float] = []
            for block in range(0, samples, BLOCK):
                size = min(BLOCK, samples - block)
                times += [ours.sample() for _ in range(size)]
                if raw_alive:
                    raw_times += [raw.sample() for _ in range(size)]
            mine[target] = statistics.median(times)
            if raw_alive:
                theirs[target] = statistics.median(raw_times)
        return mine, theirs
    finally:
        ours.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--returns", default="1,10,100,1000")
    parser.add_argument("--samples", type=int, default=40)
    args = parser.parse_args()
    returns = [int(n) for n in args.returns.split(",")]
    mine, theirs = measure(returns, args.samples)
    print(f"{'returns':>8} | {'ours, HTTP (ms)':>15} | {'raw Spiff (ms)':>14} | {'ratio':>6} | vs ours@{returns[0]}")
    for n in returns:
        other = theirs.get(n, "not reached")
        ratio = f"{mine[n] / other:.2f}" if isinstance(other, float) else "-"
        raw_text = f"{other * 1000:.2f}" if isinstance(other, float) else str(other)
        print(f"{n:>8} | {mine[n] * 1000:>15.2f} | {raw_text:>14} | {ratio:>6} | {mine[n] / mine[returns[0]]:.2f}")


if __name__ == "__main__":
    main()

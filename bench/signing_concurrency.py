"""Benchmark: leaders' signatures and clerks' issues of one agency with N concurrent requests, and
what the other writes of the installation wait meanwhile (issue 19 item 2: no long work inside a
transaction or lock).

Not a test: it prints a table (README "Signing outside transactions"). Run with
``.venv/bin/python bench/signing_concurrency.py [--documents 24] [--threads 8] [--backends sqlite,postgresql]``.
The same file runs on an older checkout for the figures before (it uses only the HTTP API).

For each backend: a fresh database with the demo agencies and PKI, as the test suite makes it;
``--documents`` Bắc Từ Liêm drafts brought to the Director. Then, through the Flask app in this
process (one client per thread, as waitress's threads), two timed phases of ``--threads`` clients:
the Director signs every draft (key kept unlocked, B-LT, verified), then the clerk issues every one
(number and date filled in, the agency's signature, verified) — all in one register book. Beside
them a bystander in another agency starts cases back to back (a short write transaction each):
its latency shows who waits on the signing. Printed: signatures or issues per second, and the
bystander's p50 / p95 / max, with the load average before and after.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine import demo  # noqa: E402
from engine.core.clock import FakeClock  # noqa: E402
from engine.core.config import Settings  # noqa: E402
from engine.core.platform import Platform  # noqa: E402
from tests.conftest import START, Api, _create, _prepare  # noqa: E402
from tests.flows import only_task, to_director  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402
from webui import create_app  # noqa: E402

BYSTANDER = ("dn_spec_vps", "dongnai_outgoing")  # another agency's drafter, starting cases


def _pki(directory: Path) -> Path:
    from signing.keystore import pki

    holders = [pki.Holder(username, name, a.name) for a in demo.AGENCIES
               for username, name, _, _, certificate in a.staff if certificate]
    agencies = [pki.Holder(a.code, a.name, a.name) for a in demo.AGENCIES]
    pki.init_demo_pki(directory, holders, agencies, demo.DEMO_PASSWORD, now=START - timedelta(days=30))
    return directory


def _phase(app: Any, threads: int, work: list[str], user: str, data: dict[str, Any],
           bystander: tuple[str, str]) -> tuple[float, list[float]]:
    """``threads`` clients complete every task of ``work`` as ``user``; returns the wall time and
    the bystander's latencies meanwhile."""
    queue, guard, done, errors = list(work), threading.Lock(), threading.Event(), []
    latencies: list[float] = []

    def client() -> None:
        api = Api(app.test_client())
        while True:
            with guard:
                if not queue:
                    return
                task = queue.pop()
            r = api.complete(user, task, data)
            if r.status_code != 200:
                errors.append(f"{r.status_code} {r.get_json()}")

    def stand_by() -> None:
        api = Api(app.test_client())
        name, process = bystander
        while not done.is_set():
            began = time.perf_counter()
            r = api.post(name, "/api/v1/cases", {"process": process, "data": {"subject": "Báo cáo tuần",
                                                                              "doc_type": "BC"}})
            latencies.append(time.perf_counter() - began)
            if r.status_code != 201:
                errors.append(f"bystander {r.status_code} {r.get_json()}")
                return

    Api(app.test_client()).token(bystander[0])
    side = threading.Thread(target=stand_by)
    side.start()
    began = time.perf_counter()
    clients = [threading.Thread(target=client) for _ in range(threads)]
    for t in clients:
        t.start()
    for t in clients:
        t.join()
    wall = time.perf_counter() - began
    done.set()
    side.join()
    if errors:
        raise RuntimeError("; ".join(errors[:5]))
    return wall, latencies


def _ms(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:.0f}"


def run(backend: str, documents: int, threads: int, url_for: Callable[[str], str], work_dir: Path) -> None:
    pki = _pki(work_dir / "pki")
    url = url_for(backend)
    _prepare(url, pki)
    platform = Platform.from_settings(Settings(database_url=url, data_dir=work_dir / f"data-{backend}",
                                               pki_path=pki), FakeClock(START))
    app = create_app(platform)
    api = Api(app.test_client())
    drafts = [to_director(api) for _ in range(documents)]
    bystander = BYSTANDER
    load = os.getloadavg()[0]
    wall, late = _phase(app, threads, [only_task(c)["id"] for c in drafts], "btl_director", {"decision": "sign"},
                        bystander)
    print(f"{backend:10} sign  {threads:2} threads {documents:3} docs  {documents / wall:6.2f}/s  "
          f"bystander p50 {_ms(late, 0.5)} p95 {_ms(late, 0.95)} max {_ms(late, 1.0)} ms ({len(late)} writes)  "
          f"load {load:.1f}->{os.getloadavg()[0]:.1f}", flush=True)
    issue = []
    for case in drafts:
        found = api.get("btl_clerk", f"/api/v1/cases/{case['id']}").get_json()
        issue.append(only_task(found)["id"])
    load = os.getloadavg()[0]
    wall, late = _phase(app, threads, issue, "btl_clerk", {"decision": "issue"}, bystander)
    print(f"{backend:10} issue {threads:2} threads {documents:3} docs  {documents / wall:6.2f}/s  "
          f"bystander p50 {_ms(late, 0.5)} p95 {_ms(late, 0.95)} max {_ms(late, 1.0)} ms ({len(late)} writes)  "
          f"load {load:.1f}->{os.getloadavg()[0]:.1f}", flush=True)
    platform.db.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=24)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--backends", default="sqlite,postgresql")
    args = parser.parse_args()
    work_dir = Path(tempfile.mkdtemp(prefix="qlvb-bench-signing-"))
    servers: list[PostgresServer] = []
    try:
        def url_for(backend: str) -> str:
            if backend == "sqlite":
                return f"sqlite:///{work_dir / 'bench.sqlite3'}"
            servers.append(PostgresServer())
            servers[-1].start()
            _create(servers[-1], "bench")
            return servers[-1].url("bench")

        for backend in args.backends.split(","):
            run(backend, args.documents, args.threads, url_for, work_dir / backend)
    finally:
        for server in servers:
            server.stop()
        shutil.rmtree(work_dir, ignore_errors=True)


if __name__ == "__main__":
    main()

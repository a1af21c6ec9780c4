"""Benchmark: an agency's day through the HTTP API (issue 19).

Not a test: it prints figures (README "An agency's day", docs/capacity.md). Run with
``.venv/bin/python bench/agency_day.py [--scale 1] [--clients 16] [--databases sqlite,postgresql]
[--workers 2] [--processes 1,2,4] [--code DIR] [--probes 30]``.

The day of Bắc Từ Liêm's health centre, by default 1,000 incoming and 300 outgoing documents
(``--scale`` multiplies both), handled by ``--clients`` HTTP clients at once, each taking the
next document and walking it to its end as whoever holds each step:

* incoming: the clerk starts the procedure and uploads the PDF, registers it for the Director
  (two in three) or the Deputy Director in charge; the leader directs it to a unit, one in two
  with a second unit co-ordinating; each unit's head assigns it and the official finishes it;
* outgoing: the official drafts it and uploads the PDF (a Decree 30 draft), one in five is
  returned by the head once, the head sends it to the Director (or, on the KSDB path, to the
  Deputy Director in charge), who signs it with the server-held key; the clerk numbers it,
  seals it with the agency's key and issues it.

Each step is what a person does: read the inbox (``GET /api/v1/tasks``), open the task
(``GET /api/v1/tasks/{id}``), complete it; every fourth step the header's unread count.

Against ``qlvb serve --workers N`` (gunicorn) and one ``qlvb worker``, on a fresh copy of a
database made by ``qlvb init-db`` + ``qlvb seed-demo`` (SQLite, and PostgreSQL started as the
test suite does, tests/pgserver.py). Printed: the wall time of the day, task steps per second,
server CPU per step from /proc (the web processes, the worker, PostgreSQL's backends; all
children reaped included), p50/p95/p99 per request kind, the load average; then, one client
and one request at a time, the server CPU of each read and of a plain completion (probes).
Then the checks: every case of the day finished, every register book gapless, every issued
document's signatures valid (its verification report), ``qlvb audit verify`` intact.

``--processes 1,2,4`` runs the day on PostgreSQL against 1, 2 and 4 web processes and prints
the growth. ``--code DIR`` serves from another checkout (a worktree of an older commit) with
the same driver, for before/after figures.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from dataclasses import replace as revised
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text  # noqa: E402

from engine.core.clock import VIETNAM  # noqa: E402
from engine.demo import DEMO_PASSWORD  # noqa: E402
from tests.drafts import CORPUS, make  # noqa: E402
from tests.pgserver import PostgresServer  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")
READY_WITHIN = 180.0  # seconds for a server to answer; a loaded machine takes long to import
SIGNING = {"password": DEMO_PASSWORD, "agency_password": DEMO_PASSWORD}

# The health centre's units: who heads each, who handles, which leader directs and signs for it.
UNITS = {
    "KHNV": ("btl_head_khnv", "btl_spec_khnv", "btl_deputy2", "director"),
    "KSDB": ("btl_head_ksdb", "btl_spec_ksdb", "btl_deputy1", "deputy_director"),
    "TYT1": ("btl_head_tyt1", "btl_spec_tyt1", "btl_deputy2", "director"),
}
HEADS = {head: spec for head, spec, _, _ in UNITS.values()}
ISSUERS = ("Sở Y tế Hà Nội", "UBND quận Bắc Từ Liêm", "Trung tâm Kiểm soát bệnh tật Hà Nội", "Bảo hiểm xã hội quận")


# ---------------------------------------------------------------------------------------------
# CPU from /proc


def _stat(pid: int) -> list[str] | None:
    return _stat_of(f"/proc/{pid}/stat")  # after "(comm) ": state is field 3, utime field 14


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and its descendants, those already reaped included (cutime)."""
    fields = _stat(pid)
    if fields is None:
        return 0.0
    own = sum(int(v) for v in fields[11:15]) / TICK  # utime, stime, cutime, cstime
    return own + sum(tree_cpu(child) for child in _children(pid))


def _ticks(fields: list[str] | None, first: int, last: int) -> float:
    return sum(int(v) for v in fields[first:last]) / TICK if fields else 0.0


def web_split(master: int) -> dict[str, float]:
    """The web server's CPU seconds in three parts: the worker processes' threads other than the
    main one (the requests: gunicorn's parsing and writing, Flask, the application), the main
    threads of the master and the workers (accepting, polling, the worker's heartbeat) and the
    child processes the requests ran (the PDF helper and its children; reaped or still running)."""
    parts = {"request threads": 0.0, "main threads": 0.0, "children": 0.0}
    parts["main threads"] += _ticks(_stat(master), 11, 13)
    for worker in _children(master):
        fields = _stat(worker)
        main = _ticks(_stat_of(f"/proc/{worker}/task/{worker}/stat"), 11, 13)
        parts["main threads"] += main
        parts["request threads"] += _ticks(fields, 11, 13) - main
        parts["children"] += _ticks(fields, 13, 15) + sum(tree_cpu(child) for child in _children(worker))
    return parts


def _stat_of(path: str) -> list[str] | None:
    try:
        raw = Path(path).read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()


# ---------------------------------------------------------------------------------------------
# The installation: a template made once per database kind, a fresh copy per day


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Installation:
    """Data folder (files, PKI) and database made by ``qlvb init-db`` and ``qlvb seed-demo``;
    ``copy`` gives each day its own."""

    def __init__(self, kind: str, code: Path, scratch: Path, postgres: PostgresServer | None) -> None:
        self.kind, self.code, self.scratch, self.postgres = kind, code, scratch, postgres
        self.template = scratch / f"template-{kind}"
        self.copies = 0
        url = self._url(self.template, "qlvb_template")
        if postgres is not None:
            self._sql('CREATE DATABASE "qlvb_template"')
        for command in (["init-db"], ["seed-demo"]):
            run_qlvb(code, self.template, url, command)

    def _url(self, data_dir: Path, database: str) -> str:
        if self.postgres is None:
            return f"sqlite:///{data_dir / 'qlvb.sqlite3'}"
        return self.postgres.url(database)

    def _sql(self, statement: str) -> None:
        assert self.postgres is not None
        engine = create_engine(self.postgres.url(), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(text(statement))
        engine.dispose()

    def copy(self) -> tuple[Path, str]:
        self.copies += 1
        name = f"day{self.copies}"
        target = self.scratch / f"{self.kind}-{name}"
        shutil.copytree(self.template, target)
        if self.postgres is not None:
            self._sql(f'CREATE DATABASE "{name}" TEMPLATE "qlvb_template"')
        return target, self._url(target, name)


def _environment(code: Path, data_dir: Path, url: str) -> dict[str, str]:
    return {**os.environ, "QLVB_DATA_DIR": str(data_dir), "QLVB_DATABASE_URL": url, "PYTHONPATH": str(code),
            "QLVB_SERVER_TIMING": "1"}


def run_qlvb(code: Path, data_dir: Path, url: str, command: list[str]) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "qlvb", *command], cwd=code, env=_environment(code, data_dir, url),
                            capture_output=True, text=True, timeout=1800)
    if result.returncode not in (0, 1) or (result.returncode == 1 and command[:2] != ["audit", "verify"]):
        raise RuntimeError(f"qlvb {' '.join(command)}: {result.returncode}\n"
                           f"{result.stdout[-2000:]}{result.stderr[-2000:]}")
    return result


class Servers:
    """``qlvb serve --workers N`` and one ``qlvb worker`` over one installation's copy."""

    def __init__(self, code: Path, data_dir: Path, url: str, workers: int, threads: int) -> None:
        self.port = _free_port()
        env = _environment(code, data_dir, url)
        qlvb = [sys.executable, "-m", "qlvb"]
        self.log = (data_dir / "serve.log").open("wb")
        self.web = subprocess.Popen([*qlvb, "serve", "--port", str(self.port), "--workers", str(workers),
                                     "--threads", str(threads)], cwd=code, env=env, stdout=self.log,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        self.worker = subprocess.Popen([*qlvb, "worker", "--no-backup"], cwd=code, env=env, stdout=self.log,
                                       stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + READY_WITHIN
        while True:
            if self.web.poll() is not None:
                raise RuntimeError(f"qlvb serve exited: {(data_dir / 'serve.log').read_text()[-3000:]}")
            try:
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                conn.request("GET", "/api/openapi.json")
                if conn.getresponse().status == 200:
                    conn.close()
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("qlvb serve did not answer in time")
            time.sleep(0.2)  # polling for readiness, not a fixed wait

    def cpu(self) -> dict[str, float]:
        return {"web": tree_cpu(self.web.pid), "worker": tree_cpu(self.worker.pid), **web_split(self.web.pid)}

    def stop(self) -> None:
        for process in (self.web, self.worker):
            if process.poll() is None:
                process.terminate()
        for process in (self.web, self.worker):
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=60)
        self.log.close()


def postgres_cpu(server: PostgresServer | None) -> float:
    if server is None:
        return 0.0
    pid = int((server.dir / "data" / "postmaster.pid").read_text().split()[0])
    return tree_cpu(pid)


# ---------------------------------------------------------------------------------------------
# The clients


class Failed(RuntimeError):
    pass


@dataclass
class Record:
    """What the clients measured: latencies per request kind, and the day's cases."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    # The web CPU of each request in its own thread, as its response says (Server-Timing), ms.
    cpu: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    steps: int = 0
    cases: list[int] = field(default_factory=list)
    issued: list[int] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, seconds: float, cpu_ms: float | None) -> None:
        with self.lock:
            self.latencies[kind].append(seconds)
            if cpu_ms is not None:
                self.cpu[kind].append(cpu_ms)


class Client:
    """One keep-alive connection; tokens are shared between clients (one login per person)."""

    tokens: dict[str, str] = {}
    tokens_lock = threading.Lock()

    def __init__(self, port: int, record: Record) -> None:
        self.port, self.record = port, record
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def token(self, user: str) -> str:
        with Client.tokens_lock:
            if user not in Client.tokens:
                Client.tokens[user] = self.call("POST", "/api/v1/auth/token",
                                                {"username": user, "password": DEMO_PASSWORD}, kind="login")["token"]
            return Client.tokens[user]

    def call(self, method: str, path: str, body: Any = None, user: str | None = None, kind: str = "other",
             raw: tuple[bytes, str] | None = None) -> Any:
        headers = {"Authorization": f"Bearer {self.token(user)}"} if user else {}
        if raw is not None:
            payload, headers["Content-Type"] = raw
        else:
            payload = json.dumps(body).encode() if body is not None else None
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.conn.request(method, path, body=payload, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                break
            except (http.client.HTTPException, ConnectionError):  # a keep-alive closed by the server
                self.conn.close()
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
                if attempt:
                    raise
        self.record.add(kind, time.perf_counter() - started, _cpu_said(response))
        answer = json.loads(data) if data and response.getheader("Content-Type", "").startswith("application/json") \
            else data
        if response.status >= 300:
            raise Failed(f"{method} {path} as {user}: {response.status} {str(answer)[:600]}")
        return answer

    def upload(self, user: str, document_id: int, pdf: bytes) -> None:
        boundary = uuid.uuid4().hex
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"role\"\r\n\r\nmain\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"van-ban.pdf\"\r\n"
                "Content-Type: application/pdf\r\n\r\n").encode() + pdf + f"\r\n--{boundary}--\r\n".encode()
        self.call("POST", f"/api/v1/documents/{document_id}/files", user=user, kind="upload",
                  raw=(body, f"multipart/form-data; boundary={boundary}"))

    def step(self, user: str, task: dict[str, Any], data: dict[str, Any], kind: str = "complete") -> dict[str, Any]:
        """What a person does for one task: the inbox, the task, its completion."""
        self.call("GET", "/api/v1/tasks?per_page=20", user=user, kind="inbox")
        self.call("GET", f"/api/v1/tasks/{task['id']}", user=user, kind="task view")
        body: dict[str, Any] = {"data": data}
        if kind != "complete":
            body["signing"] = SIGNING
        case: dict[str, Any] = self.call("POST", f"/api/v1/tasks/{task['id']}/complete", body, user, kind)
        with self.record.lock:
            self.record.steps += 1
            if self.record.steps % 4 == 0:
                counting = True
            else:
                counting = False
        if counting:
            self.call("GET", "/api/v1/notifications/count", user=user, kind="counts")
        return case


def _cpu_said(response: http.client.HTTPResponse) -> float | None:
    """The ``cpu`` of a response's Server-Timing (ms), if the server says it (an older --code does not)."""
    for metric in (response.getheader("Server-Timing") or "").split(","):
        name, _, duration = metric.strip().partition(";dur=")
        if name == "cpu" and duration:
            return float(duration)
    return None


def _holder(task: dict[str, Any]) -> str:
    return str(task["assignees"][0]["username"])


def incoming(client: Client, number: int, pdf: bytes) -> None:
    rng = random.Random(number)
    data = {"channel": "electronic", "doc_type": "CV", "subject": f"Về việc triển khai công tác y tế, văn bản {number}",
            "number_symbol": f"{number}/{rng.choice(['SYT-NVY', 'UBND-VX', 'CDC-KSB'])}",
            "issuer_name": ISSUERS[number % len(ISSUERS)], "document_date": "2026-03-02"}
    case = client.call("POST", "/api/v1/cases", {"process": "btl_incoming", "data": data}, "btl_clerk", "start")
    client.record.cases.append(case["id"])
    client.upload("btl_clerk", case["document"]["id"], pdf)
    main = list(UNITS)[number % len(UNITS)]
    if number % 3 == 2:
        register = {"decision": "register", "leader": "deputy_director", "lead_unit": main}
    else:
        register = {"decision": "register", "leader": "director"}
    case = client.step("btl_clerk", case["open_tasks"][0], register)
    # The servers run on the real clock: a unit's deadline may not be before today (Vietnam time).
    due = (datetime.now(VIETNAM).date() + timedelta(days=10)).isoformat()
    direction: dict[str, Any] = {"main_unit": main, "main_deadline": due, "note": "Đề nghị xử lý"}
    if number % 2:
        direction.update(co_units=[list(UNITS)[(number + 1) % len(UNITS)]], co_deadline=due)
    leader = case["open_tasks"][0]
    case = client.step(_holder(leader), leader, direction)
    while case["open_tasks"]:
        task = case["open_tasks"][0]
        user = _holder(task)
        if task["task"] == "unit_assign":
            case = client.step(user, task, {"assignee": HEADS[user]})
        else:
            case = client.step(user, task, {"decision": "finish", "note": "Đã xử lý"})
    if case["status"] != "completed":
        raise Failed(f"incoming case {case['id']} ended {case['status']}")


def outgoing(client: Client, number: int, pdf: bytes) -> None:
    unit = list(UNITS)[number % len(UNITS)]
    head, spec, _, route = UNITS[unit]
    draft = {"subject": f"Công tác y tế dự phòng, văn bản đi {number}",
             "doc_type": OUTGOING_KINDS[number % len(OUTGOING_KINDS)][1]}
    case = client.call("POST", "/api/v1/cases", {"process": "btl_outgoing", "data": draft}, spec, "start")
    client.record.cases.append(case["id"])
    client.upload(spec, case["document"]["id"], pdf)
    case = client.step(spec, case["open_tasks"][0], draft)
    if number % 5 == 0:
        case = client.step(head, case["open_tasks"][0], {"decision": "return", "note": "Bổ sung số liệu"})
        case = client.step(spec, case["open_tasks"][0], {**draft, "revision_note": "Đã bổ sung"})
    case = client.step(head, case["open_tasks"][0], {"decision": "approve", "route": route})
    leader = case["open_tasks"][0]
    case = client.step(_holder(leader), leader, {"decision": "sign"}, "sign")
    case = client.step("btl_clerk", case["open_tasks"][0], {"decision": "issue"}, "issue")
    if case["status"] != "completed":
        raise Failed(f"outgoing case {case['id']} ended {case['status']}")
    client.record.issued.append(case["document"]["id"])


# The outgoing drafts' kinds: the symbol their "Số:" line prints is the one the register gives.
OUTGOING_KINDS = ((CORPUS[3], "KH"), (CORPUS[0], "QĐ"))


def _pdfs(count: int, outgoing_pdf: bool) -> list[bytes]:
    """Real Decree 30 documents, each its own (a different title), made before the day starts."""
    found = []
    for n in range(count):
        base = OUTGOING_KINDS[n % len(OUTGOING_KINDS)][0] if outgoing_pdf else CORPUS[n % 4]
        title = (base.title[0], f"{base.title[-1]} (văn bản {n})")
        draft = revised(base, title=title) if outgoing_pdf else \
            revised(base, title=title, superior="UBND THÀNH PHỐ HÀ NỘI", agency="SỞ Y TẾ HÀ NỘI", place="Hà Nội")
        found.append(make(draft))
    return found


@dataclass(frozen=True)
class Day:
    incoming: int
    outgoing: int
    clients: int


def run_day(port: int, day: Day, pdfs: tuple[list[bytes], list[bytes]], record: Record) -> float:
    """The day's documents in a shuffled order, ``clients`` at a time; returns the wall time."""
    work = [("in", n) for n in range(day.incoming)] + [("out", n) for n in range(day.outgoing)]
    random.Random(19).shuffle(work)
    lock = threading.Lock()
    errors: list[BaseException] = []
    Client(port, record).token("btl_clerk")  # log the people in before the clock starts
    for user in ("btl_director", "btl_deputy1", "btl_deputy2", *HEADS, *HEADS.values()):
        Client(port, record).token(user)

    def client_loop() -> None:
        client = Client(port, record)
        while not errors:
            with lock:
                if not work:
                    return
                kind, number = work.pop()
            try:
                if kind == "in":
                    incoming(client, number, pdfs[0][number])
                else:
                    outgoing(client, number, pdfs[1][number])
            except BaseException as err:  # the day stops at the first failure, reported below
                errors.append(err)

    started = time.perf_counter()
    threads = [threading.Thread(target=client_loop) for _ in range(day.clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise errors[0]
    return time.perf_counter() - started


# ---------------------------------------------------------------------------------------------
# Probes: one request at a time, server CPU per request of each kind


def probe(port: int, servers: Servers, record: Record, count: int) -> dict[str, float]:
    client = Client(port, record)
    cases = []
    for n in range(count):  # incoming documents waiting at their registration, for plain completions
        data = {"channel": "paper", "doc_type": "CV", "subject": f"Văn bản thử {n}", "number_symbol": f"{n}/PROBE",
                "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-03-02"}
        cases.append(client.call("POST", "/api/v1/cases", {"process": "btl_incoming", "data": data}, "btl_clerk"))
    some = cases[0]["open_tasks"][0]["id"]
    kinds: dict[str, Any] = {
        "inbox": lambda n: client.call("GET", "/api/v1/tasks?per_page=20", user="btl_clerk"),
        "task view": lambda n: client.call("GET", f"/api/v1/tasks/{some}", user="btl_clerk"),
        "case view": lambda n: client.call("GET", f"/api/v1/cases/{cases[0]['id']}", user="btl_clerk"),
        "counts": lambda n: client.call("GET", "/api/v1/notifications/count", user="btl_clerk"),
        "complete": lambda n: client.call("POST", f"/api/v1/tasks/{cases[n]['open_tasks'][0]['id']}/complete",
                                          {"data": {"decision": "register", "leader": "director"}}, "btl_clerk"),
    }
    found = {}
    for kind, call in kinds.items():
        call(0) if kind != "complete" else None
        before = servers.cpu()["web"]
        for n in range(count):
            call(n)
        found[kind] = (servers.cpu()["web"] - before) / count * 1000
    return found


# ---------------------------------------------------------------------------------------------
# The checks


def checks(url: str, record: Record, client: Client, code: Path, data_dir: Path) -> list[str]:
    """What must hold after the day; returns the failures (none: the day was correct)."""
    failures = []
    engine = create_engine(url)
    with engine.connect() as conn:
        ids = record.cases
        statuses_of_day = conn.execute(text("SELECT id, status FROM cases WHERE id >= :first"),
                                       {"first": min(ids, default=0)}).all()
        open_cases = len([i for i, status in statuses_of_day if i in set(ids) and status != "completed"])
        statuses = {s for (s,) in conn.execute(text("SELECT DISTINCT status FROM cases"))}
        if open_cases:
            failures.append(f"{open_cases} cases of the day not finished (statuses {statuses})")
        rows = conn.execute(text("SELECT book_id, year, number FROM documents WHERE number IS NOT NULL"))
        books: dict[tuple[int, int], list[int]] = defaultdict(list)
        for book, year, number in rows:
            books[(book, year)].append(number)
        for key, numbers in books.items():
            if sorted(numbers) != list(range(1, len(numbers) + 1)):
                failures.append(f"register book {key} not gapless: {len(numbers)} entries, highest {max(numbers)}")
    engine.dispose()
    for document_id in record.issued:
        report = client.call("GET", f"/api/v1/documents/{document_id}/verification", user="btl_clerk", kind="verify")
        if not report["valid"] or len(report["signatures"]) < 2:
            failures.append(f"document {document_id}: signatures {report['valid']}, {len(report['signatures'])}")
    audit = run_qlvb(code, data_dir, url, ["audit", "verify"])
    if audit.returncode != 0:
        failures.append("qlvb audit verify: " + audit.stdout[-600:])
    return failures


# ---------------------------------------------------------------------------------------------


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def _percentiles(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        return (values[0] * 1000,) * 3 if values else (0.0, 0.0, 0.0)
    cuts = statistics.quantiles(values, n=100, method="inclusive")
    return cuts[49] * 1000, cuts[94] * 1000, cuts[98] * 1000


@dataclass
class Result:
    kind: str
    workers: int
    wall: float
    steps: int
    requests: int
    cpu: dict[str, float]
    latencies: dict[str, list[float]]
    request_cpu: dict[str, list[float]]  # ms per request of each kind, in the request's own thread
    probes: dict[str, float]
    failures: list[str]
    load: tuple[str, str]
    grown: tuple[int, int]  # bytes the database and the files grew by during the day

    @property
    def server_cpu(self) -> float:
        return self.cpu["web"] + self.cpu["database"]


def storage(url: str, data_dir: Path) -> tuple[int, int]:
    """Bytes of the database (PostgreSQL's size of it; SQLite's file and its log) and of the files."""
    if url.startswith("sqlite"):
        database = sum(p.stat().st_size for p in data_dir.glob("qlvb.sqlite3*"))
    else:
        engine = create_engine(url)
        with engine.connect() as conn:
            database = int(conn.execute(text("SELECT pg_database_size(current_database())")).scalar() or 0)
        engine.dispose()
    files = sum(p.stat().st_size for p in (data_dir / "files").rglob("*") if p.is_file())
    return database, files


def day_on(installation: Installation, workers: int, threads: int, day: Day,
           pdfs: tuple[list[bytes], list[bytes]], probes: int) -> Result:
    data_dir, url = installation.copy()
    servers = Servers(installation.code, data_dir, url, workers, threads)
    record = Record()
    try:
        Client.tokens = {}
        load_before = _load()
        stored = storage(url, data_dir)
        cpu_before = {**servers.cpu(), "database": postgres_cpu(installation.postgres)}
        wall = run_day(servers.port, day, pdfs, record)
        cpu_after = {**servers.cpu(), "database": postgres_cpu(installation.postgres)}
        load_after = _load()
        grown = tuple(after - before for after, before in zip(storage(url, data_dir), stored, strict=True))
        cpu = {k: cpu_after[k] - cpu_before[k] for k in cpu_before}
        latencies = {k: list(v) for k, v in record.latencies.items()}
        request_cpu = {k: list(v) for k, v in record.cpu.items()}
        requests = sum(len(v) for k, v in latencies.items() if k != "login")
        found_probes = probe(servers.port, servers, record, probes) if probes else {}
        failures = checks(url, record, Client(servers.port, record), installation.code, data_dir)
    finally:
        servers.stop()
    return Result(installation.kind, workers, wall, record.steps, requests, cpu, latencies, request_cpu,
                  found_probes, failures,
                  (load_before, load_after), (grown[0], grown[1]))


def report(result: Result, day: Day) -> None:
    steps = max(result.steps, 1)
    print(f"\n== {result.kind}, {result.workers} web process(es), {day.clients} clients: "
          f"{day.incoming} incoming + {day.outgoing} outgoing ==")
    print(f"load average before {result.load[0]}, after {result.load[1]}")
    print(f"wall {result.wall:.1f} s, {result.steps} task steps, {result.requests} requests: "
          f"{result.steps / result.wall:.2f} steps/s, {result.requests / result.wall:.1f} requests/s")
    print(f"server CPU per step: {result.server_cpu / steps * 1000:.1f} ms "
          f"(web {result.cpu['web'] / steps * 1000:.1f}, "
          f"database {result.cpu['database'] / steps * 1000:.1f}); worker {result.cpu['worker'] / steps * 1000:.1f} ms")
    documents = max(day.incoming + day.outgoing, 1)
    print(f"stored per document: database {result.grown[0] / documents / 1024:.1f} KiB, "
          f"files {result.grown[1] / documents / 1024:.1f} KiB")
    day_kinds = [kind for kind in sorted(result.latencies) if kind not in ("login", "verify")]
    in_threads = sum(sum(result.request_cpu.get(kind, ())) for kind in day_kinds)
    print(f"{'request':<12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'CPU ms':>8} {'CPU share':>10}")
    for kind in day_kinds:
        p50, p95, p99 = _percentiles(result.latencies[kind])
        said = result.request_cpu.get(kind, [])
        cpu = f"{statistics.mean(said):>8.2f} {sum(said) / in_threads:>10.1%}" if said and in_threads else \
            f"{'-':>8} {'-':>10}"
        print(f"{kind:<12} {len(result.latencies[kind]):>6} {p50:>8.1f} {p95:>8.1f} {p99:>8.1f} {cpu}")
    per_step = {part: result.cpu[part] / steps * 1000 for part in ("request threads", "main threads", "children")}
    print(f"web CPU per step: request threads {per_step['request threads']:.1f} ms"
          + (f" (of which the application, as its responses say, {in_threads / steps:.1f})" if in_threads else "")
          + f", main threads {per_step['main threads']:.1f}, child processes {per_step['children']:.1f}")
    if result.probes:
        print("one request at a time, web CPU per request (ms): "
              + ", ".join(f"{k} {v:.2f}" for k, v in result.probes.items()))
    print("checks: " + ("all cases finished, books gapless, issued documents validly signed, audit intact"
                        if not result.failures else "FAILED\n  " + "\n  ".join(result.failures)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="of 1,000 incoming + 300 outgoing documents")
    parser.add_argument("--incoming", type=int, help="instead of the scale's")
    parser.add_argument("--outgoing", type=int, help="instead of the scale's")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workers", type=int, default=2, help="web processes (gunicorn workers)")
    parser.add_argument("--threads", type=int, default=4, help="threads per web process")
    parser.add_argument("--processes", help="e.g. 1,2,4: the day on PostgreSQL against each count of web processes")
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to serve from (default this one)")
    parser.add_argument("--probes", type=int, default=30, help="requests of each kind one at a time (0: none)")
    args = parser.parse_args()
    day = Day(args.incoming if args.incoming is not None else round(1000 * args.scale),
              args.outgoing if args.outgoing is not None else round(300 * args.scale), args.clients)
    code = args.code.resolve()
    print(f"agency day: {day.incoming} incoming + {day.outgoing} outgoing, {day.clients} clients, code {code}, "
          f"{os.cpu_count()} cores, load average {_load()}")
    pdfs = (_pdfs(day.incoming, False), _pdfs(day.outgoing, True))
    scratch = Path(tempfile.mkdtemp(prefix="qlvb-day-"))
    postgres: PostgresServer | None = None
    failed = False
    try:
        runs: list[tuple[str, int]] = []
        if args.processes:
            runs = [("postgresql", int(n)) for n in args.processes.split(",")]
        else:
            runs = [(kind, args.workers) for kind in args.databases.split(",")]
        installations: dict[str, Installation] = {}
        results = []
        for kind, workers in runs:
            if kind not in installations:
                if kind == "postgresql":
                    postgres = PostgresServer()
                    postgres.start()
                installations[kind] = Installation(kind, code, scratch, postgres if kind == "postgresql" else None)
            result = day_on(installations[kind], workers, args.threads, day, pdfs, args.probes)
            report(result, day)
            results.append(result)
            failed = failed or bool(result.failures)
        if args.processes:
            first = results[0]
            print("\nweb processes | wall s | steps/s | growth | server CPU ms/step | load before → after")
            for r in results:
                print(f"{r.workers:>13} | {r.wall:>6.1f} | {r.steps / r.wall:>7.2f} | "
                      f"{(r.steps / r.wall) / (first.steps / first.wall):>5.2f}× | "
                      f"{r.server_cpu / max(r.steps, 1) * 1000:>18.1f} | {r.load[0]} → {r.load[1]}")
    finally:
        if postgres is not None:
            postgres.stop()
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""No long work inside a transaction (issue 19 item 2): a completion that signs is read in a short
transaction, signed with none open, and recorded in a short one that checks the case has not moved
(engine.signed_steps); the register's number is taken only there, exactly the one the agency's
signature carries. On SQLite and PostgreSQL:

- no key is unlocked, no PDF prepared, signed or verified while any connection of the process is
  in a transaction (the old code signed inside the request's write transaction);
- concurrent completions of the same task (the leader's signature, the clerk's issue) record one;
- 8 clerks issuing at once in one book, with failures injected between signing and recording and
  after the number is taken, leave the series 1..N without a hole, every file valid and carrying its
  number;
- ``qlvb serve`` killed with SIGKILL while it waits on the agency's time-stamping authority leaves
  the number unused and the task open, the book free meanwhile for other issues.
"""

from __future__ import annotations

import http.server
import random
import subprocess
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from engine.core.errors import Conflict, DomainError
from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from engine.documents.storage import FileStore
from engine.models import (
    AuditEntry,
    Case,
    Document,
    DocumentStatus,
    FileVersion,
    HumanTask,
    RegisterCounter,
    TaskStatus,
    User,
)
from engine.signatures import jobs, signatures, signing_settings
from engine.signatures.key_cache import UNLOCKED
from engine.signed_steps import completion
from signing.keystore.keys import Pkcs12Key
from signing.pades import longterm, pdfsign, split, verify
from signing.pades.verify import verify_pdf
from signing.pdf import copies, draft
from tests.conftest import Api
from tests.flows import complete, only_task, to_director
from tests.pdfs import minimal_pdf
from tests.server import READY_WITHIN, Server, call

CLERK, DIRECTOR = "btl_clerk", "btl_director"
CREDENTIALS = signatures.Credentials(password=DEMO_PASSWORD, agency_password=DEMO_PASSWORD)


def _desk(platform: Platform, credentials: signatures.Credentials = CREDENTIALS) -> signatures.Desk:
    settings = platform.settings
    return signatures.Desk(FileStore(settings.files_dir),
                           signatures.Keys(settings.pki_dir, tuple(settings.trust_roots)), credentials)


def _who(username: str) -> completion.Who:
    return lambda session, _now: session.scalars(select(User).where(User.username == username)).one()


def _complete(platform: Platform, username: str, task_id: str, data: dict[str, Any],
              then: Callable[[Session, User, Case, datetime], Any] | None = None) -> Any:
    return completion.complete(platform.db, _desk(platform), task_id, data, platform.clock.now, _who(username),
                               then or (lambda _s, _u, case, _n: case.id))


def _completed_at_once(platform: Platform, username: str, task_id: str, data: dict[str, Any],
                       threads: int) -> list[str]:
    """``threads`` completions of ``task_id`` started together: what each came to, sorted."""
    outcomes: list[str] = []

    def run() -> None:
        try:
            _complete(platform, username, task_id, data)
            outcomes.append("recorded")
        except DomainError as err:
            outcomes.append(f"{type(err).__name__}: {err.message}")

    running = [threading.Thread(target=run) for _ in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join(timeout=900)
    return sorted(outcomes)


def _to_issue(api: Api) -> str:
    """A Bắc Từ Liêm draft signed by its Director; the clerk's issue task."""
    case = complete(api, DIRECTOR, only_task(to_director(api)), {"decision": "sign"})
    return str(only_task(case)["id"])


class OpenTransactions:
    """The connections of this process in a transaction, per thread, from SQLAlchemy's events."""

    def __init__(self, platform: Platform) -> None:
        self.local = threading.local()
        self.engines = {platform.db.engine, platform.db._read_engine}  # noqa: SLF001 - both are watched
        for engine in self.engines:
            event.listen(engine, "begin", self._begin)
            event.listen(engine, "commit", self._end)
            event.listen(engine, "rollback", self._end)

    def _open(self) -> set[int]:
        if not hasattr(self.local, "open"):
            self.local.open = set()
        found: set[int] = self.local.open
        return found

    def _begin(self, conn: Any) -> None:
        self._open().add(id(conn))

    def _end(self, conn: Any) -> None:
        self._open().discard(id(conn))

    def count(self) -> int:
        return len(self._open())

    def remove(self) -> None:
        for engine in self.engines:
            event.remove(engine, "begin", self._begin)
            event.remove(engine, "commit", self._end)
            event.remove(engine, "rollback", self._end)


@pytest.fixture
def watched(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every key unlock, PDF preparation, signature and verification checks that its thread has
    no transaction open; the list names each one made inside one (and ``made:`` those made)."""
    transactions = OpenTransactions(platform)
    seen: list[str] = []

    def guard(owner: Any, name: str) -> None:
        original = getattr(owner, name)

        def checked(*args: Any, **kwargs: Any) -> Any:
            seen.append(f"made:{name}")
            if transactions.count():
                seen.append(f"inside a transaction: {name}")
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, checked)

    for owner, name in ((Pkcs12Key, "from_file"), (longterm, "sign_checked"), (longterm, "finish_split_checked"),
                        (pdfsign, "sign"), (split, "finish"), (verify, "verify_pdf"), (draft, "prepare_draft"),
                        (pdfsign, "fill_into"), (copies, "prepare_copy")):  # the number, in the seal's revision
        guard(owner, name)
    UNLOCKED.clear()  # the Director's key is unlocked in this test, not found kept from another
    yield seen
    transactions.remove()


def test_no_transaction_is_open_while_signing(api: Api, platform: Platform, watched: list[str]) -> None:
    """The Director's signature (key unlocked, draft prepared, signed B-LT, verified) and the
    clerk's issue (number filled in, agency's signature, appendix signed, verified), through the
    API as a person does them: none of it runs with a transaction open."""
    case = to_director(api)
    case = complete(api, DIRECTOR, only_task(case), {"decision": "sign"})
    appendix = api.upload(CLERK, case["document"]["id"], minimal_pdf("Phu luc 1"), "phu-luc.pdf", "appendix")
    assert appendix.status_code == 201
    case = complete(api, CLERK, only_task(case), {"decision": "issue"})
    assert case["document"]["number_symbol"] == "01/KH-TTYT"
    made = {name for name in watched if name.startswith("made:")}
    assert {"made:from_file", "made:sign_checked", "made:verify_pdf", "made:prepare_draft",
            "made:fill_into"} <= made, made
    assert [name for name in watched if not name.startswith("made:")] == []



def _signed_versions(session: Session, document_id: int, reason: str) -> int:
    return len(session.scalars(select(FileVersion).where(FileVersion.document_id == document_id,
                                                         FileVersion.reason == reason)).all())


@pytest.mark.parametrize("step", ["sign", "issue"])
def test_concurrent_completions_of_the_same_task_record_one(api: Api, platform: Platform,
                                                            monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    """Four requests complete the same task at once; each signs (held until all have, so that all
    of them are past the check of the first phase): one is recorded, the others refused."""
    case = to_director(api)
    job: type[jobs.Signature] | type[jobs.Seal]
    if step == "sign":
        user, task, data, job = DIRECTOR, only_task(case)["id"], {"decision": "sign"}, jobs.Signature
    else:
        case = complete(api, DIRECTOR, only_task(case), {"decision": "sign"})
        user, task, data, job = CLERK, only_task(case)["id"], {"decision": "issue"}, jobs.Seal
    threads = 4
    together = threading.Barrier(threads)
    original = job.make

    def make(self: Any, now: datetime) -> Any:
        made = original(self, now)
        together.wait(timeout=600)
        return made

    monkeypatch.setattr(job, "make", make)
    assert _completed_at_once(platform, user, task, data, threads) == [
        "Conflict: Công việc này đã được xử lý."] * (threads - 1) + ["recorded"]
    with platform.db.read() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.task_id == task,
                                                           AuditEntry.action == "task_completed")).all()
        assert len(entries) == 1
        doc = session.get(Document, case["document"]["id"])
        assert doc is not None
        if step == "sign":
            assert _signed_versions(session, doc.id, "leader_signature") == 1
        else:
            assert (doc.status, doc.number) == (DocumentStatus.ISSUED, 1)
            assert _signed_versions(session, doc.id, "agency_signature") == 1
            assert [c.last_number for c in session.scalars(select(RegisterCounter))
                    .all() if c.book_id == doc.book_id] == [1]


def test_gapless_numbering_under_8_threads_with_failures(api: Api, platform: Platform,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Eight clerks issue twelve signed drafts of one book at once. Agency signatures are lost
    after they are made and before they are recorded (every third document's first, a fifth of the
    others), recordings fail after the number is taken, rolled back (every third document's first,
    a tenth of the others); each clerk tries again until the document is issued. The book holds
    1..12, each number once, each file valid and carrying its number and the date."""
    documents = 12
    tasks = [_to_issue(api) for _ in range(documents)]
    chance, guard = random.Random(19), threading.Lock()
    injected = {"after signing": 0, "after numbering": 0, "number moved": 0}
    tried: set[tuple[str, int]] = set()

    def fails(kind: str, document_id: int, probability: float) -> bool:
        """Every third document fails once this way (so that each kind happens), others at random."""
        with guard:
            first = (kind, document_id) not in tried
            tried.add((kind, document_id))
            planned = first and document_id % 3 == (0 if kind == "after signing" else 1)
            if planned or chance.random() < probability:
                injected[kind] += 1
                return True
            return False

    original = jobs.Seal.make

    def make(self: jobs.Seal, now: datetime) -> jobs.Sealed:
        made = original(self, now)
        if fails("after signing", self.document_id, 0.2):
            raise RuntimeError("injected: the signature is lost before it is recorded")
        return made

    def then(_session: Session, _user: User, case: Case, _now: datetime) -> Any:
        assert case.document_id is not None
        if fails("after numbering", case.document_id, 0.1):
            raise RuntimeError("injected: the recording fails after the number is taken")
        return case.document_id

    monkeypatch.setattr(jobs.Seal, "make", make)
    waiting, errors = list(tasks), []

    def clerk() -> None:
        while True:
            with guard:
                if not waiting:
                    return
                task = waiting.pop()
            while True:
                try:
                    _complete(platform, CLERK, task, {"decision": "issue"}, then)
                    break
                except RuntimeError:
                    continue  # the clerk presses "Phát hành" again
                except Conflict as err:
                    if "hãy phát hành lại" not in err.message:
                        errors.append(err.message)
                        return
                    with guard:
                        injected["number moved"] += 1
                except BaseException as err:  # noqa: BLE001 - reported below
                    errors.append(repr(err))
                    return

    clerks = [threading.Thread(target=clerk) for _ in range(8)]
    for thread in clerks:
        thread.start()
    for thread in clerks:
        thread.join(timeout=1800)
    assert errors == []
    assert injected["after signing"] > 0 and injected["after numbering"] > 0, injected
    store = FileStore(platform.settings.files_dir)
    with platform.db.read() as session:
        issued = session.scalars(select(Document).join(Case, Case.document_id == Document.id)
                                 .join(HumanTask, HumanTask.case_id == Case.id)
                                 .where(HumanTask.id.in_(tasks))).unique().all()
        assert sorted(d.number for d in issued if d.number is not None) == list(range(1, documents + 1))
        assert {d.status for d in issued} == {DocumentStatus.ISSUED}
        book = issued[0].book_id
        assert [c.last_number for c in session.scalars(select(RegisterCounter)).all()
                if c.book_id == book] == [documents]
        roots = signatures.Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots)).trust_roots()
        for doc in issued:
            main = next(f for f in doc.files if f.role == "main")
            path = store.path(main.sha256)
            assert [(r.field, r.valid) for r in verify_pdf(path.read_bytes(), roots)] == [
                ("LanhDao", True), ("CoQuan", True)]
            shown = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
            assert doc.number_symbol is not None and doc.number_symbol in shown, (doc.number_symbol, shown[:300])


class _StalledTsa(http.server.BaseHTTPRequestHandler):
    """A time-stamping authority that never answers: the server is caught in the agency's
    signature for as long as the test wants."""

    asked = threading.Event()
    release = threading.Event()

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        type(self).asked.set()
        type(self).release.wait(timeout=600)

    def log_message(self, *args: Any) -> None:
        pass


def _book_is_free(platform: Platform) -> bool:
    """Another registration can take the book's next number now, without waiting (a rolled-back try)."""
    if platform.db.is_sqlite:
        import sqlite3
        path = platform.settings.database_url.removeprefix("sqlite:///")
        conn = sqlite3.connect(path, timeout=2, isolation_level=None)
        try:
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("UPDATE register_counters SET last_number = last_number + 1")
            conn.execute("ROLLBACK")
            return True
        except sqlite3.OperationalError:
            return False
        finally:
            conn.close()
    with platform.db.engine.connect() as pg:
        pg.execute(text("SET LOCAL lock_timeout = '2s'"))
        try:
            pg.execute(text("UPDATE register_counters SET last_number = last_number + 1"))
            for year in {platform.clock.now().year, datetime.now().year}:  # the server numbers on the real clock
                pg.execute(text("INSERT INTO register_counters (book_id, year, last_number) "
                                "SELECT id, :year, 0 FROM register_books ON CONFLICT DO NOTHING"), {"year": year})
            return True
        except Exception:  # noqa: BLE001 - lock_timeout: the book is held
            return False
        finally:
            pg.rollback()


def test_a_server_killed_while_signing_leaves_no_number_used_and_no_case_held(
    api: Api, platform: Platform, tmp_path: Path,
) -> None:
    task = _to_issue(api)
    with platform.db.read() as session:
        clerk = session.scalars(select(User).where(User.username == CLERK)).one()
        doc_id = session.scalars(select(Case.document_id).join(HumanTask, HumanTask.case_id == Case.id)
                                 .where(HumanTask.id == task)).one()
        agency_id = session.get(Document, doc_id).agency_id  # type: ignore[union-attr]
    tsa = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StalledTsa)
    _StalledTsa.asked.clear()
    _StalledTsa.release.clear()
    threading.Thread(target=tsa.serve_forever, daemon=True).start()
    with platform.db.write() as session:
        signing_settings.update(session, agency_id, f"http://127.0.0.1:{tsa.server_address[1]}/", "warn", clerk.id,
                                platform.clock.now())
    server = Server(platform, tmp_path / "serve.log")
    server.env["QLVB_PKI_DIR"] = str(platform.settings.pki_dir)
    server.start()
    try:
        status, body = call(f"{server.base}/api/v1/auth/token", {"username": CLERK, "password": DEMO_PASSWORD})
        assert status == 200, body
        issue = {"data": {"decision": "issue"},
                 "signing": {"password": DEMO_PASSWORD, "agency_password": DEMO_PASSWORD}}
        threading.Thread(target=_ignore_lost, args=(f"{server.base}/api/v1/tasks/{task}/complete", issue,
                                                    body["token"]), daemon=True).start()
        assert _StalledTsa.asked.wait(timeout=READY_WITHIN), (tmp_path / "serve.log").read_text()[-3000:]
        assert _book_is_free(platform)  # the old code held SQLite's write lock / the counter row here
        server.kill()
    finally:
        server.stop()
        _StalledTsa.release.set()
        tsa.shutdown()
    with platform.db.read() as session:
        doc = session.get(Document, doc_id)
        assert doc is not None and (doc.status, doc.number, doc.number_symbol) == (DocumentStatus.DRAFT, None, None)
        assert sum(c.last_number for c in session.scalars(select(RegisterCounter))) == 0  # no number used
        assert session.get(HumanTask, task).status == TaskStatus.OPEN  # type: ignore[union-attr]
    with platform.db.write() as session:
        signing_settings.update(session, agency_id, None, "warn", clerk.id, platform.clock.now())
    case = complete(api, CLERK, {"id": task}, {"decision": "issue"})  # the case is not held: it goes on
    assert (case["document"]["status"], case["document"]["number_symbol"]) == ("issued", "01/KH-TTYT")


def _ignore_lost(url: str, body: dict[str, Any], token: str) -> None:
    try:
        call(url, body, token, timeout=600)
    except OSError:
        pass  # the server was killed: no answer

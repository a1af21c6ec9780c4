"""Two platform installations on 127.0.0.1 for the exchange tests: each its own database, data
folder, `qlvb serve` and `qlvb worker`, the demo PKI shared (each agency signs its packages with
its own key all the same), and a client that talks to them over HTTP. :func:`linked` makes the
pair with each agency in the other's directory (the fixtures of the two-installation tests)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import select

from engine import demo
from engine.audit import chain
from engine.core.config import Settings
from engine.core.platform import Platform
from engine.models import Agency, Case, Partner
from engine.workflow import replay
from tests.conftest import ROOT
from tests.drafts import open_draft
from tests.exchange_support import SECRET, SECRET_ENV, TO_VANNINH, agency_certificate, password_file
from tests.flows import DRAFT
from tests.server import Server

DEADLINE = 240.0  # seconds; two servers and two workers on a loaded 2-core machine


def wait_for(what: str, check: Callable[[], Any], deadline: float = DEADLINE) -> Any:
    """``check()`` once it is truthy; fails naming ``what`` after ``deadline`` seconds."""
    end = time.monotonic() + deadline
    while True:
        found = check()
        if found:
            return found
        if time.monotonic() > end:
            raise AssertionError(f"{what}: not within {deadline:.0f} s (last: {found!r})")
        time.sleep(0.2)  # polling interval, not a fixed wait


class Installation:
    def __init__(self, name: str, platform: Platform, pki: Path, folder: Path) -> None:
        self.name, self.platform, self.folder = name, platform, folder
        self.server = Server(platform, folder / "serve.log")
        extra = {"QLVB_PKI_DIR": str(pki), "QLVB_EXCHANGE_KEY_PASSWORD_FILE": str(password_file(folder)),
                 "QLVB_EXCHANGE_RETRY_SECONDS": "0.5", SECRET_ENV: SECRET}
        self.server.env.update(extra)
        self.worker: subprocess.Popen[bytes] | None = None
        self.tokens: dict[str, str] = {}

    @property
    def endpoint(self) -> str:
        return f"{self.server.base}/api/v1/exchange/edxml"

    def start_worker(self) -> None:
        with (self.folder / "worker.log").open("ab") as out:
            self.worker = subprocess.Popen([sys.executable, "-m", "qlvb", "worker", "--interval", "0.3", "--no-backup"],
                                           cwd=ROOT, env=self.server.env, stdout=out, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        self.server.stop()
        if self.worker is not None and self.worker.poll() is None:
            self.worker.terminate()
            self.worker.wait(timeout=60)

    def _headers(self, user: str) -> dict[str, str]:
        if user not in self.tokens:
            r = requests.post(f"{self.server.base}/api/v1/auth/token", timeout=60,
                              json={"username": user, "password": demo.DEMO_PASSWORD})
            assert r.status_code == 200, r.text
            self.tokens[user] = r.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[user]}"}

    def get(self, user: str, path: str) -> Any:
        r = requests.get(f"{self.server.base}{path}", headers=self._headers(user), timeout=120)
        assert r.status_code == 200, (path, r.status_code, r.text)
        return r.json()

    def post(self, user: str, path: str, body: dict[str, Any], expect: int = 200) -> Any:
        r = requests.post(f"{self.server.base}{path}", json=body, headers=self._headers(user), timeout=120)
        assert r.status_code == expect, (path, r.status_code, r.text)
        return r.json()

    def complete(self, user: str, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        signing = {"password": demo.DEMO_PASSWORD, "agency_password": demo.DEMO_PASSWORD}
        result: dict[str, Any] = self.post(user, f"/api/v1/tasks/{task['id']}/complete?view=full",
                                           {"data": data, "signing": signing})
        return result

    def upload(self, user: str, document_id: int, pdf: bytes) -> None:
        r = requests.post(f"{self.server.base}/api/v1/documents/{document_id}/files", headers=self._headers(user),
                          data={"role": "main"}, files={"file": ("van-ban.pdf", pdf, "application/pdf")}, timeout=120)
        assert r.status_code == 201, r.text


@contextmanager
def running(*installations: Installation) -> Iterator[None]:
    try:
        for i in installations:
            i.server.start()
            i.start_worker()
        yield
    finally:
        for i in installations:
            i.stop()




def issue(a: Installation, subject: str) -> dict[str, Any]:
    """Bắc Từ Liêm's outgoing procedure on the deputy's path, issued to Vạn Ninh."""
    draft = {**DRAFT, "subject": subject}
    case = a.post("btl_spec_ksdb", "/api/v1/cases", {"process": "btl_outgoing", "data": draft}, expect=201)
    return finish_outgoing(a, case, draft)


def finish_outgoing(a: Installation, case: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any]:
    a.upload("btl_spec_ksdb", case["document"]["id"], open_draft())
    case = a.complete("btl_spec_ksdb", case["open_tasks"][0], draft)
    case = a.complete("btl_head_ksdb", case["open_tasks"][0], {"decision": "approve", "route": "deputy_director"})
    case = a.complete("btl_deputy1", case["open_tasks"][0], {"decision": "sign"})
    case = a.complete("btl_clerk", case["open_tasks"][0], {"decision": "issue", "recipients": [TO_VANNINH]})
    assert case["status"] == "completed", case
    document: dict[str, Any] = case["document"]
    return document


def directory_entry(platform: Platform, agency_code: str, organ_id: str, name: str, endpoint: str, pem: str) -> None:
    with platform.db.write() as session:
        agency = session.scalars(select(Agency).where(Agency.code == agency_code)).one()
        session.add(Partner(agency_id=agency.id, organ_id=organ_id, name=name, transport="http", endpoint=endpoint,
                            certificate_pem=pem, credentials_ref=f"env:{SECRET_ENV}", active=True,
                            updated_at=platform.clock.now()))


def pair(first_url: str, second_url: str, pki: Path, tmp_path: Path) -> tuple[Installation, Installation]:
    made = []
    for name, url in (("a", first_url), ("b", second_url)):
        folder = tmp_path / name
        folder.mkdir()
        platform = Platform.from_settings(Settings(database_url=url, data_dir=folder / "data", pki_path=pki))
        made.append(Installation(name, platform, pki, folder))
    return made[0], made[1]


@dataclass(frozen=True)
class Entry:
    """The directory entry an agency of one installation keeps of the other installation's agency."""

    agency: str  # the agency (code) keeping the entry
    organ_id: str  # the partner's identifier code
    name: str
    signs_as: str  # the partner's agency code: its demo certificate signs the packages


def linked(first_url: str, second_url: str, pki: Path, tmp_path: Path, first: Entry,
           second: Entry) -> Iterator[tuple[Installation, Installation]]:
    """Two installations (not started), the first's ``first`` entry pointing at the second's
    endpoint and the second's ``second`` at the first's; for a fixture to ``yield from``."""
    a, b = pair(first_url, second_url, pki, tmp_path)
    for here, entry, there in ((a, first, b), (b, second, a)):
        directory_entry(here.platform, entry.agency, entry.organ_id, entry.name, there.endpoint,
                        agency_certificate(pki, entry.signs_as))
    yield a, b
    for i in (a, b):
        i.platform.db.dispose()


def replays_and_verifies(platform: Platform) -> None:
    """Every case of the installation replays from its audit log to the same state (the
    liên thông messages that came as packages included), and the audit chain holds."""
    with platform.db.read() as session:
        for case_id in session.scalars(select(Case.id)):
            report = replay.replay(session, case_id)
            assert report.matches, (case_id, report.differences)
        _, findings = chain.verify(session)
        assert [f for f in findings if f.kind != chain.TIME] == []

"""Liên thông over loopback HTTP: the time from "issue" at the sender to "01" at the receiver.

Two installations on 127.0.0.1 (SQLite each, their own data folders, one demo PKI), each with
`qlvb serve` and `qlvb worker --interval W`; Bắc Từ Liêm on A has Vạn Ninh on B in its directory
and the other way round. N outgoing documents are taken through Bắc Từ Liêm's procedure up to
the clerk's step first; then each is issued to Vạn Ninh (electronic, by organ identifier) and the
next one only once the previous arrived, so that every sample sees an idle pipeline. A sample is
B's ``exchange_received.received_at`` (the package validated, stored, 01 queued, committed)
minus A's ``documents.issued_at`` (the issue committed, the package queued), both stamped by
the servers on the same clock: A's worker builds and signs the package (XML-DSig), POSTs it, B
authenticates (HMAC), validates (XSD, signature), stores the files, checks the PDF's signatures
and imports it.

    .venv/bin/python bench/exchange_e2e.py --documents 200 --interval 0.1
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12  # noqa: E402
from sqlalchemy import select  # noqa: E402

from engine.core.config import Settings  # noqa: E402
from engine.core.platform import Platform  # noqa: E402
from engine.demo import DEMO_PASSWORD  # noqa: E402
from engine.models import Agency, Document, Partner, Received  # noqa: E402
from tests.drafts import open_draft  # noqa: E402
from tests.server import free_port  # noqa: E402

SECRET_ENV = "QLVB_BENCH_EXCHANGE_SECRET"
BTL, VANNINH = "000.99.01.H26", "000.99.05.H34"
DRAFT = {"subject": "Kế hoạch tiêm chủng mở rộng quý II năm 2026", "doc_type": "KH"}


class Installation:
    def __init__(self, name: str, base: Path, pki: Path, interval: float) -> None:
        self.folder = base / name
        self.folder.mkdir()
        (self.folder / "key-password").write_text(DEMO_PASSWORD + "\n")
        (self.folder / "key-password").chmod(0o600)  # one others may read is refused
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, "QLVB_DATA_DIR": str(self.folder / "data"), "QLVB_PKI_DIR": str(pki),
                    "QLVB_EXCHANGE_KEY_PASSWORD_FILE": str(self.folder / "key-password"),
                    "QLVB_EXCHANGE_RETRY_SECONDS": "0.5", SECRET_ENV: "bench-secret"}
        self.env.pop("QLVB_DATABASE_URL", None)
        self.interval = interval
        self.processes: list[subprocess.Popen[bytes]] = []
        self.tokens: dict[str, str] = {}

    def qlvb(self, *args: str) -> None:
        subprocess.run([sys.executable, "-m", "qlvb", *args], cwd=ROOT, env=self.env, check=True,
                       stdout=subprocess.DEVNULL)

    def platform(self) -> Platform:
        return Platform.from_settings(Settings.from_env(self.env))

    def start(self) -> None:
        log = (self.folder / "log").open("ab")
        self.processes = [
            subprocess.Popen([sys.executable, "-m", "qlvb", "serve", "--port", str(self.port)], cwd=ROOT,
                             env=self.env, stdout=log, stderr=subprocess.STDOUT),
            subprocess.Popen([sys.executable, "-m", "qlvb", "worker", "--interval", str(self.interval),
                              "--no-backup"], cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)]
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                if requests.get(f"{self.url}/api/openapi.json", timeout=5).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise SystemExit(f"{self.url} did not start; see {self.folder / 'log'}")

    def stop(self) -> None:
        for p in self.processes:
            p.terminate()
            p.wait(timeout=60)

    def call(self, user: str, method: str, path: str, **kwargs: Any) -> Any:
        if user not in self.tokens:
            r = requests.post(f"{self.url}/api/v1/auth/token", json={"username": user, "password": DEMO_PASSWORD},
                              timeout=60)
            self.tokens[user] = r.json()["token"]
        r = requests.request(method, f"{self.url}{path}", headers={"Authorization": f"Bearer {self.tokens[user]}"},
                             timeout=120, **kwargs)
        if r.status_code not in (200, 201):
            raise SystemExit(f"{method} {path}: {r.status_code} {r.text[:500]}")
        return r.json()

    def complete(self, user: str, case: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        signing = {"password": DEMO_PASSWORD, "agency_password": DEMO_PASSWORD}
        result: dict[str, Any] = self.call(user, "POST", f"/api/v1/tasks/{case['open_tasks'][0]['id']}/complete",
                                           json={"data": data, "signing": signing})
        return result


def certificate(pki: Path, code: str) -> str:
    _, cert, _ = pkcs12.load_key_and_certificates((pki / "agencies" / f"{code}.p12").read_bytes(),
                                                  DEMO_PASSWORD.encode())
    assert cert is not None
    return cert.public_bytes(Encoding.PEM).decode()


def link(platform: Platform, agency: str, organ: str, name: str, endpoint: str, pem: str) -> None:
    with platform.db.write() as session:
        agency_id = session.scalars(select(Agency.id).where(Agency.code == agency)).one()
        session.add(Partner(agency_id=agency_id, organ_id=organ, name=name, transport="http", endpoint=endpoint,
                            certificate_pem=pem, credentials_ref=f"env:{SECRET_ENV}", active=True,
                            updated_at=platform.clock.now()))


def prepare(a: Installation, pdf: bytes) -> dict[str, Any]:
    """A Bắc Từ Liêm draft signed by the deputy, waiting at the clerk's issue step."""
    case = a.call("btl_spec_ksdb", "POST", "/api/v1/cases", json={"process": "btl_outgoing", "data": DRAFT})
    a.call("btl_spec_ksdb", "POST", f"/api/v1/documents/{case['document']['id']}/files", data={"role": "main"},
           files={"file": ("van-ban.pdf", pdf, "application/pdf")})
    case = a.complete("btl_spec_ksdb", case, DRAFT)
    case = a.complete("btl_head_ksdb", case, {"decision": "approve", "route": "deputy_director"})
    return a.complete("btl_deputy1", case, {"decision": "sign"})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=200)
    parser.add_argument("--interval", type=float, default=0.1, help="the workers' sweep interval (s)")
    args = parser.parse_args()
    print("load average at the start (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="qlvb-exchange-bench-") as tmp:
        base = Path(tmp)
        pki = base / "pki"
        a, b = (Installation(n, base, pki, args.interval) for n in ("a", "b"))
        for i in (a, b):
            i.qlvb("init-db")
            i.qlvb("seed-demo")
        pa, pb = a.platform(), b.platform()
        link(pa, "btl", VANNINH, "UBND huyện Vạn Ninh", f"{b.url}/api/v1/exchange/edxml", certificate(pki, "vanninh"))
        link(pb, "vanninh", BTL, "Trung tâm Y tế quận Bắc Từ Liêm", f"{a.url}/api/v1/exchange/edxml",
             certificate(pki, "btl"))
        a.start()
        b.start()
        try:
            pdf = open_draft()
            started = time.monotonic()
            cases = [prepare(a, pdf) for _ in range(args.documents)]
            print(f"{len(cases)} drafts signed, waiting at the clerk's step ({time.monotonic() - started:.0f} s)")
            samples = []
            recipient = {"name": "UBND huyện Vạn Ninh", "organ_id": VANNINH, "delivery": "electronic"}
            for n, case in enumerate(cases, 1):
                done = a.complete("btl_clerk", case, {"decision": "issue", "recipients": [recipient]})
                samples.append(latency(pa, pb, done["document"]["id"], n))
            samples.sort()
            p50, p95 = statistics.median(samples), samples[max(0, round(0.95 * len(samples)) - 1)]
            print(f"issue → 01 at the receiver over loopback HTTP, {len(samples)} documents, "
                  f"workers' interval {args.interval} s: p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, "
                  f"max {samples[-1] * 1000:.0f} ms")
            print("load average at the end (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
        finally:
            a.stop()
            b.stop()
            pa.db.dispose()
            pb.db.dispose()


def latency(pa: Platform, pb: Platform, document_id: int, count: int) -> float:
    """Seconds from the issue at A to the receipt (01) at B of the ``count``-th document."""
    with pa.db.read() as session:
        issued: datetime | None = session.scalars(select(Document.issued_at).where(Document.id == document_id)).one()
    assert issued is not None
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        with pb.db.read() as session:
            rows = list(session.scalars(select(Received.received_at).order_by(Received.id)))
        if len(rows) >= count:
            return (rows[count - 1] - issued).total_seconds()
        time.sleep(0.01)
    raise SystemExit(f"document {document_id} did not arrive within 120 s")


if __name__ == "__main__":
    main()

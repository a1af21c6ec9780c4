"""Fixtures: every database test runs twice, on SQLite and on a real PostgreSQL server.

Each backend gets one template database, migrated and seeded with the demo data once per
session; each test gets a fresh copy of it (a file copy on SQLite, CREATE DATABASE …
TEMPLATE on PostgreSQL), so tests are isolated and cheap.
"""

from __future__ import annotations

import io
import itertools
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, select, text

from engine import demo
from engine.audit import chain as audit
from engine.core import schema
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.db import Database
from engine.core.platform import Platform
from engine.models import Case
from engine.signatures import signatures
from engine.workflow import bpmn_check, definitions, replay
from tests import bpmn_coverage
from tests.pgserver import PostgresServer
from webui import create_app

ROOT = Path(__file__).resolve().parent.parent
START = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # a Monday, 09:00 in Hà Nội
_counter = itertools.count()


def _prepare(url: str, pki: Path) -> None:
    db = Database(url)
    schema.upgrade(db)
    with db.write() as session:
        demo.seed(session, START)
        demo.register_certificates(session, signatures.Keys(pki, (pki / "root.pem",)), START)
    files = sorted((ROOT / "processes").glob("*/*.bpmn"))
    checked = bpmn_check.check_files(files, ROOT / "forms", 2 * 1024 * 1024)
    with db.write() as session:
        for d in checked:
            definitions.deploy(session, d, START, None)
    db.dispose()


@pytest.fixture(scope="session")
def postgres(demo_pki: Path) -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    try:
        _create(server, "template_qlvb")
        _prepare(server.url("template_qlvb"), demo_pki)
        yield server
    finally:
        server.stop()


def _create(server: PostgresServer, name: str, template: str | None = None) -> None:
    engine = create_engine(server.url(), isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        suffix = f" TEMPLATE {template}" if template else ""
        conn.execute(text(f'CREATE DATABASE "{name}"{suffix}'))
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, demo_pki: Path) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _prepare(f"sqlite:///{path}", demo_pki)
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        target = tmp_path / "qlvb.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"t{next(_counter)}"
    _create(server, name, template="template_qlvb")
    return server.url(name)


@pytest.fixture
def empty_database_url(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second, empty database of the same kind as ``database_url`` (nothing migrated)."""
    if database_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"e{next(_counter)}"
    _create(server, name)
    return server.url(name)


@pytest.fixture
def second_database_url(database_url: str, request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A second database with the same demo, of the same kind (a second installation)."""
    if database_url.startswith("sqlite"):
        target = tmp_path / "second.sqlite3"
        shutil.copy(request.getfixturevalue("sqlite_template"), target)
        return f"sqlite:///{target}"
    server: PostgresServer = request.getfixturevalue("postgres")
    name = f"s{next(_counter)}"
    _create(server, name, template="template_qlvb")
    return server.url(name)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


TAKEN_MOVES: set[bpmn_coverage.Move] = set()


@pytest.fixture(scope="session")
def softhsm_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """SoftHSM reads its configuration once per process: one token folder for the whole run."""
    from signing.keystore import softhsm

    folder = tmp_path_factory.mktemp("softhsm")
    softhsm.configure(folder)
    return folder


TOKEN_PIN = "135790"


@pytest.fixture(scope="session")
def softhsm_tokens(softhsm_folder: Path, demo_pki: Path) -> dict[str, Any]:
    """Every SoftHSM token of the run, made before any test loads the PKCS#11 module: SoftHSM
    sees only the tokens that exist when it is initialised. ``lanh-dao`` holds the signing
    tests' leader key (PIN 246810); ``giam-doc`` the Bắc Từ Liêm Director's and ``co-quan-btl``
    the Bắc Từ Liêm agency's key from the demo PKI, ``vps-dn`` the Đồng Nai Chief of Office's (PIN
    ``TOKEN_PIN``)."""
    from cryptography.hazmat.primitives.serialization import pkcs12

    from signing.keystore import softhsm
    from signing.keystore.pki import Identity
    from tests import signing_support

    def identity(p12: Path) -> Identity:
        key, cert, chain = pkcs12.load_key_and_certificates(p12.read_bytes(), demo.DEMO_PASSWORD.encode())
        return Identity(key, cert, tuple(chain))  # type: ignore[arg-type]

    return {
        "lanh-dao": softhsm.create_token(softhsm_folder, signing_support.demo_pki().leader, "lanh-dao", "246810"),
        "giam-doc": softhsm.create_token(softhsm_folder, identity(demo_pki / "people" / "btl_director.p12"),
                                         "giam-doc", TOKEN_PIN),
        "co-quan-btl": softhsm.create_token(softhsm_folder, identity(demo_pki / "agencies" / "btl.p12"),
                                            "co-quan-btl", TOKEN_PIN),
        "vps-dn": softhsm.create_token(softhsm_folder, identity(demo_pki / "people" / "dn_cvp.p12"),
                                       "vps-dn", TOKEN_PIN),
    }


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo PKI (TEST root, keys of the demo leaders with certificates and of every demo
    agency, signature and seal images), made once for the session."""
    from signing.keystore import pki

    directory = tmp_path_factory.mktemp("pki")
    holders = [pki.Holder(username, name, a.name) for a in demo.AGENCIES
               for username, name, _, _, certificate in a.staff if certificate]
    agencies = [pki.Holder(a.code, a.name, a.name) for a in demo.AGENCIES]
    pki.init_demo_pki(directory, holders, agencies, demo.DEMO_PASSWORD, now=START - timedelta(days=30))
    return directory


@pytest.fixture
def platform(database_url: str, tmp_path: Path, clock: FakeClock, demo_pki: Path) -> Iterator[Platform]:
    settings = Settings(database_url=database_url, data_dir=tmp_path / "data", pki_path=demo_pki)
    p = Platform.from_settings(settings, clock)
    yield p
    with p.db.read() as session:
        TAKEN_MOVES.update(bpmn_coverage.taken(session))
    p.db.dispose()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With QLVB_BPMN_COVERAGE=1 (``make test``), fail unless every gateway branch of every
    diagram was taken by some test; the report lands in test-artifacts/."""
    if os.environ.get("QLVB_BPMN_COVERAGE") != "1":
        return
    needed = bpmn_coverage.required(ROOT / "processes")
    missing = sorted(needed - TAKEN_MOVES)
    covered = len(needed) - len(missing)
    lines = [f"BPMN gateway branch coverage: {covered}/{len(needed)} ({100 * covered / max(len(needed), 1):.1f}%)"]
    lines += [f"  not taken: {p}: {g} -> {t}" for p, g, t in missing]
    report = "\n".join(lines)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    (ROOT / "test-artifacts" / "bpmn-coverage.txt").write_text(report + "\n", encoding="utf-8")
    print("\n" + report)
    if missing and session.exitstatus == 0:
        session.exitstatus = 1


class Api:
    """A JSON API client that logs demo users in on first use."""

    def __init__(self, client: FlaskClient) -> None:
        self.client = client
        self.tokens: dict[str, str] = {}

    def token(self, username: str) -> str:
        if username not in self.tokens:
            r = self.client.post("/api/v1/auth/token", json={"username": username, "password": demo.DEMO_PASSWORD})
            assert r.status_code == 200, r.get_json()
            self.tokens[username] = r.get_json()["token"]
        return self.tokens[username]

    def get(self, username: str, path: str) -> Any:
        return self.client.get(path, headers={"Authorization": f"Bearer {self.token(username)}"})

    def complete(self, username: str, task_id: str, data: dict[str, Any], **signing: str) -> Any:
        """Complete a task, answered with the whole case (``?view=full``); a leader's ``sign`` and
        a clerk's ``issue`` sign with the demo keys (their password is the demo password) unless
        other credentials are given."""
        credentials = signing or {"password": demo.DEMO_PASSWORD, "agency_password": demo.DEMO_PASSWORD}
        return self.post(username, f"/api/v1/tasks/{task_id}/complete?view=full",
                         {"data": data, "signing": credentials})

    def post(self, username: str, path: str, body: dict[str, Any]) -> Any:
        return self.client.post(path, json=body, headers={"Authorization": f"Bearer {self.token(username)}"})

    def upload(self, username: str, document_id: int, content: bytes, filename: str = "van-ban.pdf",
               role: str = "main") -> Any:
        return self.client.post(
            f"/api/v1/documents/{document_id}/files", headers={"Authorization": f"Bearer {self.token(username)}"},
            data={"role": role, "file": (io.BytesIO(content), filename)}, content_type="multipart/form-data",
        )


@pytest.fixture
def bare_api(platform: Platform) -> Api:
    """The API client, for tests that tamper with the database on purpose."""
    return Api(create_app(platform).test_client())


@pytest.fixture
def api(bare_api: Api, platform: Platform) -> Iterator[Api]:
    """The API client; afterwards, every case the test ran must replay from its audit log
    to the same state and assignments, and the audit chain must verify."""
    yield bare_api
    with platform.db.read() as session:
        for case_id in session.scalars(select(Case.id)):
            report = replay.replay(session, case_id)
            assert report.matches, (case_id, report.differences)
        _, findings = audit.verify(session)
        # A test runs the API on its injected clock and the command line on the real one, so
        # times may run backwards here by design; tests/test_audit.py checks that finding.
        assert [f for f in findings if f.kind != audit.TIME] == []

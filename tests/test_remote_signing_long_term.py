"""Ký số từ xa under the 2025 rules (issue 16 items 1–3 with item 6): a Director whose key the
remote service holds, issued by a CA with OCSP, CRL and a TSA on 127.0.0.1 (trusted through the
agency's trust store), signs B-LT with RSASSA-PSS and the evidence is kept, as with a key on the
server or a USB token; a revoked certificate is refused before the hash reaches the phone, and a
revocation while the leader decides is caught when the signature arrives."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select

from engine import demo
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.errors import InvalidData
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Agency, RemoteRequest, SignatureEvidence, TaskStatus, User
from engine.remote_signing import flow
from engine.signatures import certificates, signing_settings, trust_store
from engine.signatures.keys import Keys
from signing.keystore import pki
from signing.keystore.testca import LocalCa, LocalCaServer
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests import remote_services
from tests.conftest import START, Api
from tests.flows import complete, only_task, to_director
from tests.test_remote_signing import _check, _main_pdf, _sign, _task_state, configure

DIRECTOR, AGENCY = "Trần Minh Quang", "Trung tâm Y tế quận Bắc Từ Liêm"
REVOKED = "đã bị tổ chức chứng thực thu hồi"


@pytest.fixture(scope="module")
def ca() -> Iterator[LocalCa]:
    with LocalCaServer(now=START - timedelta(days=60)) as ca:
        yield ca


@pytest.fixture
def director(ca: LocalCa) -> pki.Identity:
    return ca.issue(DIRECTOR, AGENCY, not_before=START - timedelta(days=30), days=3650)


@pytest.fixture
def platform(database_url: str, tmp_path: Path, clock: FakeClock, demo_pki: Path, ca: LocalCa,
             director: pki.Identity) -> Iterator[Platform]:
    """The demo platform; the Director's certificate (its key only at the service) registered,
    the local CA's root in the agency's trust store, the agency's key from the same CA, its TSA."""
    keys = tmp_path / "pki"
    shutil.copytree(demo_pki, keys)
    agency_identity = ca.issue(AGENCY, AGENCY, not_before=START - timedelta(days=30), days=3650)
    target = keys / "agencies" / "btl"
    target.with_suffix(".p12").write_bytes(agency_identity.pkcs12(demo.DEMO_PASSWORD))
    target.with_suffix(".pem").write_bytes(agency_identity.certificate.public_bytes(serialization.Encoding.PEM))
    p = Platform.from_settings(Settings(database_url=database_url, data_dir=tmp_path / "data", pki_path=keys), clock)
    with p.db.write() as session:
        agency = session.scalars(select(Agency).where(Agency.code == "btl")).one()
        user = session.scalars(select(User).where(User.username == "btl_director")).one()
        root = director.chain[-1].public_bytes(serialization.Encoding.DER)
        trust_store.add(session, agency.id, root, "Root CA thử nghiệm (OCSP/CRL)", None, START)
        trusted = trust_store.keys_for(session, Keys(keys, (keys / "root.pem",)), agency.id)
        certificates.register(session, trusted, user, director.certificate, "admin", None, START,
                              chain=tuple(director.chain[:-1]))
        signing_settings.update(session, agency.id, ca.tsa_url, "refuse", user.id, START)
    yield p
    p.db.dispose()


@pytest.fixture
def remote(platform: Platform) -> flow.Remote:
    settings = platform.settings
    return flow.Remote(platform.db, FileStore(settings.files_dir), Keys(settings.pki_dir, tuple(settings.trust_roots)))


@pytest.fixture
def services(director: pki.Identity) -> Iterator[remote_services.Services]:
    account = remote_services.Account(director.key, director.certificate, director.chain[:-1])
    with remote_services.running({"btl_director": account}) as running:
        yield running


@pytest.fixture(autouse=True)
def responders_up(ca: LocalCa) -> Iterator[None]:
    ca.down = False
    yield
    ca.down = False


def _evidence(platform: Platform, document_id: int) -> list[tuple[str, str, str, str | None]]:
    with platform.db.read() as session:
        return [(e.field, e.level, e.status, e.source) for e in session.scalars(
            select(SignatureEvidence).where(SignatureEvidence.document_id == document_id)
            .order_by(SignatureEvidence.id))]


def test_a_remote_signature_is_b_lt_with_pss_and_its_evidence_kept(
        api: Api, platform: Platform, remote: flow.Remote, services: remote_services.Services,
        director: pki.Identity) -> None:
    provider = configure(platform, remote, services.url, "approval")
    case = to_director(api)
    task = only_task(case)
    started = _sign(remote, platform, task, provider, pin=None)
    assert started["state"] == "waiting", started
    services.phone("approve", services.only_transaction())
    assert _check(remote, platform, task, started["id"])["state"] == "completed"
    document_id = case["document"]["id"]
    root = director.chain[-1]
    pdf = _main_pdf(api, document_id)
    assert [(r.field, r.valid, r.level) for r in verify_pdf(pdf, [root])] == [("LanhDao", True, "B-LT")]
    assert _evidence(platform, document_id) == [("LanhDao", "B-LT", "good", "ocsp")]
    issued = complete(api, "btl_clerk", only_task(api.get("btl_clerk", f"/api/v1/cases/{case['id']}").get_json()),
                      {"decision": "issue"})
    pss = "RSASSA-PSS, SHA-256, RSA 2048 bit"
    assert [(s["field"], s["level"], s["algorithm"]) for s in issued["document"]["signatures"]] == [
        ("LanhDao", "B-LT", pss), ("CoQuan", "B-LT", pss)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(_main_pdf(api, document_id), [root])] == \
        [(True, True)] * 2


def test_a_revoked_leader_is_refused_before_the_hash_is_sent(
        api: Api, platform: Platform, remote: flow.Remote, services: remote_services.Services, ca: LocalCa,
        director: pki.Identity) -> None:
    provider = configure(platform, remote, services.url, "approval")
    task = only_task(to_director(api))
    ca.revoke(director.certificate, START - timedelta(days=1))
    with pytest.raises(InvalidData, match=REVOKED):
        _sign(remote, platform, task, provider, pin=None)
    assert services.transactions == {}  # nothing reached the phone
    with platform.db.read() as session:
        assert session.scalar(select(func.count()).select_from(RemoteRequest)) == 0
    assert _task_state(platform, task["id"]) == TaskStatus.OPEN


def test_revoked_while_the_leader_decides(api: Api, platform: Platform, remote: flow.Remote,
                                          services: remote_services.Services, ca: LocalCa,
                                          director: pki.Identity) -> None:
    """Checked again when the signature arrives: the task is not completed with it."""
    provider = configure(platform, remote, services.url, "approval")
    case = to_director(api)
    task = only_task(case)
    started = _sign(remote, platform, task, provider, pin=None)
    ca.revoke(director.certificate, START - timedelta(minutes=1))  # as the precheck's answer went out
    services.phone("approve", services.only_transaction())
    ended = _check(remote, platform, task, started["id"])
    assert ended["state"] == "failed" and REVOKED in ended["message"], ended
    assert _task_state(platform, task["id"]) == TaskStatus.OPEN
    assert _evidence(platform, case["document"]["id"]) == []

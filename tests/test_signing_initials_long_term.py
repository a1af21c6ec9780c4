"""Ký nháy and the conversion mark at the agency's signature level (issue 16, items 2–3 and 6): in
Đồng Nai, whose leaders and agency hold certificates of the test CA on 127.0.0.1 (OCSP, CRL, TSA)
and whose trust store holds its root, each approval signature (ký nháy) is status-checked,
time-stamped and carries its revocation data (B-LT) like the Director's and the agency's, with its
evidence kept: with the key on the server, and approved on the phone through the agency's remote
signing service; in Lai Châu the conversion mark on the scan of a paper signed by hand is B-LT
too. Every issued file validates in pyHanko (offline, as B-LT) and in pdfsig."""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import select

from engine import demo
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.errors import InvalidData
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Agency, SignatureEvidence, User
from engine.remote_signing import flow, providers
from engine.signatures import certificates, signing_settings, trust_store
from engine.signatures.keys import Keys
from signing.keystore import pki
from signing.keystore.testca import LocalCa, LocalCaServer
from signing.pades import report
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests import remote_services
from tests.conftest import START, Api
from tests.flows import assignees, attach_pdf, complete, only_task
from tests.pdfs import scanned_pdf
from tests.signing_support import pdf_text
from tests.test_signing_2025_flow import _page

DONG_NAI, LAI_CHAU = "Sở Công Thương tỉnh Đồng Nai", "Sở Công Thương tỉnh Lai Châu"
PEOPLE = {"dn_cvp": "Lâm Văn Hiếu", "dn_head_ttkc": "Cao Minh Trí", "dn_director": "Dương Quốc Bảo"}
DRAFT = {"subject": "Biên bản bàn giao xe ô tô phục vụ công tác chung", "doc_type": "BB", "financial": False,
         "route": ["VPS", "TTKC"], "presenter": "dn_cvp", "signer": "dn_director"}
APPROVE = {"decision": "approve"}


@pytest.fixture(scope="module")
def ca() -> Iterator[LocalCa]:
    with LocalCaServer(now=START - timedelta(days=60)) as ca:
        yield ca


@pytest.fixture
def identities(ca: LocalCa) -> dict[str, pki.Identity]:
    start = START - timedelta(days=30)
    made = {username: ca.issue(name, DONG_NAI, not_before=start, days=3650) for username, name in PEOPLE.items()}
    made["dongnai"] = ca.issue(DONG_NAI, DONG_NAI, not_before=start, days=3650)
    made["laichau"] = ca.issue(LAI_CHAU, LAI_CHAU, not_before=start, days=3650)
    return made


def _pem(identity: pki.Identity) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (identity.certificate, *identity.chain[:-1]))


@pytest.fixture
def platform(database_url: str, tmp_path: Path, clock: FakeClock, demo_pki: Path, ca: LocalCa,
             identities: dict[str, pki.Identity]) -> Iterator[Platform]:
    """The demo platform where Đồng Nai's approving leaders, Director and agency and Lai Châu's
    agency sign with the local CA's keys, its root in both agencies' trust stores, each agency
    with the CA's TSA and the refusing policy."""
    keys = tmp_path / "pki"
    shutil.copytree(demo_pki, keys)
    for name, identity in identities.items():
        target = keys / ("people" if name in PEOPLE else "agencies") / name
        target.with_suffix(".p12").write_bytes(identity.pkcs12(demo.DEMO_PASSWORD))
        target.with_suffix(".pem").write_bytes(_pem(identity))
    p = Platform.from_settings(Settings(database_url=database_url, data_dir=tmp_path / "data", pki_path=keys), clock)
    root = identities["dongnai"].chain[-1].public_bytes(serialization.Encoding.DER)
    with p.db.write() as session:
        for code in ("dongnai", "laichau"):
            agency = session.scalars(select(Agency).where(Agency.code == code)).one()
            trust_store.add(session, agency.id, root, "Root CA thử nghiệm (OCSP/CRL)", None, START)
            signing_settings.update(session, agency.id, ca.tsa_url, "refuse", None, START)
            if code == "dongnai":
                trusted = trust_store.keys_for(session, Keys(keys, (keys / "root.pem",)), agency.id)
        for username in PEOPLE:
            user = session.scalars(select(User).where(User.username == username)).one()
            certificates.register(session, trusted, user, identities[username].certificate, "admin", None, START,
                                  chain=tuple(identities[username].chain[:-1]))
    yield p
    p.db.dispose()


def _user(platform: Platform, username: str) -> User:
    with platform.db.read() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def _evidence(platform: Platform, document_id: int) -> list[tuple[str, str, str, str | None]]:
    with platform.db.read() as session:
        rows = session.scalars(select(SignatureEvidence).where(SignatureEvidence.document_id == document_id)
                               .order_by(SignatureEvidence.id))
        return [(e.field, e.level, e.status, e.source) for e in rows]


def _main_pdf(api: Api, viewer: str, document_id: int) -> bytes:
    doc = api.get(viewer, f"/api/v1/documents/{document_id}").get_json()
    main = next(f for f in doc["files"] if f["role"] == "main")
    return bytes(api.get(viewer, f"/api/v1/documents/{document_id}/files/{main['id']}").data)


def _to_cvp(api: Api) -> dict[str, Any]:
    r = api.post("dn_spec_vps", "/api/v1/cases", {"process": "dongnai_outgoing", "data": {
        "subject": DRAFT["subject"], "doc_type": DRAFT["doc_type"]}})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    attach_pdf(api, "dn_spec_vps", case)
    case = complete(api, "dn_spec_vps", only_task(case), DRAFT)
    assert (only_task(case)["task"], assignees(only_task(case))) == ("presenter_initial", ["dn_cvp"])
    return case


def _issue_and_check(api: Api, platform: Platform, case: dict[str, Any], identities: dict[str, pki.Identity]) -> None:
    """The rest of the chain, the Director and the clerk; then every signature B-LT, valid offline
    in pyHanko and trusted by pdfsig, and its evidence kept."""
    case = complete(api, "dn_head_ttkc", only_task(case), APPROVE)
    case = complete(api, "dn_director", only_task(case), {"decision": "sign"})
    case = complete(api, "dn_clerk", only_task(case), {"decision": "issue", "recipients": [
        {"name": "Sở Tài chính tỉnh Đồng Nai", "delivery": "electronic"}]})
    doc = case["document"]
    assert (doc["status"], doc["signature_status"]) == ("issued", "valid")
    assert [(s["field"], s["level"], s["revocation_source"]) for s in doc["signatures"]] == [
        ("KyNhay1", "B-LT", "ocsp"), ("KyNhay2", "B-LT", "ocsp"), ("LanhDao", "B-LT", "ocsp"),
        ("CoQuan", "B-LT", "ocsp")]
    pdf = _main_pdf(api, "dn_clerk", doc["id"])
    root = identities["dongnai"].chain[-1]
    reports = verify_pdf(pdf, [root])  # offline: nothing is fetched at verification
    assert [(r.field, r.signer, r.valid, r.level) for r in reports] == [
        ("KyNhay1", "Lâm Văn Hiếu", True, "B-LT"), ("KyNhay2", "Cao Minh Trí", True, "B-LT"),
        ("LanhDao", "Dương Quốc Bảo", True, "B-LT"), ("CoQuan", DONG_NAI, True, "B-LT")]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, [root])] == [(True, True)] * 4
    assert "VPS: Lâm Văn Hiếu" in pdf_text(pdf)
    assert _evidence(platform, doc["id"]) == [
        ("KyNhay1", "B-LT", "good", "ocsp"), ("KyNhay2", "B-LT", "good", "ocsp"),
        ("LanhDao", "B-LT", "good", "ocsp"), ("CoQuan", "B-LT", "good", "ocsp")]
    # the seven-field report (Circular 15/2025 Art. 6) for every signature, the ký nháy included
    body = api.get("dn_clerk", f"/api/v1/documents/{doc['id']}/verification").get_json()
    labels = [label for _, label in report.LABELS]
    assert [s["signer"] for s in body["signatures"]] == ["Lâm Văn Hiếu", "Cao Minh Trí", "Dương Quốc Bảo", DONG_NAI]
    assert all([r["label"] for r in s["report"]] == labels for s in body["signatures"])
    html = _page(platform, "dn_clerk", f"/documents/{doc['id']}").get_data(as_text=True)
    assert html.count('data-testid="verification-signature"') == 4


def test_approval_signatures_with_the_key_on_the_server_are_b_lt(
        api: Api, platform: Platform, identities: dict[str, pki.Identity]) -> None:
    case = complete(api, "dn_cvp", only_task(_to_cvp(api)), APPROVE)
    assert [(s["field"], s["level"]) for s in case["document"]["signatures"]] == [("KyNhay1", "B-LT")]
    _issue_and_check(api, platform, case, identities)


def test_a_revoked_approving_leader_is_refused_before_the_approval(
        api: Api, platform: Platform, ca: LocalCa, identities: dict[str, pki.Identity]) -> None:
    case = _to_cvp(api)
    ca.revoke(identities["dn_cvp"].certificate, when=platform.clock.now() - timedelta(hours=1))
    refused = api.complete("dn_cvp", only_task(case)["id"], APPROVE)
    assert refused.status_code == 422 and "đã bị tổ chức chứng thực thu hồi" in refused.get_json()["error"]
    assert _evidence(platform, case["document"]["id"]) == []


@pytest.fixture
def services(identities: dict[str, pki.Identity]) -> Iterator[remote_services.Services]:
    identity = identities["dn_cvp"]
    account = remote_services.Account(identity.key, identity.certificate, identity.chain[:-1])
    with remote_services.running({"dn_cvp": account}) as running:
        yield running


def _remote(platform: Platform) -> flow.Remote:
    settings = platform.settings
    return flow.Remote(platform.db, FileStore(settings.files_dir), Keys(settings.pki_dir, tuple(settings.trust_roots)))


def _provider(platform: Platform, remote: flow.Remote, services: remote_services.Services, kind: str) -> int:
    with platform.db.write() as session:
        agency = session.scalars(select(Agency).where(Agency.code == "dongnai")).one()
        clerk = session.scalars(select(User).where(User.username == "dn_clerk")).one()
        row = providers.save(session, remote.keys, clerk, agency, {
            "name": f"Dịch vụ {kind}", "kind": kind, "endpoint": services.url, "client_id": remote_services.CLIENT_ID,
            "secret": remote_services.SECRET, "timeout_seconds": "120", "enabled": "on"}, platform.clock.now())
        return row.id


def _settled(remote: flow.Remote, platform: Platform, task: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    deadline = time.monotonic() + 60
    while answer["state"] == "waiting" and time.monotonic() < deadline:
        time.sleep(0.05)
        answer = flow.check(remote, _user(platform, "dn_cvp").id, task["id"], answer["id"], platform.clock.now())
    return answer


@pytest.mark.parametrize("kind", ["approval", "csc"])
def test_an_approving_leader_signs_the_ky_nhay_through_their_remote_signing_service(
        api: Api, platform: Platform, services: remote_services.Services, identities: dict[str, pki.Identity],
        kind: str) -> None:
    """Approved on the phone (the approval service) or with the PIN through the CSC API: the ký
    nháy goes to the service, the task completes once it has signed, the chain goes on."""
    remote = _remote(platform)
    provider = _provider(platform, remote, services, kind)
    case = _to_cvp(api)
    task = only_task(case)
    cvp = _user(platform, "dn_cvp")
    choices = api.get("dn_cvp", f"/api/v1/tasks/{task['id']}/remote-signing").get_json()
    assert [p["id"] for p in choices["providers"]] == [provider]
    page = _page(platform, "dn_cvp", f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'data-decision="approve"' in page and "data-remote-sign" in page  # offered on the ký nháy step
    with pytest.raises(InvalidData, match="Đồng ý"):  # the step's signature is its approval, not "sign"
        flow.start(remote, cvp.id, task["id"], {"decision": "sign"}, provider, "dn_cvp", None, platform.clock.now())
    pin = remote_services.PIN if kind == "csc" else None
    started = flow.start(remote, cvp.id, task["id"], APPROVE, provider, "dn_cvp", pin, platform.clock.now())
    if kind == "approval":
        assert started["state"] == "waiting", started
        transaction = services.transactions[services.only_transaction()]
        assert transaction.account == "dn_cvp"
        services.phone("approve", services.only_transaction())
    done = _settled(remote, platform, task, started)
    assert done["state"] == "completed", done
    case = api.get("dn_cvp", f"/api/v1/cases/{case['id']}").get_json()
    assert [(s["field"], s["signer"], s["level"]) for s in case["document"]["signatures"]] == [
        ("KyNhay1", "Lâm Văn Hiếu", "B-LT")]
    assert (only_task(case)["task"], assignees(only_task(case))) == ("head_initial", ["dn_head_ttkc"])
    versions = api.get("dn_cvp", f"/api/v1/documents/{case['document']['id']}/versions").get_json()["items"]
    assert [v["reason"] for v in versions] == ["upload", "approval_signature"]
    _issue_and_check(api, platform, case, identities)


def test_the_conversion_mark_on_a_paper_signed_document_is_b_lt(
        api: Api, platform: Platform, identities: dict[str, pki.Identity]) -> None:
    r = api.post("laichau_spec_qlcn", "/api/v1/cases", {"process": "laichau_outgoing", "data": {
        "subject": "Báo cáo tình hình sản xuất công nghiệp tháng 3", "doc_type": "BC"}})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    draft = {"subject": "Báo cáo tình hình sản xuất công nghiệp tháng 3", "doc_type": "BC"}
    for user, data in (("laichau_spec_qlcn", draft), ("laichau_head_qlcn", APPROVE), ("laichau_cvp", APPROVE),
                       ("laichau_head_qlcn", APPROVE), ("laichau_director", {"decision": "sign"})):
        case = complete(api, user, only_task(case), data)
    assert api.upload("laichau_clerk", case["document"]["id"], scanned_pdf(), "ban-giay.pdf").status_code == 201
    case = complete(api, "laichau_clerk", only_task(case), {"decision": "issue", "recipients": [
        {"name": "Bộ Công Thương", "delivery": "paper"}]})
    doc = case["document"]
    assert (doc["status"], doc["signature_mode"], doc["signature_status"]) == ("issued", "paper", "valid")
    pdf = _main_pdf(api, "laichau_clerk", doc["id"])
    root = identities["laichau"].chain[-1]
    assert [(r.field, r.signer, r.valid, r.level) for r in verify_pdf(pdf, [root])] == [
        ("CoQuan", LAI_CHAU, True, "B-LT")]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, [root])] == [(True, True)]
    assert "Bản điện tử được chuyển đổi từ văn bản giấy" in " ".join(pdf_text(pdf).split())
    assert _evidence(platform, doc["id"]) == [("CoQuan", "B-LT", "good", "ocsp")]


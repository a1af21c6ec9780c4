"""The procedures sign under the 2025 rules (issue 16): a Bắc Từ Liêm document whose Director and
agency hold certificates of a CA with OCSP, CRL and a TSA on 127.0.0.1 (trusted through the
agency's trust store) is issued with RSASSA-PSS, B-LT signatures; the evidence is kept; the
seven-field Vietnamese report is in the API, the page and a printable PDF; a revoked Director is
refused before signing; with the responders down the agency's policy is honoured."""

from __future__ import annotations

import re
import shutil
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
from engine.core.platform import Platform
from engine.models import Agency, Document, SignatureEvidence, User
from engine.signatures import certificates, signing_settings, trust_store
from engine.signatures.keys import Keys
from signing.keystore import pki
from signing.keystore.testca import LocalCa, LocalCaServer
from signing.pades import report
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.conftest import START, Api
from tests.flows import complete, only_task, to_director
from tests.pdfs import minimal_pdf
from tests.signing_support import pdf_text
from tests.test_signing_longterm import _openssl_verify
from webui import create_app

DIRECTOR, AGENCY = "Trần Minh Quang", "Trung tâm Y tế quận Bắc Từ Liêm"


@pytest.fixture(scope="module")
def ca() -> Iterator[LocalCa]:
    with LocalCaServer(now=START - timedelta(days=60)) as ca:
        yield ca


@pytest.fixture
def identities(ca: LocalCa) -> dict[str, pki.Identity]:
    start = START - timedelta(days=30)
    return {"director": ca.issue(DIRECTOR, AGENCY, not_before=start, days=3650),
            "agency": ca.issue(AGENCY, AGENCY, not_before=start, days=3650)}


@pytest.fixture
def platform(database_url: str, tmp_path: Path, clock: FakeClock, demo_pki: Path, ca: LocalCa,
             identities: dict[str, pki.Identity]) -> Iterator[Platform]:
    """The demo platform with the Director's and the agency's keys from the local CA, its root in
    the agency's trust store, the Director's new certificate registered, and the agency's TSA."""
    keys = tmp_path / "pki"
    shutil.copytree(demo_pki, keys)
    for target, identity in ((keys / "people" / "btl_director", identities["director"]),
                             (keys / "agencies" / "btl", identities["agency"])):
        target.with_suffix(".p12").write_bytes(identity.pkcs12(demo.DEMO_PASSWORD))
        target.with_suffix(".pem").write_bytes(identity.certificate.public_bytes(serialization.Encoding.PEM))
    p = Platform.from_settings(Settings(database_url=database_url, data_dir=tmp_path / "data", pki_path=keys), clock)
    with p.db.write() as session:
        agency = session.scalars(select(Agency).where(Agency.code == "btl")).one()
        director = session.scalars(select(User).where(User.username == "btl_director")).one()
        root = identities["director"].chain[-1].public_bytes(serialization.Encoding.DER)
        trust_store.add(session, agency.id, root, "Root CA thử nghiệm (OCSP/CRL)", None, START)
        trusted = trust_store.keys_for(session, Keys(keys, (keys / "root.pem",)), agency.id)
        certificates.register(session, trusted, director, identities["director"].certificate, "admin", None, START,
                              chain=tuple(identities["director"].chain[:-1]))
        signing_settings.update(session, agency.id, ca.tsa_url, "refuse", director.id, START)
    yield p
    p.db.dispose()


@pytest.fixture(autouse=True)
def responders_up(ca: LocalCa) -> Iterator[None]:
    ca.down = False
    yield
    ca.down = False


def _set_policy(platform: Platform, ca: LocalCa, policy: str) -> None:
    with platform.db.write() as session:
        agency = session.scalars(select(Agency).where(Agency.code == "btl")).one()
        signing_settings.update(session, agency.id, ca.tsa_url, policy, None, START)


def _evidence(platform: Platform, document_id: int) -> list[SignatureEvidence]:
    with platform.db.read() as session:
        rows = list(session.scalars(select(SignatureEvidence).where(SignatureEvidence.document_id == document_id)))
        session.expunge_all()
        return rows


def _page(platform: Platform, username: str, path: str) -> Any:
    client = create_app(platform).test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True))
    assert token is not None
    client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD, "csrf_token": token[1]})
    return client.get(path)



def _valid_report(signature: dict[str, Any]) -> dict[str, str]:
    """The seven-field report of a valid B-LT signature of the test PKI, by label."""
    rows = {r["label"]: r["value"] for r in signature["report"]}
    assert list(rows) == [label for _, label in report.LABELS]
    assert rows["Tổ chức quản lý chứng thư số (CA gốc)"].startswith("QLVB TEST ROOT CA")
    assert "theo dấu thời gian" in rows["Thời gian ký / dấu thời gian"]
    assert rows["Tính toàn vẹn của văn bản"].startswith("Toàn vẹn")
    assert rows["Hiệu lực của chứng thư số tại thời điểm ký"].startswith("Hợp lệ")
    assert rows["Thời hạn hiệu lực của chứng thư số"].startswith("Từ ")
    assert rows["Nguồn kiểm tra trạng thái thu hồi"].startswith("OCSP")
    return rows

def test_an_issued_document_is_b_lt_with_pss_and_its_report_is_in_the_api_the_page_and_a_pdf(
        api: Api, platform: Platform, ca: LocalCa, identities: dict[str, pki.Identity]) -> None:
    case = to_director(api)
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    appendix = api.upload("btl_clerk", case["document"]["id"], minimal_pdf("Phu luc 1"), "phu-luc.pdf", "appendix")
    assert appendix.status_code == 201
    case = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    document = case["document"]
    assert (document["status"], document["signature_status"]) == ("issued", "valid")
    signed_appendix = next(f for f in document["files"] if f["role"] == "appendix")
    content = api.get("btl_clerk", f"/api/v1/documents/{document['id']}/files/{signed_appendix['id']}").data
    assert [(r.field, r.valid, r.level) for r in verify_pdf(content, [identities["agency"].chain[-1]])] == [
        ("VanThu", True, "B-LT")]
    assert [(s["field"], s["level"], s["revocation_source"], s["algorithm"]) for s in document["signatures"]] == [
        ("LanhDao", "B-LT", "ocsp", "RSASSA-PSS, SHA-256, RSA 2048 bit"),
        ("CoQuan", "B-LT", "ocsp", "RSASSA-PSS, SHA-256, RSA 2048 bit")]
    kept = _evidence(platform, document["id"])
    assert [(e.field, e.level, e.status, e.source, e.warning) for e in kept] == [
        ("LanhDao", "B-LT", "good", "ocsp", None), ("CoQuan", "B-LT", "good", "ocsp", None),
        ("VanThu", "B-LT", "good", "ocsp", None)]
    assert all(e.ocsp_responses != "[]" for e in kept)

    ca.down = True  # the report reads only what the document carries
    verified = api.get("btl_clerk", f"/api/v1/documents/{document['id']}/verification")
    assert verified.status_code == 200, verified.get_json()
    body = verified.get_json()
    assert body["title"] == "Kết quả xác thực chữ ký số" and body["valid"] is True
    assert [e["field"] for e in body["evidence"]] == ["LanhDao", "CoQuan", "VanThu"]
    for signature in body["signatures"]:
        rows = _valid_report(signature)
        assert rows["Tổ chức cung cấp dịch vụ chứng thực (cấp chứng thư số)"].startswith("QLVB TEST CA")
    assert [s["signer"] for s in body["signatures"]] == [DIRECTOR, AGENCY]

    printed = api.get("btl_clerk", f"/api/v1/documents/{document['id']}/verification?format=pdf")
    assert printed.status_code == 200 and printed.mimetype == "application/pdf"
    text = pdf_text(printed.data)
    assert "KẾT QUẢ XÁC THỰC CHỮ KÝ SỐ" in text and "Tổ chức quản lý chứng thư số" in text and DIRECTOR in text

    page = _page(platform, "btl_clerk", f"/documents/{document['id']}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="verification-report"' in html
    assert html.count('data-testid="verification-signature"') == 3  # the leader's, the agency's, the appendix's
    for _, label in report.LABELS:
        assert html.count(f"<th scope=\"row\">{label}</th>") == 3
    pdf_page = _page(platform, "btl_clerk", f"/documents/{document['id']}/verification.pdf")
    assert pdf_page.status_code == 200 and "KẾT QUẢ XÁC THỰC" in pdf_text(pdf_page.data)


def test_the_issued_document_validates_offline_in_pyhanko_pdfsig_and_openssl_and_after_its_signers_expire(
        api: Api, platform: Platform, ca: LocalCa, identities: dict[str, pki.Identity]) -> None:
    """The procedure's own issued file (not one signed by a test helper): PSS, B-LT with the
    revocation data embedded, valid in pdfsig (whose NSS asks the OCSP responder the certificate
    names: with it down it cannot judge the certificate), then offline in pyHanko and ``openssl
    cms``, and still valid through its time-stamps once the Director's and the agency's
    certificates have expired."""
    case = complete(api, "btl_director", only_task(to_director(api)), {"decision": "sign"})
    document = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})["document"]
    main = next(f for f in document["files"] if f["role"] == "main")
    issued = api.get("btl_clerk", f"/api/v1/documents/{document['id']}/files/{main['id']}").data
    root = identities["director"].chain[-1]
    poppler = pdfsig(issued, [root])
    assert [(p["field"], p["signature_valid"], p["certificate_trusted"]) for p in poppler] == [
        ("LanhDao", True, True), ("CoQuan", True, True)], [p["lines"].get("Certificate Validation") for p in poppler]
    ca.down = True  # offline: only what the file carries
    reports = verify_pdf(issued, [root])
    assert [(r.field, r.valid, r.level, r.revocation_source) for r in reports] == [
        ("LanhDao", True, "B-LT", "ocsp"), ("CoQuan", True, "B-LT", "ocsp")], [r.reason for r in reports]
    for done in _openssl_verify(issued, root.public_bytes(serialization.Encoding.PEM)):
        assert done.returncode == 0 and b"Verification successful" in done.stderr, done.stderr
    later = max(i.certificate.not_valid_after_utc for i in identities.values()) + timedelta(days=1)
    after = verify_pdf(issued, [root], later)
    assert all(r.valid for r in after) and [r.validated_at for r in after] == [r.timestamp for r in after], \
        [r.reason for r in after]


def test_every_signed_appendix_has_the_same_report_in_the_api_the_page_and_the_pdf(
        api: Api, platform: Platform, ca: LocalCa, identities: dict[str, pki.Identity]) -> None:
    """Each phụ lục the agency signs at issuance is reported like the main file, and what the
    report says of it is what pyHanko and poppler's pdfsig find in the file itself."""
    case = complete(api, "btl_director", only_task(to_director(api)), {"decision": "sign"})
    names = ("phu-luc-1.pdf", "phu-luc-2.pdf")
    for number, name in enumerate(names, start=1):
        uploaded = api.upload("btl_clerk", case["document"]["id"], minimal_pdf(f"Phu luc {number}"), name, "appendix")
        assert uploaded.status_code == 201
    document = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})["document"]
    assert (document["status"], document["signature_status"]) == ("issued", "valid")
    root = identities["agency"].chain[-1]
    in_files = {}
    for file in (f for f in document["files"] if f["role"] == "appendix"):
        content = api.get("btl_clerk", f"/api/v1/documents/{document['id']}/files/{file['id']}").data
        ours = [(r.field, r.valid, r.signer, r.level) for r in verify_pdf(content, [root])]
        poppler = [(p["field"], p["signature_valid"] and p["certificate_trusted"], p["signer"], "B-LT")
                   for p in pdfsig(content, [root])]
        assert ours == poppler == [("VanThu", True, AGENCY, "B-LT")], (ours, poppler)
        in_files[file["filename"]] = ours

    ca.down = True  # the report reads only what the files carry
    body = api.get("btl_clerk", f"/api/v1/documents/{document['id']}/verification").get_json()
    assert body["valid"] is True and [s["field"] for s in body["signatures"]] == ["LanhDao", "CoQuan"]
    assert [(f["role"], [s["field"] for s in f["signatures"]]) for f in body["files"]] == [
        ("main", ["LanhDao", "CoQuan"]), ("appendix", ["VanThu"]), ("appendix", ["VanThu"])]
    for file in body["files"][1:]:
        [signature] = file["signatures"]
        assert (signature["field"], signature["valid"], signature["signer"], signature["level"]) == \
            in_files[file["filename"]][0]
        assert _valid_report(signature)["Người ký"] == AGENCY

    for printed in (api.get("btl_clerk", f"/api/v1/documents/{document['id']}/verification?format=pdf").data,
                    _page(platform, "btl_clerk", f"/documents/{document['id']}/verification.pdf").data):
        text = " ".join(pdf_text(printed).split())
        assert all(f"Phụ lục: {name}" in text for name in names)
        assert text.count("Chữ ký số 1 (VanThu): HỢP LỆ") == 2 and text.count("Người ký") == 4

    html = _page(platform, "btl_clerk", f"/documents/{document['id']}").get_data(as_text=True)
    sections = re.findall(r'<section data-testid="verification-file" data-role="(\w+)".*?</section>', html, re.S)
    assert sections == ["main", "appendix", "appendix"]
    appendix_html = html[html.index('data-role="appendix"'):]
    assert appendix_html.count('data-testid="verification-signature" data-field="VanThu"') == 2
    for _, label in report.LABELS:
        assert appendix_html.count(f"<th scope=\"row\">{label}</th>") == 2
    assert all(name in appendix_html for name in names)


def test_a_revoked_director_is_refused_before_signing(api: Api, platform: Platform, ca: LocalCa,
                                                      identities: dict[str, pki.Identity]) -> None:
    case = to_director(api)
    ca.revoke(identities["director"].certificate, when=platform.clock.now() - timedelta(hours=1))
    refused = api.complete("btl_director", only_task(case)["id"], {"decision": "sign"})
    assert refused.status_code == 422
    assert "đã bị tổ chức chứng thực thu hồi" in refused.get_json()["error"]  # revoked, not unreachable
    with platform.db.read() as session:
        doc = session.get(Document, case["document"]["id"])
        assert doc is not None and doc.signatures_json is None
    assert _evidence(platform, case["document"]["id"]) == []


def test_responders_down_the_refusing_agency_does_not_sign(api: Api, platform: Platform, ca: LocalCa) -> None:
    case = to_director(api)
    ca.down = True
    refused = api.complete("btl_director", only_task(case)["id"], {"decision": "sign"})
    assert refused.status_code == 422
    assert "Không kiểm tra được trạng thái thu hồi" in refused.get_json()["error"]
    assert _evidence(platform, case["document"]["id"]) == []


def test_responders_down_the_warning_agency_signs_shows_and_records_the_warning(
        api: Api, platform: Platform, ca: LocalCa) -> None:
    _set_policy(platform, ca, "warn")
    case = to_director(api)
    ca.down = True
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    warning = "Không kiểm tra được trạng thái thu hồi của chứng thư số"
    assert any(warning in w for w in case["document"]["signing_warnings"])
    [kept] = _evidence(platform, case["document"]["id"])
    assert (kept.status, kept.level, kept.source) == ("unreachable", "B-T", None) and warning in (kept.warning or "")
    page = _page(platform, "btl_director", f"/documents/{case['document']['id']}")
    assert 'data-testid="signing-warning"' in page.get_data(as_text=True)
    assert warning in page.get_data(as_text=True)


def test_the_report_of_an_unknown_document_is_not_found(api: Api) -> None:
    assert api.get("btl_clerk", "/api/v1/documents/999999/verification").status_code == 404

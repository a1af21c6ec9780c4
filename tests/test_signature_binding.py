"""Signatures bound to the case and the person (issue 10, item 2): the clerk cannot issue another
case's signed file as this case's, nor replace a draft before their step or a signed one at all; a
leader cannot sign with someone else's certificate, on the server key path or the token path, nor a
file changed after the draft was put to them; a return to drafting discards the signature; a
token-only official enrolls their certificate through the sign agent and then signs, and the
signature names the certificate's subject. Every refusal takes no number."""

from __future__ import annotations

import base64
import html
import http.client
import io
import json
import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, pkcs12
from sqlalchemy import delete, func, select

from engine import demo
from engine.core import schema
from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.platform import Platform
from engine.models import DocumentFile, FileVersion, RegisterCounter, User, UserCertificate
from signing.keystore import pki, softhsm
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests import signing_support as s
from tests.conftest import START, TOKEN_PIN, Api
from tests.flows import DRAFT, attach_pdf, complete, only_task, start, to_director
from tests.pdfs import minimal_pdf
from tests.signing_support import running_agent
from webui import create_app

ORIGIN = "https://qlvb.test"


def _numbers_taken(platform: Platform) -> int:
    with platform.db.read() as session:
        return int(session.scalar(select(func.coalesce(func.sum(RegisterCounter.last_number), 0))) or 0)


def _doc(api: Api, document_id: int) -> dict[str, Any]:
    doc: dict[str, Any] = api.get("btl_clerk", f"/api/v1/documents/{document_id}").get_json()
    return doc


def _main_file(api: Api, document_id: int) -> bytes:
    main = next(f for f in _doc(api, document_id)["files"] if f["role"] == "main")
    return bytes(api.get("btl_clerk", f"/api/v1/documents/{document_id}/files/{main['id']}").data)


def _full_name(platform: Platform, username: str) -> str:
    with platform.db.read() as session:
        return str(session.scalar(select(User.full_name).where(User.username == username)))


def _certificate(demo_pki: Path, username: str) -> x509.Certificate:
    _, cert, _ = pkcs12.load_key_and_certificates((demo_pki / "people" / f"{username}.p12").read_bytes(),
                                                  demo.DEMO_PASSWORD.encode())
    assert cert is not None
    return cert


def _b64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(Encoding.DER)).decode()


def _to_deputy_signed(api: Api) -> dict[str, Any]:
    """Another case (KSDB), signed by the deputy director and waiting at the clerk."""
    case = start(api, "btl_spec_ksdb")
    attach_pdf(api, "btl_spec_ksdb", case)
    case = complete(api, "btl_spec_ksdb", only_task(case), DRAFT)
    case = complete(api, "btl_head_ksdb", only_task(case), {"decision": "approve", "route": "deputy_director"})
    return complete(api, "btl_deputy1", only_task(case), {"decision": "sign"})


def test_another_cases_signed_file_is_not_issued(api: Api, platform: Platform) -> None:
    x = complete(api, "btl_director", only_task(to_director(api)), {"decision": "sign"})
    y = _to_deputy_signed(api)
    other = _main_file(api, y["document"]["id"])
    taken = _numbers_taken(platform)
    # The clerk, at their own step, and the drafter cannot put it in place of X's signed file.
    for user in ("btl_clerk", "btl_spec_khnv"):
        r = api.upload(user, x["document"]["id"], other, "quyet-dinh.pdf")
        assert r.status_code == 409 and "chỉ thay được tệp chính khi văn bản được trả lại" in r.get_json()["error"]
    # Put there behind the upload rules (straight in the database), it is still not issued.
    y_main = next(f for f in _doc(api, y["document"]["id"])["files"] if f["role"] == "main")
    with platform.db.write() as session:
        main = session.scalars(select(DocumentFile).where(DocumentFile.document_id == x["document"]["id"],
                                                          DocumentFile.role == "main")).one()
        original = (main.sha256, main.size)
        main.sha256, main.size = y_main["sha256"], y_main["size"]
    r = api.complete("btl_clerk", only_task(x)["id"], {"decision": "issue"})
    assert r.status_code == 422 and "không phải bản lãnh đạo đã ký số trong hồ sơ này" in r.get_json()["error"]
    assert (_doc(api, x["document"]["id"])["status"], _doc(api, x["document"]["id"])["number"]) == ("draft", None)
    assert _numbers_taken(platform) == taken
    with platform.db.write() as session:
        main = session.scalars(select(DocumentFile).where(DocumentFile.document_id == x["document"]["id"],
                                                          DocumentFile.role == "main")).one()
        main.sha256, main.size = original
    issued = complete(api, "btl_clerk", only_task(x), {"decision": "issue"})
    assert (issued["document"]["number_symbol"], issued["document"]["signature_status"]) == ("01/KH-TTYT", "valid")


def _platform_with_director_key(platform: Platform, demo_pki: Path, tmp_path: Path, p12: bytes) -> Platform:
    """The platform, its own copy of the keys, holding ``p12`` as the Director's key."""
    keys = tmp_path / "pki"
    shutil.copytree(demo_pki, keys)
    (keys / "people" / "btl_director.p12").write_bytes(p12)
    return Platform.from_settings(Settings(database_url=platform.settings.database_url,
                                           data_dir=platform.settings.data_dir, pki_path=keys), platform.clock)


def test_the_deputys_key_does_not_sign_for_the_director(platform: Platform, demo_pki: Path, tmp_path: Path) -> None:
    swapped = _platform_with_director_key(platform, demo_pki, tmp_path,
                                          (demo_pki / "people" / "btl_deputy1.p12").read_bytes())
    try:
        api = Api(create_app(swapped).test_client())
        case = to_director(api)
        r = api.complete("btl_director", only_task(case)["id"], {"decision": "sign"})
        assert r.status_code == 422, r.get_json()
        deputy, director = _full_name(platform, "btl_deputy1"), _full_name(platform, "btl_director")
        assert r.get_json()["error"].startswith(f"Chứng thư số của {deputy} chưa được đăng ký cho tài khoản {director}")
        doc = _doc(api, case["document"]["id"])
        assert (doc["status"], doc["signatures"], doc["signer_name"]) == ("draft", [], None)
        assert verify_pdf(_main_file(api, doc["id"]), []) == []  # nothing signed
        assert _numbers_taken(platform) == 0
    finally:
        swapped.db.dispose()


def test_the_deputys_certificate_does_not_sign_for_the_director_by_token(
    api: Api, platform: Platform, demo_pki: Path
) -> None:
    case = to_director(api)
    r = api.post("btl_director", f"/api/v1/tasks/{only_task(case)['id']}/signing-request",
                 {"certificate": _b64(_certificate(demo_pki, "btl_deputy1"))})
    assert r.status_code == 422, r.get_json()
    deputy, director = _full_name(platform, "btl_deputy1"), _full_name(platform, "btl_director")
    assert f"Chứng thư số của {deputy} chưa được đăng ký cho tài khoản {director}" in r.get_json()["error"]
    assert _doc(api, case["document"]["id"])["signatures"] == [] and _numbers_taken(platform) == 0


def test_key_usage_is_named_at_signing(platform: Platform, demo_pki: Path, tmp_path: Path) -> None:
    """A certificate that cannot sign documents (no nonRepudiation), on either path: the reason is
    its key usage, not its issuer."""
    unusable = pki.issue(s.demo_pki().ca, "Người không ký được", usage=pki.AUTHENTICATION_USAGE)
    limited = _platform_with_director_key(platform, demo_pki, tmp_path, unusable.pkcs12(demo.DEMO_PASSWORD))
    try:
        api = Api(create_app(limited).test_client())
        task = only_task(to_director(api))
        expected = "Chứng thư số không dùng để ký văn bản được: thiếu nonRepudiation (key usage)."
        r = api.complete("btl_director", task["id"], {"decision": "sign"})
        assert (r.status_code, r.get_json()["error"]) == (422, expected)
        r = api.post("btl_director", f"/api/v1/tasks/{task['id']}/signing-request",
                     {"certificate": _b64(unusable.certificate)})
        assert (r.status_code, r.get_json()["error"]) == (422, expected)
    finally:
        limited.db.dispose()


def _reasons(platform: Platform, document_id: int) -> list[str]:
    with platform.db.read() as session:
        return list(session.scalars(select(FileVersion.reason).where(FileVersion.document_id == document_id)
                                    .order_by(FileVersion.seq)))


def _to_director_again(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    return complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})


def test_who_may_replace_the_main_file_and_when(
    api: Api, platform: Platform, clock: FakeClock, demo_pki: Path
) -> None:
    case = to_director(api)
    doc_id = case["document"]["id"]
    # Before their step, the clerk cannot replace the draft.
    assert api.upload("btl_clerk", doc_id, minimal_pdf("Ban cua van thu")).status_code == 403
    # The drafter still can, but the Director signs only the version put to them.
    clock.advance(timedelta(minutes=5))
    attach_pdf(api, "btl_spec_khnv", case, replace=True)
    r = api.complete("btl_director", only_task(case)["id"], {"decision": "sign"})
    assert r.status_code == 422 and "đã thay đổi sau khi văn bản được trình ký" in r.get_json()["error"]
    case = complete(api, "btl_director", only_task(case), {"decision": "return", "note": "Trình lại bản đã sửa"})
    case = complete(api, "btl_director", only_task(_to_director_again(api, case)), {"decision": "sign"})
    unsigned = _reasons(platform, doc_id)
    assert unsigned == ["upload", "upload", "leader_signature"]
    # Signed: nobody replaces it, not even the clerk at their step.
    for user in ("btl_spec_khnv", "btl_clerk"):
        assert api.upload(user, doc_id, minimal_pdf("Ban khac")).status_code == 409
    # Returned to drafting: the signature is discarded, the unsigned version is back.
    with platform.db.read() as session:
        before_signing = session.scalars(select(FileVersion.sha256).where(FileVersion.document_id == doc_id)
                                         .order_by(FileVersion.seq)).all()[1]
    case = complete(api, "btl_clerk", only_task(case), {"decision": "return", "note": "Sai thể thức"})
    doc = _doc(api, doc_id)
    assert (doc["signatures"], doc["signer_name"], doc["signature_status"]) == ([], None, "none")
    assert next(f for f in doc["files"] if f["role"] == "main")["sha256"] == before_signing
    assert verify_pdf(_main_file(api, doc_id), []) == []
    # A new upload is allowed again, and the new version goes the whole way.
    attach_pdf(api, "btl_spec_khnv", case)
    case = complete(api, "btl_director", only_task(_to_director_again(api, case)), {"decision": "sign"})
    issued = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    assert (issued["document"]["status"], issued["document"]["signature_status"]) == ("issued", "valid")
    chain = api.get("btl_spec_khnv", f"/api/v1/documents/{doc_id}/versions").get_json()["items"]
    assert [v["reason"] for v in chain] == ["upload", "upload", "leader_signature", "restored", "upload",
                                            "leader_signature", "agency_signature"]
    director, clerk = _full_name(platform, "btl_director"), _full_name(platform, "btl_clerk")
    assert [v["by"] for v in chain[-3:]] == [_full_name(platform, "btl_spec_khnv"), director, clerk]
    assert chain[3]["sha256"] == before_signing and chain[-1]["sha256"] == issued["document"]["files"][0]["sha256"]
    assert api.get("qn_clerk", f"/api/v1/documents/{doc_id}/versions").status_code in (403, 404)
    pdf = _main_file(api, doc_id)
    roots = [x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())]
    assert [(r.field, r.valid) for r in verify_pdf(pdf, roots)] == [("LanhDao", True), ("CoQuan", True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 2


@pytest.fixture
def agent(softhsm_tokens: dict[str, softhsm.Token], clock: FakeClock) -> Iterator[tuple[int, list[str]]]:
    with running_agent(softhsm_tokens["giam-doc"], ORIGIN, clock.now) as running:
        yield running


def _agent_call(port: int, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request(method, path, body=json.dumps(body) if body is not None else None,
                 headers={"Origin": ORIGIN, "Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else {}


def test_a_token_only_official_enrolls_through_the_agent_and_signs(
    api: Api, platform: Platform, demo_pki: Path, agent: tuple[int, list[str]]
) -> None:
    port, pins = agent
    # The Director holds their key on the token only: nothing registered; their account's name is
    # not their certificate's.
    with platform.db.write() as session:
        director = session.scalars(select(User).where(User.username == "btl_director")).one()
        session.execute(delete(UserCertificate).where(UserCertificate.user_id == director.id))
        director.full_name = "Tài khoản Giám đốc"
    status, token = _agent_call(port, "GET", "/certificate")
    assert status == 200, token
    subject = _certificate(demo_pki, "btl_director").subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)[0].value
    case = to_director(api)
    task = only_task(case)
    refused = api.post("btl_director", f"/api/v1/tasks/{task['id']}/signing-request",
                       {"certificate": token["certificate"]})
    assert refused.status_code == 422 and "chưa được đăng ký cho tài khoản Tài khoản Giám đốc" in \
        refused.get_json()["error"]

    r = api.post("btl_director", "/api/v1/me/certificates/enrollment-request", {"certificate": token["certificate"]})
    assert r.status_code == 201, r.get_json()
    request = r.get_json()
    assert subject in request["label"]
    pins.append(TOKEN_PIN)  # the holder confirms on the agent with their PIN
    status, signed = _agent_call(port, "POST", "/sign", request)
    assert status == 200, signed
    enrollment = {"certificate": token["certificate"], "request": request, "signature": signed["signature"]}
    # Someone else cannot enroll the Director's token with what the Director signed.
    stolen = api.post("btl_deputy1", "/api/v1/me/certificates", enrollment)
    assert stolen.status_code == 422, stolen.get_json()
    forged = api.post("btl_director", "/api/v1/me/certificates",
                      {**enrollment, "signature": base64.b64encode(b"\0" * 256).decode()})
    assert forged.status_code == 422
    r = api.post("btl_director", "/api/v1/me/certificates", enrollment)
    assert r.status_code == 201, r.get_json()
    assert (r.get_json()["subject_name"], r.get_json()["source"]) == (subject, "agent")
    listed = api.get("btl_director", "/api/v1/me/certificates").get_json()["items"]
    assert [c["subject_name"] for c in listed] == [subject]

    r = api.post("btl_director", f"/api/v1/tasks/{task['id']}/signing-request", {"certificate": token["certificate"]})
    assert r.status_code == 201, r.get_json()
    # What the agent's PIN prompt names (issue 12, item 7): the draft and its summary, a request
    # valid five minutes at most, and the hash signed, for the page to show beside the prompt.
    assert r.get_json()["label"] == f"Dự thảo – {case['document']['subject']}"
    assert datetime.fromisoformat(r.get_json()["expires_at"]) - platform.clock.now() <= timedelta(minutes=5)
    assert len(bytes.fromhex(r.get_json()["digest"])) == 32
    pins.append(TOKEN_PIN)
    status, signed = _agent_call(port, "POST", "/sign", r.get_json())
    assert status == 200, signed
    r = api.complete("btl_director", task["id"], {"decision": "sign"}, request_id=signed["id"],
                     signature=signed["signature"])
    assert r.status_code == 200, r.get_json()
    issued = complete(api, "btl_clerk", only_task(r.get_json()), {"decision": "issue"})
    assert (issued["document"]["signature_status"], issued["document"]["signer_name"]) == ("valid", subject)
    pdf = _main_file(api, issued["document"]["id"])
    assert f"Ký bởi: {subject}" in s.pdf_text(pdf) and "Tài khoản Giám đốc" not in s.pdf_text(pdf)


def test_the_admin_page_refuses_a_certificate_that_cannot_sign_documents(platform: Platform) -> None:
    from tests.test_admin import Admin

    admin = Admin(platform, "btl_admin")
    with platform.db.read() as session:
        deputy = session.scalars(select(User).where(User.username == "btl_deputy1")).one()
        registered = [c.spki_sha256 for c in session.scalars(select(UserCertificate)
                                                              .where(UserCertificate.user_id == deputy.id))]
    for usage, missing in ((pki.AUTHENTICATION_USAGE, "nonRepudiation"),
                           (pki.ENCRYPTION_USAGE, "digitalSignature, nonRepudiation")):
        identity = pki.issue(s.demo_pki().ca, "Phó Giám đốc (chứng thư đăng nhập)", usage=usage,
                             now=START - timedelta(days=10))
        page = admin.post(f"/admin/users/{deputy.id}/certificate",
                          {"p12": (io.BytesIO(identity.pkcs12(demo.DEMO_PASSWORD)), "k.p12"),
                           "password": demo.DEMO_PASSWORD}, 422)
        assert f"Chứng thư số không dùng để ký văn bản được: thiếu {missing} (key usage)." in html.unescape(page)
    with platform.db.read() as session:
        assert [c.spki_sha256 for c in session.scalars(select(UserCertificate)
                                                       .where(UserCertificate.user_id == deputy.id))] == registered


def test_upgrade_keeps_a_signed_draft_issuable(api: Api, platform: Platform) -> None:
    """Migration 0014 gives each document its main file as first version: a draft the leader signed
    before the upgrade is issued as it is."""
    case = complete(api, "btl_director", only_task(to_director(api)), {"decision": "sign"})
    signed = _doc(api, case["document"]["id"])
    config = schema.alembic_config(platform.db.url)
    with platform.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
        command.upgrade(config, "head")
    assert _reasons(platform, signed["id"]) == ["leader_signature"]
    issued = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    assert (issued["document"]["status"], issued["document"]["signature_status"]) == ("issued", "valid")


def test_the_admin_registers_a_token_officials_certificate_file(platform: Platform, demo_pki: Path) -> None:
    from tests.test_admin import Admin

    admin = Admin(platform, "btl_admin")
    with platform.db.write() as session:
        director = session.scalars(select(User).where(User.username == "btl_director")).one()
        deputy = session.scalars(select(User).where(User.username == "btl_deputy1")).one()
        session.execute(delete(UserCertificate).where(UserCertificate.user_id == director.id))
        director_id, deputy_id, director_name = director.id, deputy.id, director.full_name
    cert = _certificate(demo_pki, "btl_director")
    path = f"/admin/users/{director_id}/registered-certificate"
    unusable = pki.issue(s.demo_pki().ca, "Chứng thư đăng nhập", usage=pki.AUTHENTICATION_USAGE,
                         now=START - timedelta(days=10)).certificate.public_bytes(Encoding.PEM)
    page = admin.post(path, {"cer": (io.BytesIO(unusable), "dang-nhap.pem")}, 422)
    assert "Chứng thư số không dùng để ký văn bản được: thiếu nonRepudiation (key usage)." in html.unescape(page)
    assert "Tệp không phải chứng thư số X.509." in html.unescape(
        admin.post(path, {"cer": (io.BytesIO(b"not a certificate"), "x.cer")}, 422))
    admin.post(path, {"cer": (io.BytesIO(cert.public_bytes(Encoding.DER)), "giam-doc.cer")})
    registered = admin.get(f"/admin/users/{director_id}")
    registered = registered[registered.index('data-testid="registered-certificates"'):]
    assert director_name in registered and "Quản trị viên, từ tệp chứng thư" in registered
    # The same key cannot be registered to another person.
    page = admin.post(f"/admin/users/{deputy_id}/registered-certificate",
                      {"cer": (io.BytesIO(cert.public_bytes(Encoding.PEM)), "giam-doc.pem")}, 422)
    assert f"Chứng thư số này đã được đăng ký cho {director_name}." in html.unescape(page)


def test_a_token_signature_is_refused_when_the_file_changed_after_the_request(
    api: Api, platform: Platform, clock: FakeClock, demo_pki: Path
) -> None:
    case = to_director(api)
    task = only_task(case)
    r = api.post("btl_director", f"/api/v1/tasks/{task['id']}/signing-request",
                 {"certificate": _b64(_certificate(demo_pki, "btl_director"))})
    assert r.status_code == 201, r.get_json()
    clock.advance(timedelta(minutes=1))
    attach_pdf(api, "btl_spec_khnv", case, replace=True)
    r = api.complete("btl_director", task["id"], {"decision": "sign"}, request_id=r.get_json()["id"],
                     signature=base64.b64encode(b"\1" * 256).decode())
    assert r.status_code == 422 and "đã thay đổi" in r.get_json()["error"]
    assert _doc(api, case["document"]["id"])["signatures"] == [] and _numbers_taken(platform) == 0

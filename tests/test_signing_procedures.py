"""The procedures sign for real (the signing issue, item 5): a Bắc Từ Liêm document issued
through the API carries the Director's and the agency's PAdES signatures, valid in pyHanko
and in poppler's pdfsig with the test root trusted, and `qpdf --check` passes; the same with
the agency key on a SoftHSM token and with the Director signing through the local sign agent.
The clerk's issue is refused, with a clear reason and nothing issued, when a signature is
missing or broken."""

from __future__ import annotations

import http.client
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509

from engine.core.clock import FakeClock
from engine.core.config import Settings
from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from signing.keystore import softhsm
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.conftest import TOKEN_PIN, Api
from tests.flows import complete, only_task, to_director
from tests.pdfs import minimal_pdf
from tests.signing_support import running_agent
from webui import create_app

ORIGIN = "https://qlvb.test"


def _signed_file(api: Api, case: dict[str, Any]) -> bytes:
    doc = api.get("btl_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()
    main = next(f for f in doc["files"] if f["role"] == "main")
    r = api.get("btl_clerk", f"/api/v1/documents/{doc['id']}/files/{main['id']}")
    assert r.status_code == 200
    return bytes(r.data)


def _roots(pki: Path) -> list[x509.Certificate]:
    return [x509.load_pem_x509_certificate((pki / "root.pem").read_bytes())]


def _assert_issued_and_valid(api: Api, case: dict[str, Any], pki: Path, tmp_path: Path) -> None:
    assert (case["status"], case["document"]["status"], case["document"]["signature_status"]) == (
        "completed", "issued", "valid")
    pdf = _signed_file(api, case)
    reports = verify_pdf(pdf, _roots(pki))
    assert [(r.field, r.valid, r.trusted, r.intact) for r in reports] == [
        ("LanhDao", True, True, True), ("CoQuan", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, _roots(pki))] == [(True, True)] * 2
    (tmp_path / "issued.pdf").write_bytes(pdf)
    assert subprocess.run(["qpdf", "--check", str(tmp_path / "issued.pdf")], capture_output=True).returncode == 0
    assert [s["field"] for s in case["document"]["signatures"]] == ["LanhDao", "CoQuan"]


def test_issued_document_carries_valid_leader_and_agency_signatures(
    api: Api, demo_pki: Path, tmp_path: Path
) -> None:
    case = to_director(api)
    task = only_task(case)
    wrong = api.complete("btl_director", task["id"], {"decision": "sign"}, password="sai mật khẩu")
    assert wrong.status_code == 422 and "Mật khẩu" in wrong.get_json()["error"]
    case = complete(api, "btl_director", task, {"decision": "sign"})
    task = only_task(case)
    refused = api.complete("btl_clerk", task["id"], {"decision": "issue"}, password=DEMO_PASSWORD)
    assert refused.status_code == 422 and "signing" in refused.get_json()["fields"]  # no agency key given
    appendix = api.upload("btl_clerk", case["document"]["id"], minimal_pdf("Phu luc 1"), "phu-luc.pdf", "appendix")
    assert appendix.status_code == 201
    case = complete(api, "btl_clerk", task, {"decision": "issue"})
    assert case["document"]["number_symbol"] == "01/KH-TTYT"  # the refused issue took no number
    _assert_issued_and_valid(api, case, demo_pki, tmp_path)
    # The appendix, a separate file, carries the clerk's signature with the number stamp.
    signed_appendix = next(f for f in case["document"]["files"] if f["role"] == "appendix")
    content = api.get("btl_clerk", f"/api/v1/documents/{case['document']['id']}/files/{signed_appendix['id']}").data
    assert [(r.field, r.valid) for r in verify_pdf(content, _roots(demo_pki))] == [("VanThu", True)]


def test_the_signed_file_cannot_be_replaced(api: Api, demo_pki: Path) -> None:
    case = to_director(api)
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    signed = _signed_file(api, case)
    # Someone tries to swap the signed file for another one (tests/test_signature_binding.py has
    # the swap made behind this rule): refused, the signed file stays.
    assert api.upload("btl_spec_khnv", case["document"]["id"], minimal_pdf("ban khac")).status_code == 409
    doc = api.get("btl_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()
    assert (doc["status"], doc["number"], _signed_file(api, case)) == ("draft", None, signed)


def test_issue_is_refused_when_a_byte_of_the_signed_file_changed(api: Api, platform: Platform) -> None:
    case = to_director(api)
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    signed = _signed_file(api, case)
    doc = api.get("btl_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()
    main = next(f for f in doc["files"] if f["role"] == "main")
    stored = platform.settings.files_dir / main["sha256"][:2] / main["sha256"]
    at = signed.index(b"%PDF-1.") + 7  # the version digit: still a PDF, but not the bytes that were signed
    changed = b"3" if signed[at:at + 1] != b"3" else b"4"
    stored.write_bytes(signed[:at] + changed + signed[at + 1:])
    r = api.complete("btl_clerk", only_task(case)["id"], {"decision": "issue"})
    assert r.status_code == 422, r.get_json()
    assert doc["status"] == "draft"
    stored.write_bytes(signed)  # leave the store intact for the other checks of the fixture


@pytest.fixture
def agent(softhsm_tokens: dict[str, softhsm.Token], clock: FakeClock) -> Iterator[tuple[int, list[str]]]:
    with running_agent(softhsm_tokens["giam-doc"], ORIGIN, clock.now) as running:
        yield running


def _agent_call(port: int, method: str, path: str, body: Any = None) -> tuple[int, dict[str, Any]]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Origin": ORIGIN, "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, json.loads(data) if data else {}


def test_director_signs_with_a_usb_token_through_the_sign_agent(
    api: Api, demo_pki: Path, agent: tuple[int, list[str]], tmp_path: Path
) -> None:
    port, pins = agent
    case = to_director(api)
    task = only_task(case)
    status, body = _agent_call(port, "GET", "/certificate")
    assert status == 200, body
    r = api.post("btl_director", f"/api/v1/tasks/{task['id']}/signing-request", {"certificate": body["certificate"]})
    assert r.status_code == 201, r.get_json()
    request = r.get_json()
    assert api.post("btl_head_khnv", f"/api/v1/tasks/{task['id']}/signing-request",
                    {"certificate": body["certificate"]}).status_code == 403
    pins.append("000000")  # a wrong PIN: refused, nothing signed
    status, refused = _agent_call(port, "POST", "/sign", request)
    assert status != 200 and "PIN" in json.dumps(refused, ensure_ascii=False)
    pins.append(TOKEN_PIN)
    status, signed = _agent_call(port, "POST", "/sign", request)
    assert status == 200, signed
    r = api.complete("btl_director", task["id"], {"decision": "sign"}, request_id=signed["id"],
                     signature=signed["signature"])
    assert r.status_code == 200, r.get_json()
    again = api.complete("btl_director", task["id"], {"decision": "sign"}, request_id=signed["id"],
                         signature=signed["signature"])
    assert again.status_code == 409  # the task is done; the request is used up
    case = complete(api, "btl_clerk", only_task(r.get_json()), {"decision": "issue"})
    _assert_issued_and_valid(api, case, demo_pki, tmp_path)


def test_the_agency_key_on_a_softhsm_token(
    api: Api, platform: Platform, demo_pki: Path, softhsm_tokens: dict[str, softhsm.Token], tmp_path: Path
) -> None:
    pki = tmp_path / "pki"
    shutil.copytree(demo_pki, pki)
    token = softhsm_tokens["co-quan-btl"]
    (pki / "agencies" / "btl.p12").unlink()  # the key lives on the token only
    (pki / "agencies" / "btl.token.json").write_text(json.dumps(
        {"module": str(token.module), "token_label": token.label, "key_label": token.key_label}))
    with_token = Platform.from_settings(Settings(database_url=platform.settings.database_url,
                                                 data_dir=platform.settings.data_dir, pki_path=pki), platform.clock)
    token_api = Api(create_app(with_token).test_client())
    case = to_director(token_api)
    case = complete(token_api, "btl_director", only_task(case), {"decision": "sign"})
    wrong = token_api.complete("btl_clerk", only_task(case)["id"], {"decision": "issue"}, agency_password="111111")
    assert wrong.status_code == 422 and "PIN" in wrong.get_json()["error"]
    r = token_api.complete("btl_clerk", only_task(case)["id"], {"decision": "issue"}, agency_password=TOKEN_PIN)
    assert r.status_code == 200, r.get_json()
    _assert_issued_and_valid(token_api, r.get_json(), pki, tmp_path)
    with_token.db.dispose()


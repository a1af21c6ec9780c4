"""Tiếp nhận văn bản đến: an incoming PDF whose signature was broken after signing (one byte
flipped in the signed range) takes no number silently on any path (the API, the clerk's
desk page, a procedure's registration step): the result is shown and kept, and the clerk
registers it with a note or refuses it, both audited."""

from __future__ import annotations

import io
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from engine import demo
from engine.core.platform import Platform
from engine.models import AuditEntry
from signing.keystore.keys import Pkcs12Key
from signing.pades.pdfsign import sign_leader
from signing.pdf import images
from signing.pdf.draft import prepare_draft
from tests.conftest import START, Api
from tests.drafts import made
from tests.flows import complete, only_task
from tests.test_ui_inbox import _login
from webui import create_app

INCOMING = {"doc_type": "CV", "subject": "Về việc kiểm tra công tác phòng cháy chữa cháy năm 2026",
            "number_symbol": "41/SYT-VP", "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-02-26"}
TAMPERED = "Nội dung văn bản đã bị thay đổi sau khi ký (giá trị băm không khớp)."


@cache
def _signed(pki_dir: Path) -> bytes:
    """A PDF signed with a key of the installation's own (trusted) demo PKI."""
    key = Pkcs12Key.from_file(pki_dir / "people" / "btl_director.p12", demo.DEMO_PASSWORD)
    return sign_leader(prepare_draft(made("cong-van")), key, "Nguyễn Thị Lan", "GIÁM ĐỐC",
                       "Sở Y tế Hà Nội", images.signature_image("Nguyễn Thị Lan"), START)


def _broken(pki_dir: Path) -> bytes:
    pdf = _signed(pki_dir)
    at = pdf.index(b"/MediaBox")  # inside the signed range
    return pdf[:at] + b"/MediaBoy" + pdf[at + len(b"/MediaBox"):]


def _draft_with(api: Api, pdf: bytes, data: dict[str, Any] | None = None) -> dict[str, Any]:
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "register": False,
                                                     "data": data or INCOMING})
    assert r.status_code == 201, r.get_json()
    doc: dict[str, Any] = r.get_json()["document"]
    assert api.upload("btl_clerk", doc["id"], pdf).status_code == 201
    return doc


def _actions(platform: Platform, name: str) -> list[dict[str, Any]]:
    with platform.db.read() as s:
        return [json.loads(e.payload) for e in s.scalars(select(AuditEntry).where(AuditEntry.action == name)
                                                          .order_by(AuditEntry.id))]


def test_api_broken_signature_takes_no_number_until_the_clerk_notes_it(api: Api, platform: Platform,
                                                                         demo_pki: Path) -> None:
    doc = _draft_with(api, _broken(demo_pki))
    path = f"/api/v1/documents/{doc['id']}/register"
    r = api.post("btl_clerk", path, {})
    assert r.status_code == 409, r.get_json()
    found = r.get_json()
    assert (found["signature_status"], found["needs"]) == ("invalid", ["note"])
    assert any(TAMPERED in reason for reason in found["signature_reasons"])
    assert api.get("btl_clerk", f"/api/v1/documents/{doc['id']}").get_json()["number"] is None
    assert api.post("btl_spec_khnv", path, {"note": "x"}).status_code == 403
    # The book's next number is untouched: a clean document entered meanwhile takes số đến 1.
    clean = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {
        **INCOMING, "number_symbol": "42/SYT-VP"}})
    assert clean.get_json()["document"]["number"] == 1
    r = api.post("btl_clerk", path, {"note": "Đã gọi điện xác minh với Sở Y tế; chờ bản ký lại."})
    assert r.status_code == 200, r.get_json()
    registered = api.get("btl_clerk", f"/api/v1/documents/{doc['id']}").get_json()
    assert (registered["number"], registered["status"], registered["signature_status"]) == (2, "registered", "invalid")
    assert registered["intake_note"] == "Đã gọi điện xác minh với Sở Y tế; chờ bản ký lại."
    assert registered["signatures"][0]["reason"] == TAMPERED
    [audited] = _actions(platform, "document_registered")
    assert (audited["document"], audited["signature_status"], audited["note"]) == (
        doc["id"], "invalid", registered["intake_note"])


def test_api_refusal_with_a_reason_and_a_valid_signature_registers_at_once(api: Api, platform: Platform,
                                                                           demo_pki: Path) -> None:
    doc = _draft_with(api, _broken(demo_pki))
    path = f"/api/v1/documents/{doc['id']}/refuse"
    assert api.post("btl_clerk", path, {"reason": "  "}).status_code == 422
    r = api.post("btl_clerk", path, {"reason": "Chữ ký số bị hỏng; đề nghị Sở gửi lại."})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["status"], r.get_json()["number"]) == ("refused", None)
    assert api.post("btl_clerk", f"/api/v1/documents/{doc['id']}/register", {"note": "x"}).status_code == 409
    assert [p["reason"] for p in _actions(platform, "document_refused")] == ["Chữ ký số bị hỏng; đề nghị Sở gửi lại."]
    good = _draft_with(api, _signed(demo_pki), {**INCOMING, "number_symbol": "43/SYT-VP"})
    r = api.post("btl_clerk", f"/api/v1/documents/{good['id']}/register", {})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["document"]["number"], r.get_json()["document"]["signature_status"]) == (1, "valid")
    # The same file again is a duplicate, whatever its metadata say.
    again = _draft_with(api, _signed(demo_pki), {**INCOMING, "number_symbol": "99/XYZ"})
    r = api.post("btl_clerk", f"/api/v1/documents/{again['id']}/register", {})
    assert r.status_code == 409 and r.get_json()["duplicates"][0]["arrival_number"] == 1


def _csrf(client: FlaskClient, path: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert token is not None
    return token[1]


def _desk_entry(client: FlaskClient, form: dict[str, Any]) -> tuple[str, str]:
    """Post the desk's "Vào sổ văn bản đến": it starts Bắc Từ Liêm's incoming procedure and
    sends the clerk to its first step; the task's page and the document's page."""
    token = _csrf(client, "/documents/incoming/new")
    r = client.post("/documents/incoming/new", data={**INCOMING, "channel": "electronic", "urgency": "thuong",
                                                     "secrecy": "thuong", "csrf_token": token, **form},
                    content_type="multipart/form-data")
    assert r.status_code == 302, r.get_data(as_text=True)
    task_path = r.headers["Location"]
    assert task_path.startswith("/tasks/")
    document = re.search(r'"(/documents/\d+)/', client.get(task_path).get_data(as_text=True))
    assert document is not None
    return task_path, document[1]


def _register_step(client: FlaskClient, task_path: str, given: dict[str, str]) -> Any:
    return client.post(task_path, data={"decision": "register", "leader": "director",
                                        "csrf_token": _csrf(client, task_path), **given})


def test_desk_page_verifies_before_numbering(platform: Platform, demo_pki: Path) -> None:
    client = create_app(platform).test_client()
    _login(client, "btl_clerk")
    task_path, page_path = _desk_entry(client, {"file": (io.BytesIO(_broken(demo_pki)), "cv-41.pdf")})
    page = client.get(page_path).get_data(as_text=True)
    assert "Chữ ký số không hợp lệ" in page and TAMPERED in page
    assert 'data-status="invalid"' in page and 'title="Chữ ký số không hợp lệ"' in page
    assert "Chưa cấp số" in page and 'data-testid="intake"' in page
    r = _register_step(client, task_path, {})  # no note: nothing numbered
    assert r.status_code == 409 and 'data-error-for="note">Bắt buộc khi chữ ký số không hợp lệ.' in r.get_data(
        as_text=True)
    assert "Số đến" not in client.get(page_path).get_data(as_text=True)
    assert _register_step(client, task_path, {"note": "Bản giấy đã đối chiếu, khớp."}).status_code == 302
    page = client.get(page_path).get_data(as_text=True)
    assert "Số đến 1" in page and "Bản giấy đã đối chiếu, khớp." in page and 'data-testid="intake"' not in page
    # The lists show the result as an icon with its meaning as tooltip.
    icon = 'data-status="invalid">✖</span>'
    for listing in ("/registers/incoming?year=2026", "/search?q=phong+chay"):
        html = client.get(listing).get_data(as_text=True)
        assert 'title="Chữ ký số không hợp lệ"' in html and icon in html, listing


def test_procedure_step_verifies_before_numbering(api: Api, platform: Platform, demo_pki: Path) -> None:
    r = api.post("vn_clerk", "/api/v1/cases", {"process": "vn_five_step", "data": {
        "channel": "electronic", "doc_type": "CV", "subject": "Về việc lập kế hoạch đầu tư công năm 2027",
        "number_symbol": "88/UBND-KT", "issuer_name": "UBND tỉnh Khánh Hòa", "document_date": "2026-02-25"}})
    case = r.get_json()
    assert api.upload("vn_clerk", case["document"]["id"], _broken(demo_pki)).status_code == 201
    # Checked after the upload's transaction: the step finds the result made, shown already.
    uploaded = api.get("vn_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()
    assert (uploaded["signature_status"], uploaded["signatures"][0]["reason"]) == ("invalid", TAMPERED)
    task = only_task(case)
    r = api.complete("vn_clerk", task["id"], {"decision": "register"})
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["needs"] == ["note"] and r.get_json()["signature_status"] == "invalid"
    assert api.get("vn_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()["number"] is None
    clerk = create_app(platform).test_client()  # the task's page says it beside the note, nothing lost
    _login(clerk, "vn_clerk")
    r = clerk.post(f"/tasks/{task['id']}", data={"decision": "register", "arrival_date": "2026-03-02",
                                                 "csrf_token": _csrf(clerk, f"/tasks/{task['id']}")})
    assert r.status_code == 409
    assert 'data-error-for="note">Bắt buộc khi chữ ký số không hợp lệ.' in r.get_data(as_text=True)
    assert 'value="2026-03-02"' in r.get_data(as_text=True)
    case = complete(api, "vn_clerk", task, {"decision": "register", "note": "Đã xác minh qua điện thoại."})
    doc = case["document"]
    assert (doc["number"], doc["signature_status"], doc["intake_note"]) == (1, "invalid", "Đã xác minh qua điện thoại.")
    assert 'href="/documents/{}#intake"'.format(doc["id"]) in r.get_data(as_text=True)  # where to refuse it
    leader = create_app(platform).test_client()
    _login(leader, "vn_chairman")
    inbox = leader.get("/inbox").get_data(as_text=True)  # the leader's next task shows the result too
    assert 'data-status="invalid"' in inbox and 'title="Chữ ký số không hợp lệ"' in inbox


def test_desk_page_warns_of_a_duplicate_before_numbering(api: Api, platform: Platform) -> None:
    earlier = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": INCOMING}).get_json()
    client = create_app(platform).test_client()
    _login(client, "btl_clerk")
    task_path, page_path = _desk_entry(client, {})
    r = _register_step(client, task_path, {})
    assert r.status_code == 409  # said before any number is taken
    assert 'data-error-for="confirm_duplicates">Có thể trùng văn bản số đến 1 ngày 02/03/2026.' in r.get_data(
        as_text=True)
    page = client.get(page_path).get_data(as_text=True)
    assert 'data-testid="earlier-entries"' in page and f'href="/documents/{earlier["document"]["id"]}"' in page
    assert "Số đến 1/2026" in page and "· Số đến" not in page  # the earlier entry's number; none for this one
    assert _register_step(client, task_path, {"confirm_duplicates": "on"}).status_code == 302
    assert "· Số đến 2" in client.get(page_path).get_data(as_text=True)


def test_desk_page_refusal_is_kept_with_its_reason(platform: Platform, demo_pki: Path) -> None:
    client = create_app(platform).test_client()
    _login(client, "btl_clerk")
    _task, page_path = _desk_entry(client, {"file": (io.BytesIO(_broken(demo_pki)), "cv-41.pdf")})
    token = _csrf(client, page_path)
    assert client.post(f"{page_path}/refuse", data={"csrf_token": token, "reason": ""}).status_code == 422
    r = client.post(f"{page_path}/refuse", data={"csrf_token": token, "reason": "Chữ ký số bị hỏng, đề nghị gửi lại."})
    assert r.status_code == 302
    page = client.get(page_path).get_data(as_text=True)
    assert "Đã từ chối tiếp nhận" in page and "Chữ ký số bị hỏng, đề nghị gửi lại." in page
    assert 'data-testid="intake"' not in page and "· Số đến" not in page
    assert [p["reason"] for p in _actions(platform, "document_refused")] == ["Chữ ký số bị hỏng, đề nghị gửi lại."]


def test_refusal_ends_the_procedure_waiting_to_register(api: Api, platform: Platform, demo_pki: Path) -> None:
    r = api.post("vn_clerk", "/api/v1/cases", {"process": "vn_five_step", "data": {
        "channel": "electronic", "doc_type": "CV", "subject": "Về việc lập kế hoạch đầu tư công năm 2027",
        "number_symbol": "88/UBND-KT", "issuer_name": "UBND tỉnh Khánh Hòa", "document_date": "2026-02-25"}})
    case = r.get_json()
    document_id = case["document"]["id"]
    assert api.upload("vn_clerk", document_id, _broken(demo_pki)).status_code == 201
    clerk = create_app(platform).test_client()
    _login(clerk, "vn_clerk")
    page_path = f"/documents/{document_id}"
    page = clerk.get(page_path).get_data(as_text=True)
    assert 'data-testid="intake"' in page and "từ chối tiếp nhận sẽ kết thúc quy trình" in page
    r = clerk.post(f"{page_path}/refuse", data={"csrf_token": _csrf(clerk, page_path),
                                                "reason": "Chữ ký số không hợp lệ, đề nghị UBND tỉnh gửi lại."})
    assert r.status_code == 302
    case = api.get("vn_clerk", f"/api/v1/cases/{case['id']}").get_json()
    assert (case["status"], case["open_tasks"], case["document"]["status"], case["document"]["number"]) == (
        "completed", [], "refused", None)
    assert api.get("vn_clerk", "/api/v1/tasks").get_json()["items"] == []
    [ended] = _actions(platform, "case_refused")
    assert ended["reason"] == "Chữ ký số không hợp lệ, đề nghị UBND tỉnh gửi lại."
    case_page = clerk.get(f"/cases/{case['id']}").get_data(as_text=True)
    assert "Đã kết thúc" in case_page and "Từ chối tiếp nhận" in case_page  # in its history
    # The api fixture replays the case from its log: it ends at the same entry.


def test_procedure_step_warns_of_a_duplicate_before_numbering(api: Api) -> None:
    data = {"channel": "electronic", "doc_type": "CV", "subject": "Về việc lập kế hoạch đầu tư công năm 2027",
            "number_symbol": "88/UBND-KT", "issuer_name": "UBND tỉnh Khánh Hòa", "document_date": "2026-02-25"}
    first = api.post("vn_clerk", "/api/v1/cases", {"process": "vn_five_step", "data": data}).get_json()
    first = complete(api, "vn_clerk", only_task(first), {"decision": "register"})
    second = api.post("vn_clerk", "/api/v1/cases", {"process": "vn_five_step", "data": data}).get_json()
    task = only_task(second)
    r = api.complete("vn_clerk", task["id"], {"decision": "register"})
    assert r.status_code == 409, r.get_json()
    assert r.get_json()["fields"] == {"confirm_duplicates": "Có thể trùng văn bản số đến 1 ngày 02/03/2026."}
    assert [d["id"] for d in r.get_json()["duplicates"]] == [first["document"]["id"]]
    second = complete(api, "vn_clerk", task, {"decision": "register", "confirm_duplicates": True})
    assert second["document"]["number"] == 2

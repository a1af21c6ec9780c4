"""After numbering: a voided register entry keeps its number and is printed "ĐÃ HỦY" with its
reason on the register page and in the register PDF; an issued document is recalled,
corrected or replaced from its page and through the API, and its recipients (the people of
an internal recipient unit, the clerk of another agency of the installation that received it)
are notified and see their copy marked; the reports count each."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.platform import Platform
from engine.documents import documents
from engine.models import Agency, AuditEntry, Document, User
from tests.conftest import Api
from tests.flows import attach_pdf, complete, only_task, start
from tests.test_register_pdf import _text
from tests.test_ui_inbox import _login
from webui import create_app

INCOMING = {"doc_type": "CV", "subject": "Về việc báo cáo tình hình tiêm chủng tháng 02 năm 2026",
            "number_symbol": "77/SYT-NVY", "issuer_name": "Sở Y tế Hà Nội", "document_date": "2026-02-26"}
TO_UNIT = [{"name": "Phòng Kế hoạch – Nghiệp vụ", "unit": "KHNV", "delivery": "electronic"}]


def _client(platform: Platform, username: str) -> FlaskClient:
    client = create_app(platform).test_client()
    _login(client, username)
    return client


def _csrf(client: FlaskClient, path: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).get_data(as_text=True))
    assert token is not None
    return token[1]


def _audited(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.db.read() as s:
        entries = s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))
        return [json.loads(e.payload) for e in entries]


def test_void_keeps_the_number_and_prints_in_the_register_page_and_pdf(api: Api, platform: Platform,
                                                                        tmp_path: Path) -> None:
    first = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": INCOMING}).get_json()
    second = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {
        **INCOMING, "number_symbol": "78/SYT-NVY"}}).get_json()
    path = f"/api/v1/documents/{first['document']['id']}/void"
    assert api.post("btl_spec_khnv", path, {"reason": "Vào nhầm"}).status_code == 403
    assert api.post("btl_clerk", path, {"reason": " "}).status_code == 422
    r = api.post("btl_clerk", path, {"reason": "Vào sổ nhầm, văn bản gửi cho UBND quận"})
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["number"], r.get_json()["void_reason"]) == (1, "Vào sổ nhầm, văn bản gửi cho UBND quận")
    assert api.post("btl_clerk", path, {"reason": "lần nữa"}).status_code == 409
    # Through the page, by the clerk, on the second entry.
    clerk = _client(platform, "btl_clerk")
    page = f"/documents/{second['document']['id']}"
    r = clerk.post(f"{page}/void", data={"csrf_token": _csrf(clerk, page), "reason": "Trùng với số đến 1"})
    assert r.status_code == 302
    third = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {
        **INCOMING, "number_symbol": "79/SYT-NVY"}}).get_json()
    assert third["document"]["number"] == 3  # the voided numbers stay used
    html = clerk.get("/registers/incoming?year=2026").get_data(as_text=True)
    assert html.count("data-void") == 2
    assert "ĐÃ HỦY: Vào sổ nhầm, văn bản gửi cho UBND quận" in html and "ĐÃ HỦY: Trùng với số đến 1" in html
    printed = clerk.get("/registers/incoming/print.pdf?year=2026&agency=btl")
    assert printed.status_code == 200
    pdf = tmp_path / "register.pdf"
    pdf.write_bytes(printed.data)
    text = _text(pdf)  # each cell's lines together
    assert "ĐÃ HỦY: Vào sổ nhầm, văn bản gửi cho UBND quận" in text and "ĐÃ HỦY: Trùng với số đến 1" in text
    assert [(p["number"], p["reason"]) for p in _audited(platform, "entry_voided")] == [
        (1, "Vào sổ nhầm, văn bản gửi cho UBND quận"), (2, "Trùng với số đến 1")]
    report = api.get("btl_clerk", "/api/v1/reports/summary?from=2026-01-01&to=2026-03-31").get_json()
    assert (report["totals"]["incoming"], report["totals"]["voided"]) == (3, 2)


def _issue(api: Api, case: dict[str, Any], drafter: str, head: str) -> dict[str, Any]:
    """Walk a Bắc Từ Liêm outgoing case from its draft to its issue, to one internal unit."""
    attach_pdf(api, drafter, case)
    doc = case["document"]
    case = complete(api, drafter, only_task(case), {"subject": doc["subject"], "doc_type": doc["doc_type"]})
    case = complete(api, head, only_task(case), {"decision": "approve", "route": "director"})
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    case = complete(api, "btl_clerk", only_task(case), {"decision": "issue", "recipients": TO_UNIT})
    assert case["status"] == "completed"
    return case


def _issued_and_received(api: Api, platform: Platform) -> tuple[dict[str, Any], int]:
    """An issued document, sent to the KHNV unit and received by Vạn Ninh's district office
    (documents.receive, as the liên thông message does); returns it and the received copy's id."""
    doc = _issue(api, start(api), "btl_spec_khnv", "btl_head_khnv")["document"]
    with platform.db.write() as s:
        source = s.get(Document, doc["id"])
        vanninh = s.scalar(select(Agency.id).where(Agency.code == "vanninh"))
        clerk = s.scalar(select(User).where(User.username == "vn_clerk"))
        assert source is not None and vanninh is not None and clerk is not None
        received = documents.receive(s, source, vanninh, clerk, platform.clock.now())
        copy_id = received.id
    return doc, copy_id


def _notices(api: Api, username: str) -> list[tuple[str, int | None]]:
    items = api.get(username, "/api/v1/notifications").get_json()["items"]
    return [(n["title"], n["document_id"]) for n in items]


def test_recall_from_the_page_reaches_the_recipients(api: Api, platform: Platform) -> None:
    doc, copy_id = _issued_and_received(api, platform)
    page = f"/documents/{doc['id']}"
    director = _client(platform, "btl_director")
    assert 'data-testid="lifecycle"' in director.get(page).get_data(as_text=True)
    r = director.post(f"{page}/recall", data={"csrf_token": _csrf(director, page), "reason": "Sai số liệu mục 2"})
    assert r.status_code == 302
    assert api.get("btl_director", f"/api/v1/documents/{doc['id']}").get_json()["status"] == "recalled"
    assert api.get("vn_clerk", f"/api/v1/documents/{copy_id}").get_json()["status"] == "recalled"
    title = f"Văn bản bị thu hồi: {doc['number_symbol']} {doc['subject']}"
    assert (title, doc["id"]) in _notices(api, "btl_spec_khnv")  # a person of the recipient unit
    assert (title, copy_id) in _notices(api, "vn_clerk")  # the receiving agency's clerk, on its copy
    assert [p["reason"] for p in _audited(platform, "document_recalled")] == ["Sai số liệu mục 2"]
    assert director.post(f"{page}/recall", data={"csrf_token": _csrf(director, page), "reason": "x"}).status_code == 409


def test_replace_through_the_api_and_correct_through_the_page(api: Api, platform: Platform) -> None:
    old, copy_id = _issued_and_received(api, platform)
    path = f"/api/v1/documents/{old['id']}/successor"
    assert api.post("btl_spec_khnv", path, {"kind": "replace", "reason": "x"}).status_code == 403
    assert api.post("btl_clerk", path, {"kind": "replace", "reason": ""}).status_code == 422
    assert api.post("btl_clerk", path, {"kind": "undo", "reason": "x"}).status_code == 422
    r = api.post("btl_clerk", path, {"kind": "replace", "reason": "Bổ sung đối tượng tiêm chủng"})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    new = api.get("btl_clerk", f"/api/v1/documents/{case['document']['id']}").get_json()
    assert new["subject"].startswith(f"Thay thế văn bản số {old['number_symbol']}")
    assert [(link["kind"], link["document_id"]) for link in new["links"]] == [("replaces", old["id"])]
    assert api.post("btl_clerk", path, {"kind": "correct", "reason": "y"}).status_code == 409  # one at a time
    # Until the new one is issued the old one stands.
    assert api.get("btl_clerk", f"/api/v1/documents/{old['id']}").get_json()["status"] == "issued"
    issued = _issue(api, case, "btl_spec_khnv", "btl_head_khnv")["document"]
    assert api.get("btl_clerk", f"/api/v1/documents/{old['id']}").get_json()["status"] == "replaced"
    assert api.get("vn_clerk", f"/api/v1/documents/{copy_id}").get_json()["status"] == "replaced"
    title = f"Văn bản bị thay thế: {old['number_symbol']} {old['subject']}"
    assert (title, old["id"]) in _notices(api, "btl_spec_khnv")
    assert (title, copy_id) in _notices(api, "vn_clerk")
    assert api.upload("btl_clerk", old["id"], b"%PDF-1.4 x").status_code == 409  # frozen

    # Đính chính of the new one, from its page.
    clerk = _client(platform, "btl_clerk")
    page = f"/documents/{issued['id']}"
    r = clerk.post(f"{page}/successor", data={"csrf_token": _csrf(clerk, page), "kind": "correct",
                                             "reason": "Sai ngày hiệu lực"})
    assert r.status_code == 302 and r.headers["Location"].startswith("/cases/")
    case = api.get("btl_spec_khnv", f"/api/v1/cases/{r.headers['Location'].rsplit('/', 1)[1]}").get_json()
    _issue(api, case, "btl_spec_khnv", "btl_head_khnv")
    assert api.get("btl_clerk", f"/api/v1/documents/{issued['id']}").get_json()["status"] == "corrected"
    assert (f"Văn bản được đính chính: {issued['number_symbol']} {issued['subject']}", issued["id"]) in _notices(
        api, "btl_spec_khnv")
    assert [(p["document"], p["status"]) for p in _audited(platform, "document_superseded")] == [
        (old["id"], "replaced"), (issued["id"], "corrected")]
    assert [p["reason"] for p in _audited(platform, "document_replace_started")] == ["Bổ sung đối tượng tiêm chủng"]
    assert [p["reason"] for p in _audited(platform, "document_correct_started")] == ["Sai ngày hiệu lực"]
    totals = api.get("btl_clerk", "/api/v1/reports/summary?from=2026-01-01&to=2026-03-31").get_json()["totals"]
    assert (totals["outgoing"], totals["replaced"], totals["corrected"], totals["recalled"]) == (3, 1, 1, 0)


def test_recall_and_correction_through_the_api_replacement_through_the_page(api: Api, platform: Platform) -> None:
    recalled, recalled_copy = _issued_and_received(api, platform)
    r = api.post("btl_clerk", f"/api/v1/documents/{recalled['id']}/recall", {"reason": "Ban hành nhầm đối tượng"})
    assert r.status_code == 200, r.get_json()
    assert api.get("vn_clerk", f"/api/v1/documents/{recalled_copy}").get_json()["status"] == "recalled"
    assert (f"Văn bản bị thu hồi: {recalled['number_symbol']} {recalled['subject']}", recalled_copy) in _notices(
        api, "vn_clerk")

    corrected = _issue(api, start(api), "btl_spec_khnv", "btl_head_khnv")["document"]
    r = api.post("btl_director", f"/api/v1/documents/{corrected['id']}/successor",
                 {"kind": "correct", "reason": "Sai tên đơn vị ở điều 2"})
    assert r.status_code == 201, r.get_json()
    assert r.get_json()["initiator"] == "btl_spec_khnv"  # the drafter of the corrected document drafts
    _issue(api, r.get_json(), "btl_spec_khnv", "btl_head_khnv")
    assert api.get("btl_clerk", f"/api/v1/documents/{corrected['id']}").get_json()["status"] == "corrected"
    assert (f"Văn bản được đính chính: {corrected['number_symbol']} {corrected['subject']}",
            corrected["id"]) in _notices(api, "btl_head_khnv")

    replaced = _issue(api, start(api), "btl_spec_khnv", "btl_head_khnv")["document"]
    clerk = _client(platform, "btl_clerk")
    page = f"/documents/{replaced['id']}"
    r = clerk.post(f"{page}/successor", data={"csrf_token": _csrf(clerk, page), "kind": "replace",
                                             "reason": "Thay đổi toàn bộ kế hoạch"})
    assert r.status_code == 302 and clerk.get(r.headers["Location"]).status_code == 200  # the new case's page
    case = api.get("btl_spec_khnv", f"/api/v1/cases/{r.headers['Location'].rsplit('/', 1)[1]}").get_json()
    _issue(api, case, "btl_spec_khnv", "btl_head_khnv")
    assert api.get("btl_clerk", f"/api/v1/documents/{replaced['id']}").get_json()["status"] == "replaced"
    assert (f"Văn bản bị thay thế: {replaced['number_symbol']} {replaced['subject']}", replaced["id"]) in _notices(
        api, "btl_spec_khnv")

"""Đồng Nai Department of Industry and Trade (PROCEDURES.md §4): an outgoing draft circulates
through the heads of the units its creator chose, in order, before the Director signs;
financial documents always pass the Planning-Finance unit (KHTCTH)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cryptography import x509

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from signing.keystore import softhsm
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.conftest import TOKEN_PIN, Api
from tests.flows import assignees, attach_pdf, complete, only_task
from tests.signing_support import agent_call, pdf_text, running_agent
from tests.test_ui_inbox import _login
from webui import create_app

START = {"subject": "Biên bản bàn giao xe ô tô phục vụ công tác chung", "doc_type": "BB"}
DRAFT = {**START, "financial": False, "route": ["VPS", "TTKC", "KHTCTH", "KTQLNL"], "presenter": "dn_cvp",
         "signer": "dn_director"}
CONTRACT = {"subject": "Hợp đồng tư vấn lập đề án phát triển cụm công nghiệp", "doc_type": "HĐ", "financial": True,
            "route": ["TTKC", "KTQLNL"], "presenter": "dn_head_ttkc", "signer": "dn_director"}
RECIPIENTS = [{"name": "Sở Tài chính tỉnh Đồng Nai", "delivery": "electronic"},
              {"name": "Phòng KTQLNL", "unit": "KTQLNL", "delivery": "electronic"}]
APPROVE = {"decision": "approve"}
ORIGIN = "https://qlvb.test"


def _start(api: Api, user: str, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post(user, "/api/v1/cases", {"process": "dongnai_outgoing", "data": data})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    attach_pdf(api, user, case)  # the draft the leader will sign
    return case


def _walk(api: Api, case: dict[str, Any], steps: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """Complete each step in turn, checking first that it is the only open task and who has it."""
    for name, user, data in steps:
        task = only_task(case)
        assert (task["task"], assignees(task)) == (name, [user]), (name, user)
        case = complete(api, user, task, data)
    return case


def _issue(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("clerk_issue", ["dn_clerk"])
    return complete(api, "dn_clerk", task, {"decision": "issue", "recipients": RECIPIENTS})


def test_draft_circulates_through_the_chosen_units_in_order_then_director_and_clerk(api: Api) -> None:
    case = _start(api, "dn_spec_vps", START)
    case = _walk(api, case, [
        ("draft", "dn_spec_vps", DRAFT),
        ("presenter_initial", "dn_cvp", APPROVE),  # the người trình initials for the drafter's own unit
        ("head_initial", "dn_head_ttkc", APPROVE),
        ("head_initial", "dn_head_khtcth", {"decision": "approve", "note": "Đã kiểm tra chi phí"}),
        ("head_initial", "dn_head_ktqlnl", APPROVE),
        ("director_sign", "dn_director", {"decision": "sign"}),
    ])
    assert [(i["unit"], i["decision"]) for i in case["data"]["initials"]] == [
        ("VPS", "approve"), ("TTKC", "approve"), ("KHTCTH", "approve"), ("KTQLNL", "approve")]
    assert case["data"]["initials"][2]["note"] == "Đã kiểm tra chi phí"
    case = _issue(api, case)
    doc = case["document"]
    assert case["status"] == "completed"
    assert (doc["status"], doc["number"], doc["number_symbol"]) == ("issued", 1, "01/BB-SCT")
    assert case["data"]["route"] == DRAFT["route"]  # not a financial document: the route as chosen


def test_a_head_returns_in_the_middle_and_the_resubmitted_draft_circulates_again(api: Api) -> None:
    draft = {**DRAFT, "route": ["VPS", "TTKC", "KTQLNL"]}
    case = _start(api, "dn_spec_vps", START)
    case = _walk(api, case, [
        ("draft", "dn_spec_vps", draft),
        ("presenter_initial", "dn_cvp", APPROVE),
        ("head_initial", "dn_head_ttkc", {"decision": "return", "note": "Bổ sung biên bản kiểm định xe"}),
    ])
    # The rest of the route is not asked; the creator gets the draft back with the note.
    assert case["data"]["initials"][-1] == {"unit": "TTKC", "decision": "return",
                                            "note": "Bổ sung biên bản kiểm định xe"}
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("draft", ["dn_spec_vps"])
    r = api.post("dn_head_ktqlnl", f"/api/v1/tasks/{task['id']}/complete", {"data": draft})
    assert r.status_code == 403
    # Resubmitted with a shorter route: the circulation starts again from the first unit.
    case = _walk(api, case, [
        ("draft", "dn_spec_vps", {**draft, "route": ["VPS", "TTKC"], "revision_note": "Đã bổ sung"}),
        ("presenter_initial", "dn_cvp", APPROVE),
        ("head_initial", "dn_head_ttkc", APPROVE),
        ("director_sign", "dn_director", {"decision": "return", "note": "Ghi rõ số km đã chạy"}),
        ("draft", "dn_spec_vps", {**draft, "route": ["VPS", "TTKC"]}),
        ("presenter_initial", "dn_cvp", APPROVE),
        ("head_initial", "dn_head_ttkc", APPROVE),
        ("director_sign", "dn_director", {"decision": "sign"}),
        ("clerk_issue", "dn_clerk", {"decision": "return", "note": "Sai thể thức phần nơi nhận"}),
    ])
    attach_pdf(api, "dn_spec_vps", case, replace=True)  # the corrected draft, to be signed anew
    case = _walk(api, case, [
        ("draft", "dn_spec_vps", {**draft, "route": ["VPS", "TTKC"]}),
        ("presenter_initial", "dn_cvp", APPROVE),
        ("head_initial", "dn_head_ttkc", APPROVE),
        ("director_sign", "dn_director", {"decision": "sign"}),
    ])
    assert [i["unit"] for i in case["data"]["initials"]] == ["VPS", "TTKC"]
    case = _issue(api, case)
    assert (case["status"], case["document"]["number_symbol"]) == ("completed", "01/BB-SCT")
    history = api.get("dn_spec_vps", f"/api/v1/cases/{case['id']}/history").get_json()["items"]
    returns = [(e["actor"]["username"], e["payload"]["data"]["note"]) for e in history
               if e["action"] == "task_completed" and e["payload"]["data"].get("decision") == "return"]
    assert returns == [("dn_head_ttkc", "Bổ sung biên bản kiểm định xe"), ("dn_director", "Ghi rõ số km đã chạy"),
                       ("dn_clerk", "Sai thể thức phần nơi nhận")]


def test_a_financial_document_passes_khtcth_before_the_director_even_when_left_out(api: Api) -> None:
    case = _start(api, "dn_spec_ttkc", {"subject": CONTRACT["subject"], "doc_type": "HĐ"})
    case = _walk(api, case, [
        ("draft", "dn_spec_ttkc", CONTRACT),
        ("presenter_initial", "dn_head_ttkc", APPROVE),
        ("head_initial", "dn_head_ktqlnl", APPROVE),
        ("head_initial", "dn_head_khtcth", {"decision": "approve", "note": "Hồ sơ tài chính đúng, đủ"}),
        ("director_sign", "dn_director", {"decision": "sign"}),
    ])
    assert case["data"]["route"] == ["TTKC", "KTQLNL", "KHTCTH"]
    case = _issue(api, case)
    assert (case["document"]["number_symbol"], case["document"]["status"]) == ("01/HĐ-SCT", "issued")


def test_a_financial_document_that_names_khtcth_passes_it_once_where_chosen(api: Api) -> None:
    data = {**CONTRACT, "route": ["TTKC", "KHTCTH", "KTQLNL"]}
    case = _start(api, "dn_spec_ttkc", {"subject": CONTRACT["subject"], "doc_type": "HĐ"})
    case = _walk(api, case, [
        ("draft", "dn_spec_ttkc", data),
        ("presenter_initial", "dn_head_ttkc", APPROVE),
        ("head_initial", "dn_head_khtcth", APPROVE),
        ("head_initial", "dn_head_ktqlnl", APPROVE),
    ])
    assert case["data"]["route"] == ["TTKC", "KHTCTH", "KTQLNL"]
    assert assignees(only_task(case)) == ["dn_director"]


def test_the_route_and_the_people_named_are_checked_with_a_message_per_field(api: Api) -> None:
    case = _start(api, "dn_spec_vps", START)
    task = only_task(case)
    refused = [
        ({"route": ["VPS", "P.XYZ"]}, {"route"}),
        ({"route": ["VPS", "TTKC", "TTKC"]}, {"route"}),
        ({"route": []}, {"route"}),
        ({"route": ["TTKC", "VPS"]}, {"route"}),  # must start where the người trình initials
        ({"presenter": "dn_spec_vps"}, {"presenter"}),  # not a leader
        ({"presenter": "dn_head_ttkc"}, {"presenter"}),  # a leader of another unit
        ({"signer": "dn_head_ttkc"}, {"signer"}),
        ({"signer": "qn_director"}, {"signer"}),  # another agency's Director
        ({"route": ["VPS", "KHO"], "presenter": "nobody", "signer": "dn_clerk"}, {"route", "presenter", "signer"}),
    ]
    for change, fields in refused:
        r = api.post("dn_spec_vps", f"/api/v1/tasks/{task['id']}/complete", {"data": {**DRAFT, **change}})
        assert r.status_code == 422, change
        assert set(r.get_json()["fields"]) == fields, (change, r.get_json())
    r = api.post("dn_spec_vps", f"/api/v1/tasks/{task['id']}/complete", {"data": {**DRAFT, "route": ["VPS", "VPS"]}})
    assert r.get_json()["fields"]["route"] == "Các mục không được trùng nhau."
    # Nothing moved: the draft is still the only open task, and a deputy director may sign.
    assert only_task(api.get("dn_spec_vps", f"/api/v1/cases/{case['id']}").get_json())["id"] == task["id"]
    case = complete(api, "dn_spec_vps", task, {**DRAFT, "route": ["VPS"], "signer": "dn_deputy"})
    case = complete(api, "dn_cvp", only_task(case), APPROVE)
    assert (only_task(case)["task"], assignees(only_task(case))) == ("director_sign", ["dn_deputy"])


def test_each_leader_of_the_chain_signs_the_draft_and_all_signatures_are_valid_at_issue(
    api: Api, demo_pki: Path
) -> None:
    """Seed 003: "trình Lãnh đạo VPS ký số → lãnh đạo TT.KCTVPTCN ký → …": each approval is a
    visible ký nháy signed with the leader's key; the Director signs last, the clerk seals."""
    case = _start(api, "dn_spec_vps", START)
    case = _walk(api, case, [("draft", "dn_spec_vps", {**DRAFT, "route": ["VPS", "TTKC", "KHTCTH"]})])
    task = only_task(case)
    refused = api.complete("dn_cvp", task["id"], APPROVE, password="sai mật khẩu")
    assert refused.status_code == 422 and "signing" in refused.get_json()["fields"]  # an approval is a signature
    case = _walk(api, case, [
        ("presenter_initial", "dn_cvp", APPROVE),
        ("head_initial", "dn_head_ttkc", APPROVE),
        ("head_initial", "dn_head_khtcth", APPROVE),
    ])
    assert [s["field"] for s in case["document"]["signatures"]] == ["KyNhay1", "KyNhay2", "KyNhay3"]
    case = _walk(api, case, [("director_sign", "dn_director", {"decision": "sign"})])
    case = _issue(api, case)
    doc = case["document"]
    assert (case["status"], doc["status"], doc["signature_status"]) == ("completed", "issued", "valid")
    pdf = _main_file(api, doc["id"])
    roots = [x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())]
    reports = verify_pdf(pdf, roots)
    assert [(r.field, r.signer, r.valid, r.trusted, r.intact) for r in reports] == [
        ("KyNhay1", "Lâm Văn Hiếu", True, True, True), ("KyNhay2", "Cao Minh Trí", True, True, True),
        ("KyNhay3", "Ninh Văn Phát", True, True, True), ("LanhDao", "Dương Quốc Bảo", True, True, True),
        ("CoQuan", "Sở Công Thương tỉnh Đồng Nai", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 5
    assert "VPS: Lâm Văn Hiếu" in pdf_text(pdf)  # the visible ký nháy


def test_a_returned_draft_loses_its_approval_signatures(api: Api) -> None:
    case = _start(api, "dn_spec_vps", START)
    case = _walk(api, case, [
        ("draft", "dn_spec_vps", DRAFT),
        ("presenter_initial", "dn_cvp", APPROVE),
        ("head_initial", "dn_head_ttkc", {"decision": "return", "note": "Bổ sung biên bản kiểm định xe"}),
    ])
    assert case["document"]["signatures"] in (None, [])
    versions = api.get("dn_spec_vps", f"/api/v1/documents/{case['document']['id']}/versions").get_json()["items"]
    assert [v["reason"] for v in versions] == ["upload", "approval_signature", "restored"]
    case = _walk(api, case, [("draft", "dn_spec_vps", {**DRAFT, "route": ["VPS"]}),
                             ("presenter_initial", "dn_cvp", APPROVE)])
    assert [s["field"] for s in case["document"]["signatures"]] == ["KyNhay1"]


def _main_file(api: Api, document_id: int) -> bytes:
    doc = api.get("dn_clerk", f"/api/v1/documents/{document_id}").get_json()
    main = next(f for f in doc["files"] if f["role"] == "main")
    return bytes(api.get("dn_clerk", f"/api/v1/documents/{document_id}/files/{main['id']}").data)


def test_a_head_signs_the_approval_from_the_task_page(api: Api, platform: Platform) -> None:
    """The task page asks for the signing password on a signed approval, as for ``sign``."""
    case = _start(api, "dn_spec_vps", START)
    case = _walk(api, case, [("draft", "dn_spec_vps", {**DRAFT, "route": ["VPS"]})])
    task = only_task(case)
    client = create_app(platform).test_client()
    _login(client, "dn_cvp")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert 'name="signing_password"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    r = client.post(f"/tasks/{task['id']}", data={"decision": "approve", "signing_password": DEMO_PASSWORD,
                                                   "csrf_token": token[1]})
    assert r.status_code == 302, r.get_data(as_text=True)
    case = api.get("dn_spec_vps", f"/api/v1/cases/{case['id']}").get_json()
    assert [s["field"] for s in case["document"]["signatures"]] == ["KyNhay1"]
    assert (only_task(case)["task"], assignees(only_task(case))) == ("director_sign", ["dn_director"])


def test_a_leader_signs_the_approval_with_a_usb_token_through_the_sign_agent(
    api: Api, demo_pki: Path, softhsm_tokens: dict[str, softhsm.Token], clock: FakeClock
) -> None:
    """The ký nháy with the leader's own USB token (split signing, as the Director's signature):
    the platform prepares the approval, the sign agent signs it on the token, the platform embeds
    it; the chain goes on and every signature is valid at issue."""
    case = _start(api, "dn_spec_vps", START)
    case = _walk(api, case, [("draft", "dn_spec_vps", {**DRAFT, "route": ["VPS", "TTKC"]})])
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("presenter_initial", ["dn_cvp"])
    with running_agent(softhsm_tokens["vps-dn"], ORIGIN, clock.now) as (port, pins):
        status, body = agent_call(port, ORIGIN, "GET", "/certificate")
        assert status == 200, body
        r = api.post("dn_cvp", f"/api/v1/tasks/{task['id']}/signing-request", {"certificate": body["certificate"]})
        assert r.status_code == 201, r.get_json()
        pins.append(TOKEN_PIN)
        status, signed = agent_call(port, ORIGIN, "POST", "/sign", r.get_json())
        assert status == 200, signed
    r = api.complete("dn_cvp", task["id"], APPROVE, request_id=signed["id"], signature=signed["signature"])
    assert r.status_code == 200, r.get_json()
    case = r.get_json()
    assert [s["field"] for s in case["document"]["signatures"]] == ["KyNhay1"]
    assert (only_task(case)["task"], assignees(only_task(case))) == ("head_initial", ["dn_head_ttkc"])
    case = _walk(api, case, [("head_initial", "dn_head_ttkc", APPROVE),
                             ("director_sign", "dn_director", {"decision": "sign"})])
    doc = _issue(api, case)["document"]
    assert (doc["status"], doc["signature_status"]) == ("issued", "valid")
    pdf = _main_file(api, doc["id"])
    roots = [x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())]
    assert [(r.field, r.signer, r.valid, r.trusted, r.intact) for r in verify_pdf(pdf, roots)] == [
        ("KyNhay1", "Lâm Văn Hiếu", True, True, True), ("KyNhay2", "Cao Minh Trí", True, True, True),
        ("LanhDao", "Dương Quốc Bảo", True, True, True), ("CoQuan", "Sở Công Thương tỉnh Đồng Nai", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 4
    assert "VPS: Lâm Văn Hiếu" in pdf_text(pdf)

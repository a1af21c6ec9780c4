"""Quảng Ngãi Department of Health, eOffice regulation (PROCEDURES.md §3): incoming documents
directed by the Director (or a Deputy by delegation), distributed by the Chief of Office or
answered on paper for outside units, handled in the units with returns, comment requests
and replies; outgoing documents appraised, form-checked, signed by the Director or, thừa
lệnh, by the Chief of Office, and issued by the clerk."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Delegation, User
from engine.workflow import bpmn_check
from tests.conftest import ROOT, Api
from tests.flows import assignees, attach_pdf, complete, only_task

INCOMING = {"doc_type": "CV", "subject": "Về việc tăng cường phòng, chống bệnh sốt xuất huyết năm 2026",
            "number_symbol": "215/UBND-KGVX", "issuer_name": "UBND tỉnh Quảng Ngãi", "document_date": "2026-02-26",
            "page_amount": 2}
DISTRIBUTE = {"decision": "distribute", "main_unit": "NVY", "main_deadline": "2026-03-13", "co_units": ["KHTC"],
              "co_deadline": "2026-03-10", "note": "Phòng NVY chủ trì, KHTC phối hợp bố trí kinh phí"}
START_OUT = {"subject": "Kế hoạch kiểm tra công tác phòng, chống dịch năm 2026", "doc_type": "KH"}
DRAFT_OUT = {**START_OUT, "urgency": "khan", "page_amount": 3,
             "recipients": [{"name": "Trung tâm Kiểm soát bệnh tật tỉnh", "delivery": "paper"},
                            {"name": "Phòng Kế hoạch – Tài chính", "unit": "KHTC", "delivery": "electronic"}]}
APPROVE = {"decision": "approve"}


def _start(api: Api, process: str, user: str, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post(user, "/api/v1/cases", {"process": process, "data": data})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    if case["document"]["direction"] == "outgoing":
        attach_pdf(api, user, case)  # the draft the leader will sign
    return case


def _walk(api: Api, case: dict[str, Any], steps: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    """Complete each step in turn, checking first that it is the only open task and who has it."""
    for name, user, data in steps:
        task = only_task(case)
        assert (task["task"], assignees(task)) == (name, [user]), (name, user, task)
        case = complete(api, user, task, data)
    return case


def _task(case: dict[str, Any], name: str, user: str) -> dict[str, Any]:
    found = [t for t in case["open_tasks"] if t["task"] == name and user in assignees(t)]
    assert len(found) == 1, (name, user, case["open_tasks"])
    return found[0]


def _open(case: dict[str, Any]) -> list[tuple[str, str]]:
    return sorted((t["task"], ",".join(assignees(t))) for t in case["open_tasks"])


def _delegate(platform: Platform, grantor: str, delegate: str, scope: str) -> None:
    today = platform.clock.now().date()
    with platform.db.write() as s:
        ids = {name: uid for name, uid in s.execute(select(User.username, User.id))}
        s.add(Delegation(grantor_id=ids[grantor], delegate_id=ids[delegate], starts_on=today - timedelta(days=1),
                         ends_on=today + timedelta(days=7), scope=scope, created_at=platform.clock.now()))


def _to_cvp(api: Api, platform: Platform | None = None) -> dict[str, Any]:
    """The clerk enters, scans and registers; the Director (or, with ``platform``, a Deputy
    the Director delegated to) gives the direction; returns the case at the CVP."""
    case = _start(api, "qn_incoming", "qn_clerk", INCOMING)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("scan_register", ["qn_clerk"])
    assert case["document"]["number"] is None
    r = api.post("qn_clerk", f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "register"}})
    assert r.status_code == 422 and "file" in r.get_json()["fields"]  # scan first, then the number
    attach_pdf(api, "qn_clerk", case)
    case = complete(api, "qn_clerk", task, {"decision": "register"})
    assert (case["document"]["number"], case["document"]["status"]) == (1, "registered")
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("director_opinion", ["qn_director"])
    opinion = {"decision": "approve", "note": "Giao Văn phòng phân công các phòng triển khai ngay"}
    if platform is None:
        case = complete(api, "qn_director", task, opinion)
    else:
        _delegate(platform, "qn_director", "qn_deputy1", "qn_incoming")
        assert [t["id"] for t in api.get("qn_deputy1", "/api/v1/tasks").get_json()["items"]] == [task["id"]]
        case = complete(api, "qn_deputy1", task, opinion)
        last = api.get("qn_deputy1", f"/api/v1/cases/{case['id']}/history").get_json()["items"][-1]
        assert (last["actor"]["username"], last["on_behalf_of"]["username"]) == ("qn_deputy1", "qn_director")
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("cvp_distribute", ["qn_cvp"])
    return case


def test_incoming_directed_by_a_delegated_deputy_then_handled_with_a_return_and_a_comment_request(
    api: Api, platform: Platform
) -> None:
    case = _to_cvp(api, platform)
    task = only_task(case)
    r = api.post("qn_cvp", f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "distribute"}})
    assert r.status_code == 422 and {"main_unit", "main_deadline"} <= set(r.get_json()["fields"])
    case = complete(api, "qn_cvp", task, DISTRIBUTE)
    assert _open(case) == [("unit_assign", "qn_head_khtc"), ("unit_assign", "qn_head_nvy")]

    # KHTC: the head handles it directly and finishes it (for information).
    case = complete(api, "qn_head_khtc", _task(case, "unit_assign", "qn_head_khtc"), {"decision": "handle"})
    case = complete(api, "qn_head_khtc", _task(case, "handle", "qn_head_khtc"),
                    {"decision": "finish", "note": "Đã nắm, bố trí kinh phí khi có kế hoạch"})
    # NVY: the specialist returns it (not their competence), the head passes it to the deputy head.
    case = complete(api, "qn_head_nvy", _task(case, "unit_assign", "qn_head_nvy"),
                    {"decision": "assign", "assignee": "qn_spec_nvy", "deadline": "2026-03-12"})
    r = api.post("qn_spec_nvy", f"/api/v1/tasks/{_task(case, 'handle', 'qn_spec_nvy')['id']}/complete",
                 {"data": {"decision": "return"}})
    assert r.status_code == 422 and "note" in r.get_json()["fields"]
    case = complete(api, "qn_spec_nvy", _task(case, "handle", "qn_spec_nvy"),
                    {"decision": "return", "note": "Nội dung thuộc lĩnh vực dược, đề nghị giao người khác"})
    assert _open(case) == [("unit_assign", "qn_head_nvy")]
    case = complete(api, "qn_head_nvy", only_task(case), {"decision": "assign", "assignee": "qn_deputy_nvy"})
    task = only_task(case)
    assert (task["task"], assignees(task), task["kind"]) == ("handle", ["qn_deputy_nvy"], None)

    # The deputy head adds an opinion and asks a colleague for comments (a green góp ý task).
    for bad in ({"decision": "comment", "note": "Đề nghị góp ý"}, {"decision": "comment", "commenter": "qn_spec2_nvy"},
                {"decision": "comment", "note": "Đề nghị góp ý", "commenter": "qn_deputy_nvy"},
                {"decision": "comment", "note": "Đề nghị góp ý", "commenter": "dn_spec_vps"}):
        r = api.post("qn_deputy_nvy", f"/api/v1/tasks/{task['id']}/complete", {"data": bad})
        assert r.status_code == 422, bad
    case = complete(api, "qn_deputy_nvy", task, {"decision": "comment", "commenter": "qn_spec2_nvy",
                                                 "note": "Dự kiến kiểm tra 5 huyện, đề nghị góp ý danh sách"})
    task = only_task(case)
    assert (task["task"], assignees(task), task["kind"]) == ("comment", ["qn_spec2_nvy"], "comment")
    inbox = api.get("qn_spec2_nvy", "/api/v1/tasks").get_json()["items"]
    assert [(t["id"], t["kind"]) for t in inbox] == [(task["id"], "comment")]
    assert api.get("qn_spec2_nvy", f"/api/v1/tasks/{task['id']}").get_json()["kind"] == "comment"
    case = complete(api, "qn_spec2_nvy", task, {"decision": "comment", "opinion": "Bổ sung huyện Sơn Hà"})
    task = only_task(case)
    assert (task["task"], assignees(task), task["kind"]) == ("handle", ["qn_deputy_nvy"], None)
    assert case["document"]["status"] == "registered"  # the main unit is not done yet
    case = complete(api, "qn_deputy_nvy", task, {"decision": "finish", "note": "Đã tổng hợp, lưu hồ sơ"})
    assert (case["status"], case["document"]["status"]) == ("completed", "finished")

    tree = api.get("qn_cvp", f"/api/v1/documents/{case['document']['id']}/tree").get_json()["items"]
    assert [(n["to_unit"], n["role"], n["status"], n["from"]) for n in tree] == [
        ("NVY", "main", "done", "qn_cvp"), ("KHTC", "co", "done", "qn_cvp")]
    nvy = tree[0]["children"]
    assert [(c["to_user"], c["status"], c["outcome"]) for c in nvy] == [
        ("qn_spec_nvy", "returned", "returned"), ("qn_deputy_nvy", "done", "finished")]
    assert [(c["from"], c["to_user"], c["role"], c["outcome"], c["outcome_note"]) for c in nvy[1]["children"]] == [
        ("qn_deputy_nvy", "qn_spec2_nvy", "co", "commented", "Bổ sung huyện Sơn Hà")]
    assert [(c["from"], c["to_user"], c["outcome"]) for c in tree[1]["children"]] == [
        ("qn_head_khtc", "qn_head_khtc", "finished")]


def test_a_reply_starts_a_linked_outgoing_draft_that_is_signed_and_issued(api: Api) -> None:
    case = complete(api, "qn_cvp", only_task(_to_cvp(api)), {**DISTRIBUTE, "co_units": []})
    case = complete(api, "qn_head_nvy", only_task(case), {"decision": "assign", "assignee": "qn_spec_nvy"})
    case = complete(api, "qn_spec_nvy", only_task(case), {"decision": "reply", "note": "Soạn công văn trả lời"})
    incoming_id = case["document"]["id"]
    assert (case["status"], case["document"]["status"]) == ("completed", "finished")
    reply_id = case["data"]["reply_document"]
    reply = api.get("qn_spec_nvy", f"/api/v1/documents/{reply_id}").get_json()
    assert (reply["direction"], reply["status"], reply["doc_type"]) == ("outgoing", "draft", "CV")
    assert reply["subject"].startswith("V/v trả lời văn bản số 215/UBND-KGVX")
    assert [(link["kind"], link["document_id"], link["direction"]) for link in reply["links"]] == [
        ("reply_to", incoming_id, "incoming")]
    incoming = api.get("qn_cvp", f"/api/v1/documents/{incoming_id}").get_json()
    assert [(link["kind"], link["document_id"]) for link in incoming["linked_from"]] == [("reply_to", reply_id)]

    out = api.get("qn_spec_nvy", f"/api/v1/cases/{case['data']['reply_case']}").get_json()
    assert (out["process"], out["initiator"], out["document"]["id"]) == ("qn_outgoing", "qn_spec_nvy", reply_id)
    draft = {**DRAFT_OUT, "subject": reply["subject"], "doc_type": "CV"}
    attach_pdf(api, "qn_spec_nvy", out)
    out = _walk(api, out, [
        ("draft", "qn_spec_nvy", draft),
        ("head_review", "qn_head_nvy", APPROVE),
        ("cvp_check", "qn_cvp", APPROVE),
        ("director_sign", "qn_director", {"decision": "sign"}),
    ])
    task = only_task(out)
    assert (task["task"], assignees(task)) == ("clerk_issue", ["qn_clerk"])
    out = complete(api, "qn_clerk", task, {"decision": "issue"})
    doc = out["document"]
    assert (out["status"], doc["status"], doc["number_symbol"]) == ("completed", "issued", "01/SYT-NVY")
    doc = api.get("qn_clerk", f"/api/v1/documents/{doc['id']}").get_json()
    assert [(link["kind"], link["document_id"]) for link in doc["links"]] == [("reply_to", incoming_id)]


def test_the_chief_of_office_orders_a_paper_document_for_outside_units(api: Api) -> None:
    case = _to_cvp(api)
    task = only_task(case)
    for bad, field in (({"decision": "paper", "note": "Gửi các bệnh viện tư nhân"}, "drafter"),
                       ({"decision": "paper", "drafter": "qn_spec_tccb"}, "note"),
                       ({"decision": "paper", "drafter": "laichau_spec_qlcn", "note": "Gửi"}, "drafter")):
        r = api.post("qn_cvp", f"/api/v1/tasks/{task['id']}/complete", {"data": bad})
        assert r.status_code == 422 and field in r.get_json()["fields"], bad
    case = complete(api, "qn_cvp", task, {"decision": "paper", "drafter": "qn_spec_tccb",
                                          "note": "Soạn văn bản giao các bệnh viện ngoài công lập thực hiện"})
    assert (case["status"], case["document"]["status"], case["open_tasks"]) == ("completed", "finished", [])
    tree = api.get("qn_cvp", f"/api/v1/documents/{case['document']['id']}/tree").get_json()["items"]
    assert [(n["from"], n["to_user"], n["outcome"]) for n in tree] == [("qn_cvp", "qn_spec_tccb", "forwarded")]
    out = api.get("qn_spec_tccb", f"/api/v1/cases/{case['data']['reply_case']}").get_json()
    task = only_task(out)
    assert (out["process"], task["task"], assignees(task)) == ("qn_outgoing", "draft", ["qn_spec_tccb"])
    assert out["document"]["subject"].startswith("V/v giao việc theo văn bản số 215/UBND-KGVX")
    draft = api.get("qn_spec_tccb", f"/api/v1/documents/{out['document']['id']}").get_json()
    assert [link["document_id"] for link in draft["links"]] == [case["document"]["id"]]


def test_a_task_kind_must_be_one_the_platform_knows() -> None:
    content = (ROOT / "processes" / "quang_ngai" / "qn_incoming.bpmn").read_bytes()
    assert b'name="taskKind" value="comment"' in content
    checked = bpmn_check.check(content.replace(b'name="taskKind" value="comment"', b'name="taskKind" value="green"'),
                                "qn_incoming.bpmn", ROOT / "forms", 2 * 1024 * 1024)
    assert [str(p) for p in checked.problems] == ["comment: loại công việc 'green' không hợp lệ (có: comment)"]


def test_a_secret_incoming_document_is_refused(api: Api) -> None:
    r = api.post("qn_clerk", "/api/v1/cases", {"process": "qn_incoming", "data": {**INCOMING, "secrecy": "mat"}})
    assert r.status_code == 422 and "secrecy" in r.get_json()["fields"]


def _to_director(api: Api, out: dict[str, Any]) -> dict[str, Any]:
    return _walk(api, out, [("draft", "qn_spec_nvy", DRAFT_OUT), ("head_review", "qn_head_nvy", APPROVE),
                            ("cvp_check", "qn_cvp", APPROVE)])


def test_outgoing_every_leader_and_the_clerk_return_to_the_creator_then_the_director_signs(
    api: Api, platform: Platform
) -> None:
    out = _start(api, "qn_outgoing", "qn_spec_nvy", START_OUT)
    task = only_task(out)
    assert (task["task"], assignees(task)) == ("draft", ["qn_spec_nvy"])
    r = api.post("qn_spec_nvy", f"/api/v1/tasks/{task['id']}/complete", {"data": START_OUT})
    assert r.status_code == 422 and set(r.get_json()["fields"]) == {"urgency", "page_amount", "recipients"}
    out = _walk(api, out, [
        ("draft", "qn_spec_nvy", DRAFT_OUT),
        ("head_review", "qn_head_nvy", {"decision": "return", "note": "Bổ sung căn cứ pháp lý"}),
        ("draft", "qn_spec_nvy", {**DRAFT_OUT, "revision_note": "Đã bổ sung căn cứ"}),
    ])
    # The head is away: the deputy head appraises on their behalf (ủy quyền).
    _delegate(platform, "qn_head_nvy", "qn_deputy_nvy", "qn_outgoing")
    task = only_task(out)
    assert (task["task"], assignees(task)) == ("head_review", ["qn_head_nvy"])
    out = complete(api, "qn_deputy_nvy", task, APPROVE)
    last = api.get("qn_spec_nvy", f"/api/v1/cases/{out['id']}/history").get_json()["items"][-1]
    assert (last["actor"]["username"], last["on_behalf_of"]["username"]) == ("qn_deputy_nvy", "qn_head_nvy")
    out = _walk(api, out, [
        ("cvp_check", "qn_cvp", {"decision": "return", "note": "Sai thể thức phần căn cứ"}),
        *_steps_to_director(),
        ("director_sign", "qn_director", {"decision": "return", "note": "Rút gọn danh sách đơn vị kiểm tra"}),
        *_steps_to_director(),
        ("director_sign", "qn_director", {"decision": "sign"}),
        ("clerk_issue", "qn_clerk", {"decision": "return", "note": "Thiếu nơi nhận lưu VT"}),
    ])
    attach_pdf(api, "qn_spec_nvy", out, replace=True)  # the corrected draft, signed anew
    out = _walk(api, out, [*_steps_to_director(), ("director_sign", "qn_director", {"decision": "sign"})])
    doc = out["document"]
    assert (doc["signer_authority"], doc["signer_position"], doc["signer_name"]) == (None, "Giám đốc", "Huỳnh Tấn Lộc")
    task = only_task(out)
    assert (task["task"], assignees(task)) == ("clerk_issue", ["qn_clerk"])
    r = api.complete("qn_clerk", task["id"], {"decision": "issue"}, password="x")
    assert r.status_code == 422 and "signing" in r.get_json()["fields"]  # no agency key: nothing issued
    out = complete(api, "qn_clerk", task, {"decision": "issue"})
    doc = out["document"]
    assert (out["status"], doc["status"], doc["number"], doc["number_symbol"]) == (
        "completed", "issued", 1, "01/KH-SYT")
    assert [(r["name"], r["delivery"]) for r in doc["recipients"]] == [
        ("Trung tâm Kiểm soát bệnh tật tỉnh", "paper"), ("Phòng Kế hoạch – Tài chính", "electronic")]


def _steps_to_director() -> list[tuple[str, str, dict[str, Any]]]:
    return [("draft", "qn_spec_nvy", DRAFT_OUT), ("head_review", "qn_head_nvy", APPROVE),
            ("cvp_check", "qn_cvp", APPROVE)]


def test_outgoing_the_director_agrees_and_the_chief_of_office_signs_thua_lenh(api: Api) -> None:
    out = _start(api, "qn_outgoing", "qn_spec_nvy", START_OUT)
    out = _walk(api, out, [
        *_steps_to_director(),
        ("director_sign", "qn_director", {"decision": "approve", "note": "Đồng ý, CVP ký TL."}),
        ("cvp_sign", "qn_cvp", {"decision": "return", "note": "Chỉnh lại theo ý kiến Giám đốc"}),
        *_steps_to_director(),
        ("director_sign", "qn_director", {"decision": "approve"}),
        ("cvp_sign", "qn_cvp", {"decision": "sign"}),
    ])
    doc = out["document"]
    assert (doc["signer_authority"], doc["signer_position"], doc["signer_name"]) == (
        "TL.", "Chánh Văn phòng", "Trương Văn Hòa")
    task = only_task(out)
    assert (task["task"], assignees(task)) == ("clerk_issue", ["qn_clerk"])
    out = complete(api, "qn_clerk", task, {"decision": "issue"})
    doc = out["document"]
    assert (out["status"], doc["status"], doc["number_symbol"], doc["signer_authority"]) == (
        "completed", "issued", "01/KH-SYT", "TL.")


@pytest.mark.parametrize("nvy_first", [True, False])
def test_units_handle_in_any_order_and_the_case_still_replays(api: Api, nvy_first: bool) -> None:
    """NVY's head hands it to the deputy head while KHTC's part is still open, in either order;
    the api fixture then replays the case from its audit log to the same state."""
    case = _to_cvp(api)
    case = complete(api, "qn_cvp", only_task(case), DISTRIBUTE)
    case = complete(api, "qn_head_nvy", _task(case, "unit_assign", "qn_head_nvy"),
                    {"decision": "assign", "assignee": "qn_deputy_nvy"})
    if nvy_first:
        case = complete(api, "qn_deputy_nvy", _task(case, "handle", "qn_deputy_nvy"), {"decision": "finish"})
    case = complete(api, "qn_head_khtc", _task(case, "unit_assign", "qn_head_khtc"), {"decision": "handle"})
    case = complete(api, "qn_head_khtc", _task(case, "handle", "qn_head_khtc"), {"decision": "finish"})
    if not nvy_first:
        case = complete(api, "qn_deputy_nvy", _task(case, "handle", "qn_deputy_nvy"), {"decision": "finish"})
    assert case["status"] == "completed"

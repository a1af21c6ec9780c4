"""Vạn Ninh (PROCEDURES.md §5): the 5-step flow of the district's agencies and of a
commune, and the 13-step liên thông between the District Office and a specialised
office, where one organisation's outgoing document becomes the other's incoming one
through a BPMN message between two cases."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.flows import assignees, attach_pdf, complete, only_task

PROVINCE_DOC = {"channel": "electronic", "doc_type": "CV", "subject": "Về việc lập kế hoạch đầu tư công năm 2027",
                "number_symbol": "88/UBND-KT", "issuer_name": "UBND tỉnh Khánh Hòa", "document_date": "2026-02-25"}


def _start(api: Api, user: str, process: str, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post(user, "/api/v1/cases", {"process": process, "data": data})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    return case


def _expect(case: dict[str, Any], task: str, user: str) -> dict[str, Any]:
    found = only_task(case)
    assert (found["task"], assignees(found)) == (task, [user]), case["open_tasks"]
    return found


@pytest.mark.parametrize(("clerk", "leader", "official", "symbol"), [
    ("vn_clerk", "vn_chairman", "vn_spec_vp", "01/UBND-VP"),
    ("xa_clerk", "xa_chairman", "xa_official", "01/UBND-VPX"),
    # A specialised office of the district (seed 004, procedure 1): the same frame.
    ("tckh_clerk", "tckh_head", "tckh_spec", "01/TCKH-CM"),
])
def test_five_steps_for_the_agency_and_for_a_commune(api: Api, clerk: str, leader: str, official: str,
                                                    symbol: str) -> None:
    case = _start(api, clerk, "vn_five_step", PROVINCE_DOC)
    case = complete(api, clerk, _expect(case, "register", clerk), {"decision": "register"})
    incoming = case["document"]
    assert incoming["number"] == 1
    case = complete(api, leader, _expect(case, "leader_assign", leader), {"assignee": official})
    draft = {"subject": "Báo cáo đăng ký kế hoạch đầu tư công năm 2027", "doc_type": "CV"}
    case = complete(api, official, _expect(case, "official_draft", official), draft)
    assert case["document"]["direction"] == "outgoing"
    attach_pdf(api, official, case)
    case = complete(api, leader, _expect(case, "leader_sign", leader), {"decision": "return", "note": "Bổ sung"})
    case = complete(api, official, _expect(case, "official_draft", official), draft)
    case = complete(api, leader, _expect(case, "leader_sign", leader), {"decision": "sign"})
    # Signed: it goes to the clerk, and the official follows it.
    following = api.get(official, "/api/v1/cases?view=following").get_json()
    assert [c["id"] for c in following["items"]] == [case["id"]]
    task = _expect(case, "clerk_issue", clerk)
    case = complete(api, clerk, task, {"decision": "return", "note": "Sai thể thức"})
    attach_pdf(api, official, case, replace=True)  # the corrected draft, to be signed anew
    case = complete(api, official, _expect(case, "official_draft", official), draft)
    case = complete(api, leader, _expect(case, "leader_sign", leader), {"decision": "sign"})
    case = complete(api, clerk, _expect(case, "clerk_issue", clerk),
                    {"decision": "issue", "recipients": [{"name": "UBND tỉnh Khánh Hòa", "delivery": "electronic"}]})
    assert case["status"] == "completed"
    assert case["document"]["number_symbol"] == symbol
    assert api.get(leader, f"/api/v1/documents/{incoming['id']}").get_json()["status"] == "finished"


def test_lien_thong_thirteen_steps_between_two_organisations(api: Api) -> None:
    district = _start(api, "vn_clerk", "vn_lienthong", PROVINCE_DOC)
    district = complete(api, "vn_clerk", _expect(district, "register", "vn_clerk"), {"decision": "register"})  # 1
    district = complete(api, "vn_office_chief", _expect(district, "office_review", "vn_office_chief"),
                        {"decision": "approve"})  # 2
    district = complete(api, "vn_chairman", _expect(district, "chair_assign", "vn_chairman"),
                        {"target_agency": "vanninh_tckh", "note": "Phòng TCKH tham mưu"})  # 3
    assert district["open_tasks"] == []  # waiting for the agency's Tờ trình

    inbox = api.get("tckh_head", "/api/v1/tasks").get_json()["items"]
    assert [t["task"] for t in inbox] == ["head_assign"]
    agency_case = api.get("tckh_head", f"/api/v1/cases/{inbox[0]['case_id']}").get_json()
    received = agency_case["document"]
    assert (received["direction"], received["issuer_name"], received["number_symbol"]) == (
        "incoming", "UBND tỉnh Khánh Hòa", "88/UBND-KT")
    agency_case = complete(api, "tckh_head", inbox[0], {"assignee": "tckh_spec"})  # 4
    to_trinh = {"subject": "Tờ trình về kế hoạch đầu tư công năm 2027", "doc_type": "TTr"}
    agency_case = complete(api, "tckh_spec", _expect(agency_case, "official_draft", "tckh_spec"), to_trinh)  # 5
    attach_pdf(api, "tckh_spec", agency_case)
    agency_case = complete(api, "tckh_head", _expect(agency_case, "head_approve", "tckh_head"),
                           {"decision": "return", "note": "Làm rõ nguồn vốn"})
    agency_case = complete(api, "tckh_spec", _expect(agency_case, "official_draft", "tckh_spec"), to_trinh)
    agency_case = complete(api, "tckh_head", _expect(agency_case, "head_approve", "tckh_head"),
                           {"decision": "sign"})  # 6
    task = _expect(agency_case, "clerk_issue", "tckh_clerk")
    agency_case = complete(api, "tckh_clerk", task, {"decision": "return", "note": "Sai thể thức"})
    attach_pdf(api, "tckh_spec", agency_case, replace=True)
    agency_case = complete(api, "tckh_spec", _expect(agency_case, "official_draft", "tckh_spec"), to_trinh)
    agency_case = complete(api, "tckh_head", _expect(agency_case, "head_approve", "tckh_head"), {"decision": "sign"})
    agency_case = complete(api, "tckh_clerk", _expect(agency_case, "clerk_issue", "tckh_clerk"), {
        "decision": "issue", "recipients": [{"name": "UBND huyện Vạn Ninh", "organ_id": "000.99.05.H34",
                                             "delivery": "electronic"}]})  # 7
    assert agency_case["status"] == "completed"
    sent = agency_case["document"]
    assert sent["number_symbol"] == "01/TTr-TCKH"

    district = api.get("vn_clerk", f"/api/v1/cases/{district['id']}").get_json()
    task = _expect(district, "office_register", "vn_clerk")
    arrived = district["document"]
    assert (arrived["direction"], arrived["status"], arrived["number_symbol"], arrived["issuer_name"]) == (
        "incoming", "draft", "01/TTr-TCKH", "Phòng Tài chính – Kế hoạch huyện Vạn Ninh")
    assert [f["sha256"] for f in arrived["files"]] == [f["sha256"] for f in sent["files"]]
    district = complete(api, "vn_clerk", task, {"decision": "register"})  # 8
    assert district["document"]["number"] == 2  # after the province's document
    # Verified as it is registered: the office's and its leader's signatures are valid.
    assert district["document"]["signature_status"] == "valid"
    district = complete(api, "vn_office_chief", _expect(district, "office_assign", "vn_office_chief"),
                        {"assignee": "vn_spec_vp"})  # 9
    decision = {"subject": "Quyết định giao kế hoạch đầu tư công năm 2027", "doc_type": "QĐ"}
    district = complete(api, "vn_spec_vp", _expect(district, "spec_check", "vn_spec_vp"), decision)  # 10
    attach_pdf(api, "vn_spec_vp", district)
    district = complete(api, "vn_office_chief", _expect(district, "office_submit", "vn_office_chief"),
                        {"decision": "return", "note": "Sửa căn cứ"})
    district = complete(api, "vn_spec_vp", _expect(district, "spec_check", "vn_spec_vp"), decision)
    district = complete(api, "vn_office_chief", _expect(district, "office_submit", "vn_office_chief"),
                        {"decision": "approve"})  # 11
    district = complete(api, "vn_chairman", _expect(district, "chair_sign", "vn_chairman"),
                        {"decision": "return", "note": "Xem lại"})
    district = complete(api, "vn_spec_vp", _expect(district, "spec_check", "vn_spec_vp"), decision)
    district = complete(api, "vn_office_chief", _expect(district, "office_submit", "vn_office_chief"),
                        {"decision": "approve"})
    following = api.get("vn_office_chief", "/api/v1/cases?view=following").get_json()
    assert district["id"] not in [c["id"] for c in following["items"]]
    district = complete(api, "vn_chairman", _expect(district, "chair_sign", "vn_chairman"), {"decision": "sign"})  # 12
    # Signed: to the Office clerk to issue, and the Office leader and specialist follow the case.
    for person in ("vn_office_chief", "vn_spec_vp"):
        following = api.get(person, "/api/v1/cases?view=following").get_json()
        assert district["id"] in [c["id"] for c in following["items"]], person
    district = complete(api, "vn_clerk", _expect(district, "clerk_issue", "vn_clerk"),
                        {"decision": "return", "note": "Sai thể thức"})
    attach_pdf(api, "vn_spec_vp", district, replace=True)
    district = complete(api, "vn_spec_vp", _expect(district, "spec_check", "vn_spec_vp"), decision)
    district = complete(api, "vn_office_chief", _expect(district, "office_submit", "vn_office_chief"),
                        {"decision": "approve"})
    district = complete(api, "vn_chairman", _expect(district, "chair_sign", "vn_chairman"), {"decision": "sign"})
    district = complete(api, "vn_clerk", _expect(district, "clerk_issue", "vn_clerk"), {
        "decision": "issue", "recipients": [{"name": "Phòng Tài chính – Kế hoạch", "delivery": "electronic"}]})  # 13
    assert district["status"] == "completed"
    assert district["document"]["number_symbol"] == "01/QĐ-UBND"

    # A recall of the agency's Tờ trình reaches the District's incoming entry made from it.
    r = api.post("tckh_head", f"/api/v1/documents/{sent['id']}/recall", {"reason": "Số liệu sai"})
    assert r.status_code == 200, r.get_json()
    assert api.get("vn_clerk", f"/api/v1/documents/{arrived['id']}").get_json()["status"] == "recalled"


def test_a_message_start_process_cannot_be_started_by_hand(api: Api) -> None:
    r = api.post("tckh_head", "/api/v1/cases", {"process": "vn_lienthong_agency", "data": {}})
    assert r.status_code == 422

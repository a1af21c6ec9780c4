"""Lai Châu Department of Industry and Trade (PROCEDURES.md §2): incoming on paper and
electronic, with the Director's direction and the work tree; outgoing in 4 steps with
the paper signature recorded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cryptography import x509

from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.conftest import Api
from tests.flows import assignees, attach_pdf, complete, only_task
from tests.pdfs import scanned_pdf
from tests.signing_support import pdf_text

INCOMING = {"channel": "paper", "doc_type": "CV", "subject": "Về việc kiểm tra an toàn hóa chất năm 2026",
            "number_symbol": "412/UBND-KT", "issuer_name": "UBND tỉnh Lai Châu", "document_date": "2026-02-26"}
DIRECTION = {"main_unit": "QLCN", "main_deadline": "2026-03-13", "co_units": ["QLTM"], "co_deadline": "2026-03-10",
             "note": "Phòng QLCN chủ trì, tham mưu báo cáo"}


def _start(api: Api, process: str, user: str, data: dict[str, Any]) -> dict[str, Any]:
    r = api.post(user, "/api/v1/cases", {"process": process, "data": data})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    return case


def _by_task(case: dict[str, Any]) -> dict[str, list[str]]:
    return {f"{t['task']}:{','.join(assignees(t))}": assignees(t) for t in case["open_tasks"]}


def _task(case: dict[str, Any], name: str, user: str) -> dict[str, Any]:
    found = [t for t in case["open_tasks"] if t["task"] == name and user in assignees(t)]
    assert len(found) == 1, (name, user, case["open_tasks"])
    return found[0]


def _units_handle(api: Api, case: dict[str, Any]) -> dict[str, Any]:
    """Each unit head assigns a specialist; QLCN's specialist first returns it (not my
    competence), the head reassigns, the second specialist finishes; QLTM finishes."""
    assert sorted(_by_task(case)) == ["unit_assign:laichau_head_qlcn", "unit_assign:laichau_head_qltm"]
    case = complete(api, "laichau_head_qlcn", _task(case, "unit_assign", "laichau_head_qlcn"),
                    {"assignee": "laichau_spec_qlcn", "deadline": "2026-03-12", "note": "Đề nghị xử lý"})
    case = complete(api, "laichau_head_qltm", _task(case, "unit_assign", "laichau_head_qltm"),
                    {"assignee": "laichau_spec_qltm"})
    assert sorted(_by_task(case)) == ["handle:laichau_spec_qlcn", "handle:laichau_spec_qltm"]
    case = complete(api, "laichau_spec_qlcn", _task(case, "handle", "laichau_spec_qlcn"),
                    {"decision": "return", "note": "Không thuộc lĩnh vực được phân công"})
    case = complete(api, "laichau_head_qlcn", _task(case, "unit_assign", "laichau_head_qlcn"),
                    {"assignee": "laichau_spec2_qlcn"})
    case = complete(api, "laichau_spec_qltm", _task(case, "handle", "laichau_spec_qltm"), {"decision": "finish"})
    assert case["document"]["status"] == "registered"  # the main unit is not done yet
    case = complete(api, "laichau_spec2_qlcn", _task(case, "handle", "laichau_spec2_qlcn"),
                    {"decision": "finish", "note": "Đã báo cáo"})
    return case


def _check_tree(api: Api, document_id: int) -> None:
    tree = api.get("laichau_director", f"/api/v1/documents/{document_id}/tree").get_json()["items"]
    assert [(n["to_unit"], n["role"], n["status"], n["from"]) for n in tree] == [
        ("QLCN", "main", "done", "laichau_director"), ("QLTM", "co", "done", "laichau_director")]
    qlcn = tree[0]["children"]
    assert [(c["to_user"], c["status"], c["outcome"]) for c in qlcn] == [
        ("laichau_spec_qlcn", "returned", "returned"), ("laichau_spec2_qlcn", "done", "finished")]
    assert qlcn[0]["outcome_note"] == "Không thuộc lĩnh vực được phân công"
    assert tree[0]["deadline"] == "2026-03-13" and qlcn[0]["deadline"] == "2026-03-12"


def test_incoming_on_paper_registered_directed_scanned_and_routed(api: Api) -> None:
    case = _start(api, "laichau_incoming", "laichau_clerk", INCOMING)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("register", ["laichau_clerk"])
    case = complete(api, "laichau_clerk", task, {"decision": "register"})
    assert case["document"]["number"] == 1 and case["document"]["status"] == "registered"
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("direct_paper", ["laichau_director"])
    case = complete(api, "laichau_director", task, DIRECTION)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("scan_route", ["laichau_clerk"])
    r = api.post("laichau_clerk", f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "route"}})
    assert r.status_code == 422  # not scanned yet
    attach_pdf(api, "laichau_clerk", case)
    case = complete(api, "laichau_clerk", task, {"decision": "route"})
    case = _units_handle(api, case)
    assert case["status"] == "completed"
    assert case["document"]["status"] == "finished"
    _check_tree(api, case["document"]["id"])


def test_incoming_electronic_directed_before_registration(api: Api) -> None:
    case = _start(api, "laichau_incoming", "laichau_clerk", {**INCOMING, "channel": "electronic"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("direct_electronic", ["laichau_director"])
    assert case["document"]["number"] is None  # not in the register before the direction
    case = complete(api, "laichau_director", task, DIRECTION)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("register_route", ["laichau_clerk"])
    case = complete(api, "laichau_clerk", task, {"decision": "register"})
    assert case["document"]["number"] == 1
    case = _units_handle(api, case)
    assert case["status"] == "completed"


def test_a_secret_incoming_document_never_enters_the_electronic_flow(api: Api) -> None:
    r = api.post("laichau_clerk", "/api/v1/cases", {"process": "laichau_incoming",
                                                     "data": {**INCOMING, "secrecy": "mat"}})
    assert r.status_code == 422
    assert "secrecy" in r.get_json()["fields"]


def test_outgoing_four_steps_with_returns_and_paper_signature(api: Api) -> None:
    draft = {"subject": "Báo cáo tình hình sản xuất công nghiệp tháng 2", "doc_type": "BC"}
    case = _start(api, "laichau_outgoing", "laichau_spec_qlcn", draft)
    case = complete(api, "laichau_spec_qlcn", only_task(case), draft)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("head_review", ["laichau_head_qlcn"])
    case = complete(api, "laichau_head_qlcn", task, {"decision": "return", "note": "Bổ sung số liệu"})
    assert only_task(case)["task"] == "draft"
    case = complete(api, "laichau_spec_qlcn", only_task(case), draft)
    case = complete(api, "laichau_head_qlcn", only_task(case), {"decision": "approve"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("cvp_check", ["laichau_cvp"])
    case = complete(api, "laichau_cvp", task, {"decision": "return", "note": "Sai thể thức"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("head_review", ["laichau_head_qlcn"])
    case = complete(api, "laichau_head_qlcn", task, {"decision": "approve"})
    case = complete(api, "laichau_cvp", only_task(case), {"decision": "approve"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("head_print", ["laichau_head_qlcn"])
    case = complete(api, "laichau_head_qlcn", task, {"decision": "approve"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("director_sign", ["laichau_director"])
    case = complete(api, "laichau_director", task, {"decision": "return", "note": "Xem lại kết luận"})
    assert only_task(case)["task"] == "head_review"
    for user, data in (("laichau_head_qlcn", {"decision": "approve"}), ("laichau_cvp", {"decision": "approve"}),
                       ("laichau_head_qlcn", {"decision": "approve"}), ("laichau_director", {"decision": "sign"})):
        case = complete(api, user, only_task(case), data)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("clerk_issue", ["laichau_clerk"])
    case = complete(api, "laichau_clerk", task, {"decision": "return", "note": "Thiếu nơi nhận"})
    assert only_task(case)["task"] == "head_review"
    for user, data in (("laichau_head_qlcn", {"decision": "approve"}), ("laichau_cvp", {"decision": "approve"}),
                       ("laichau_head_qlcn", {"decision": "approve"}), ("laichau_director", {"decision": "sign"})):
        case = complete(api, user, only_task(case), data)
    task = only_task(case)
    attach_pdf(api, "laichau_clerk", case)
    r = api.post("laichau_clerk", f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "issue"}})
    assert r.status_code == 422 and "recipients" in r.get_json()["fields"]
    recipients = [{"name": "UBND tỉnh Lai Châu", "organ_id": "000.00.00.H29", "delivery": "electronic"},
                  {"name": "Bộ Công Thương", "delivery": "paper"}, {"name": "Phòng QLTM", "unit": "QLTM",
                                                                     "delivery": "electronic"}]
    case = complete(api, "laichau_clerk", task, {"decision": "issue", "recipients": recipients})
    doc = case["document"]
    assert case["status"] == "completed"
    assert (doc["number_symbol"], doc["status"]) == ("01/BC-SCT", "issued")
    assert (doc["signature_mode"], doc["signature_status"]) == ("paper", "valid")  # the scan, converted
    assert [(r["name"], r["delivery"]) for r in doc["recipients"]] == [
        ("UBND tỉnh Lai Châu", "electronic"), ("Bộ Công Thương", "paper"), ("Phòng QLTM", "electronic")]


def test_step_4_the_clerk_numbers_the_scan_of_the_wet_signed_paper_and_signs_it_with_the_conversion_mark(
    api: Api, demo_pki: Path
) -> None:
    """Step 4 ("văn thư … vào sổ văn bản, ký số và phát hành"): the scan of the paper the Director
    signed by hand is the document of record, numbered and dated, with the agency's signature
    whose appearance is the conversion mark (Luật GDĐT 2023 Đ12); the register names the signer."""
    draft = {"subject": "Báo cáo tình hình sản xuất công nghiệp tháng 3", "doc_type": "BC"}
    case = _start(api, "laichau_outgoing", "laichau_spec_qlcn", draft)
    for user, data in (("laichau_spec_qlcn", draft), ("laichau_head_qlcn", {"decision": "approve"}),
                       ("laichau_cvp", {"decision": "approve"}), ("laichau_head_qlcn", {"decision": "approve"})):
        case = complete(api, user, only_task(case), data)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("director_sign", ["laichau_director"])
    case = complete(api, "laichau_director", task, {"decision": "sign"})  # on paper: no key, no certificate
    assert case["document"]["signer_name"] == "Nguyễn Hữu Phúc"
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("clerk_issue", ["laichau_clerk"])
    recipients = [{"name": "Bộ Công Thương", "delivery": "paper"}]
    r = api.complete("laichau_clerk", task["id"], {"decision": "issue", "recipients": recipients})
    assert r.status_code == 422 and "file" in r.get_json()["fields"]  # no scan yet: nothing numbered
    assert api.upload("laichau_clerk", case["document"]["id"], scanned_pdf(), "ban-giay.pdf").status_code == 201
    case = complete(api, "laichau_clerk", task, {"decision": "issue", "recipients": recipients})
    doc = case["document"]
    assert (case["status"], doc["number_symbol"], doc["status"]) == ("completed", "01/BC-SCT", "issued")
    assert (doc["signature_mode"], doc["signature_status"]) == ("paper", "valid")
    main = next(f for f in doc["files"] if f["role"] == "main")
    pdf = bytes(api.get("laichau_clerk", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data)
    roots = [x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())]
    assert [(r.field, r.signer, r.valid, r.trusted, r.intact) for r in verify_pdf(pdf, roots)] == [
        ("CoQuan", "Sở Công Thương tỉnh Lai Châu", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)]
    text = " ".join(pdf_text(pdf).split())
    for shown in ("Bản điện tử được chuyển đổi từ văn bản giấy", "Người chuyển đổi: Vàng Thị Dung",
                  "Cơ quan: Sở Công Thương tỉnh Lai Châu", "Thời gian:", "Số: 01/BC-SCT"):
        assert shown in text, (shown, text)
    versions = api.get("laichau_clerk", f"/api/v1/documents/{doc['id']}/versions").get_json()["items"]
    assert [v["reason"] for v in versions] == ["upload", "paper_conversion"]
    register = api.get("laichau_clerk", "/api/v1/registers/outgoing").get_json()["items"]
    assert [(e["number"], e["signer_position"], e["signer_name"]) for e in register] == [
        (1, "Giám đốc", "Nguyễn Hữu Phúc")]

"""Vạn Ninh's 13-step liên thông across two installations (issue 15 item 6): the District
(vanninh) on installation D and its Phòng Tài chính – Kế hoạch (vanninh_tckh) on installation T,
each with its own `qlvb serve`, `qlvb worker` and database, exchanging edXML over HTTP. Step 3's
message to the office travels as a package (SteeringType 2) that starts the office's procedure
there; step 7's Tờ trình, thrown back with the request's reply token, travels as the package that
answers it (ResponseFor) and reaches the District's waiting case. The same procedure inside one
installation is tests/test_van_ninh.py, unchanged."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.drafts import open_draft
from tests.installations import Entry, Installation, linked, replays_and_verifies, running, wait_for

DISTRICT, OFFICE = "000.99.05.H34", "000.99.06.H34"
PROVINCE_DOC = {"channel": "electronic", "doc_type": "CV", "subject": "Về việc lập kế hoạch đầu tư công năm 2027",
                "number_symbol": "88/UBND-KT", "issuer_name": "UBND tỉnh Khánh Hòa", "document_date": "2026-02-25"}


@pytest.fixture
def van_ninh(database_url: str, second_database_url: str, demo_pki: Path,
             tmp_path: Path) -> Iterator[tuple[Installation, Installation]]:
    yield from linked(database_url, second_database_url, demo_pki, tmp_path,
                      Entry("vanninh", OFFICE, "Phòng Tài chính – Kế hoạch huyện Vạn Ninh", "vanninh_tckh"),
                      Entry("vanninh_tckh", DISTRICT, "Ủy ban nhân dân huyện Vạn Ninh", "vanninh"))


def _task(i: Installation, user: str, case_id: int, name: str) -> dict[str, Any]:
    case = i.get(user, f"/api/v1/cases/{case_id}")
    found: dict[str, Any] = next(t for t in case["open_tasks"] if t["task"] == name)
    return found


def _step(i: Installation, user: str, case: dict[str, Any], name: str, data: dict[str, Any]) -> dict[str, Any]:
    return i.complete(user, _task(i, user, case["id"], name), data)


def _inbox(i: Installation, user: str, task: str) -> dict[str, Any] | None:
    return next((t for t in i.get(user, "/api/v1/tasks")["items"] if t["task"] == task), None)


def test_thirteen_steps_with_the_district_and_its_office_on_two_installations(
        van_ninh: tuple[Installation, Installation]) -> None:
    d, t = van_ninh
    with running(d, t):
        district = d.post("vn_clerk", "/api/v1/cases", {"process": "vn_lienthong", "data": PROVINCE_DOC}, expect=201)
        district = _step(d, "vn_clerk", district, "register", {"decision": "register"})  # 1
        district = _step(d, "vn_office_chief", district, "office_review", {"decision": "approve"})  # 2
        district = _step(d, "vn_chairman", district, "chair_assign",
                         {"target_agency": "vanninh_tckh", "note": "Phòng TCKH tham mưu"})  # 3
        assert district["open_tasks"] == []  # waiting for the office's Tờ trình, from the other installation

        task = wait_for("step 4 at the office", lambda: _inbox(t, "tckh_head", "head_assign"))
        office = t.get("tckh_head", f"/api/v1/cases/{task['case_id']}")
        received = office["document"]
        assert (received["direction"], received["number_symbol"], received["subject"]) == (
            "incoming", "88/UBND-KT", PROVINCE_DOC["subject"])
        office = t.complete("tckh_head", task, {"assignee": "tckh_spec"})  # 4
        to_trinh = {"subject": "Tờ trình về kế hoạch đầu tư công năm 2027", "doc_type": "TTr"}
        office = _step(t, "tckh_spec", office, "official_draft", to_trinh)  # 5
        t.upload("tckh_spec", office["document"]["id"], open_draft())
        office = _step(t, "tckh_head", office, "head_approve", {"decision": "return", "note": "Làm rõ nguồn vốn"})
        office = _step(t, "tckh_spec", office, "official_draft", to_trinh)
        office = _step(t, "tckh_head", office, "head_approve", {"decision": "sign"})  # 6
        office = _step(t, "tckh_clerk", office, "clerk_issue", {"decision": "issue", "recipients": [
            {"name": "UBND huyện Vạn Ninh", "organ_id": DISTRICT, "delivery": "electronic"}]})  # 7
        assert office["status"] == "completed"
        sent = office["document"]
        assert sent["number_symbol"] == "01/TTr-TCKH"

        task = wait_for("step 8 at the District", lambda: _inbox(d, "vn_clerk", "office_register"))
        assert task["case_id"] == district["id"]
        district = d.get("vn_clerk", f"/api/v1/cases/{district['id']}")
        arrived = district["document"]
        assert (arrived["direction"], arrived["status"], arrived["number_symbol"], arrived["issuer_organ_id"]) == (
            "incoming", "draft", "01/TTr-TCKH", OFFICE)
        assert [f["sha256"] for f in arrived["files"]] == [f["sha256"] for f in sent["files"]]
        district = d.complete("vn_clerk", task, {"decision": "register"})  # 8
        assert district["document"]["number"] == 2 and district["document"]["signature_status"] == "valid"
        district = _step(d, "vn_office_chief", district, "office_assign", {"assignee": "vn_spec_vp"})  # 9
        decision = {"subject": "Quyết định giao kế hoạch đầu tư công năm 2027", "doc_type": "QĐ"}
        district = _step(d, "vn_spec_vp", district, "spec_check", decision)  # 10
        d.upload("vn_spec_vp", district["document"]["id"], open_draft())
        district = _step(d, "vn_office_chief", district, "office_submit", {"decision": "return", "note": "Sửa"})
        district = _step(d, "vn_spec_vp", district, "spec_check", decision)
        district = _step(d, "vn_office_chief", district, "office_submit", {"decision": "approve"})  # 11
        district = _step(d, "vn_chairman", district, "chair_sign", {"decision": "sign"})  # 12
        district = _step(d, "vn_clerk", district, "clerk_issue", {"decision": "issue", "recipients": [
            {"name": "Phòng Tài chính – Kế hoạch", "delivery": "electronic"}]})  # 13
        assert district["status"] == "completed"
        assert district["document"]["number_symbol"] == "01/QĐ-UBND"

        # Each side heard that the other received its package (01), once.
        def codes(i: Installation, user: str, document_id: int) -> list[str]:
            items = i.get(user, f"/api/v1/exchange/documents/{document_id}/statuses")["items"]
            return [h["code"] for h in reversed(items[0]["history"])] if items else []

        wait_for("01 for the Tờ trình at the office", lambda: codes(t, "tckh_clerk", sent["id"]) == ["01"])
        # A recall of the office's Tờ trình reaches the District's entry made from it.
        t.post("tckh_head", f"/api/v1/documents/{sent['id']}/recall", {"reason": "Số liệu sai"})
        wait_for("the District's copy recalled",
                 lambda: d.get("vn_clerk", f"/api/v1/documents/{arrived['id']}")["status"] == "recalled")
        wait_for("15 at the office", lambda: codes(t, "tckh_clerk", sent["id"]) == ["01", "13", "15"])
    for i in (d, t):
        replays_and_verifies(i.platform)

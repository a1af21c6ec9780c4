"""Danh bạ nơi nhận kept by the agency's administrators (issue 17, item 2): they add an agency
reached on paper, give an installation's agency the name the trade uses, and take one out of the
book; each change is audited; a refused entry says why beside its field; nobody else may edit
it; the clerk's recipients picker on the issue step offers the book as the administrators left it."""

from __future__ import annotations

import re
from typing import Any

from engine.core.platform import Platform
from tests.conftest import Api
from tests.flows import DRAFT, attach_pdf, complete, only_task, start
from tests.test_admin import Admin, _audited

PAPER = {"name": "Ủy ban nhân dân phường Phúc Diễn", "delivery": "paper", "active": "1"}
LAICHAU = "000.99.02.H29"  # Sở Công Thương tỉnh Lai Châu, another agency of this installation
QUANGNGAI = "000.99.03.H55"


def _picker(html: str) -> dict[str, str]:
    """The recipients picker's options: name by key."""
    return dict(re.findall(r'<option value="((?:unit|entry|organ):[^"]+)" data-name="([^"]+)"', html))


def _issue_step(api: Api) -> dict[str, Any]:
    case = start(api, "btl_spec_ksdb", {**DRAFT, "subject": "Thông báo lịch trực phòng chống dịch"})
    attach_pdf(api, "btl_spec_ksdb", case)
    case = complete(api, "btl_spec_ksdb", only_task(case), DRAFT)
    case = complete(api, "btl_head_ksdb", only_task(case), {"decision": "approve", "route": "deputy_director"})
    case = complete(api, "btl_deputy1", only_task(case), {"decision": "sign"})
    task = only_task(case)
    assert task["task"] == "clerk_issue"
    return task


def test_administrators_keep_the_book_and_the_clerks_picker_offers_it(platform: Platform, api: Api) -> None:
    admin = Admin(platform, "btl_admin")
    page = admin.get("/admin/address-book")
    assert "Sở Công Thương tỉnh Lai Châu" in page  # derived: the installation's agencies
    admin.post("/admin/address-book", PAPER)
    admin.post("/admin/address-book", {"name": "Sở Công Thương Lai Châu (liên thông)", "organ_id": LAICHAU,
                                       "delivery": "electronic", "active": "1"})
    admin.post("/admin/address-book", {"name": "Sở Y tế tỉnh Quảng Ngãi", "organ_id": QUANGNGAI,
                                       "delivery": "electronic"})  # not in use: out of the book
    refused = admin.post("/admin/address-book", {"name": "Bưu điện", "delivery": "electronic", "active": "1"},
                         status=422)
    assert 'data-error-for="organ_id"' in refused and "Nhập mã định danh, hoặc chọn gửi bản giấy." in refused
    refused = admin.post("/admin/address-book", {"name": "Trùng mã", "organ_id": LAICHAU, "delivery": "paper"},
                         status=422)
    assert "Đã dùng cho &#39;Sở Công Thương Lai Châu (liên thông)&#39;." in refused
    saved = _audited(platform, "address_book_saved")
    assert [(e["name"], e["delivery"], e["active"], e["created"]) for e in saved] == [
        (PAPER["name"], "paper", True, True), ("Sở Công Thương Lai Châu (liên thông)", "electronic", True, True),
        ("Sở Y tế tỉnh Quảng Ngãi", "electronic", False, True)]
    admin.post("/admin/address-book", {**PAPER, "delivery": "paper", "active": "1"})  # changed again: audited again
    assert len(_audited(platform, "address_book_saved")) == 4

    # Only the agency's administrators: the clerk is refused the page and the change.
    clerk = Admin(platform, "btl_clerk")
    assert clerk.client.get("/admin/address-book").status_code in (403, 404)
    assert clerk.client.post("/admin/address-book", data={"csrf_token": clerk.csrf, **PAPER}).status_code in (403, 404)

    task = _issue_step(api)
    offered = _picker(clerk.get(f"/tasks/{task['id']}"))
    names = list(offered.values())
    assert PAPER["name"] in names and "Sở Công Thương Lai Châu (liên thông)" in names
    assert f"organ:{LAICHAU}" not in offered  # the kept entry stands for it
    assert f"organ:{QUANGNGAI}" not in offered and "Sở Y tế tỉnh Quảng Ngãi" not in names  # taken out
    assert "Sở Công Thương tỉnh Đồng Nai" in names  # the rest still derived
    assert "Khoa Kiểm soát dịch bệnh" in names  # the agency's own units first

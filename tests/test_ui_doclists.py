"""The document lists (danh sách văn bản) in Chromium: the left-hand tree with each state's
count against the cases this test runs, the officials' columns, unread in bold, overdue in
colour, a filter remembered, the batch "mark read"; a specialist's lists hold only what
engine.org.permissions lets them see; axe finds nothing critical or serious. The Director signs
two documents in one go with one password (verified with pyHanko and pdfsig)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from playwright.sync_api import Browser, Page, expect

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from signing.pades.pdfsig import pdfsig
from signing.pades.verify import verify_pdf
from tests.axe import serious
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import DRAFT, attach_pdf, complete, only_task, start, to_director
from tests.test_btl_incoming import INCOMING, _task

RECEIVED = "Về việc báo cáo tình hình dịch sốt xuất huyết"


def _incoming(api: Api, subject: str, number: str, urgency: str = "thuong") -> dict[str, Any]:
    r = api.post("btl_clerk", "/api/v1/cases", {"process": "btl_incoming", "data": {
        **INCOMING, "subject": subject, "number_symbol": number, "urgency": urgency}})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    return case


def _cases(api: Api) -> None:
    """One document in each state of the tree, as the Director sees them."""
    _incoming(api, "Về việc kiểm tra an toàn thực phẩm", "11/SYT-ATTP")  # chờ vào sổ
    waiting = _incoming(api, RECEIVED, "12/SYT-NVY", "khan")
    complete(api, "btl_clerk", only_task(waiting), {"decision": "register", "leader": "director"})  # chờ xử lý
    moving = _incoming(api, "Về việc tập huấn phòng chống dịch", "13/SYT-NVY")
    moving = complete(api, "btl_clerk", only_task(moving), {"decision": "register", "leader": "director"})
    moving = complete(api, "btl_director", only_task(moving), {"main_unit": "KSDB", "main_deadline": "2026-03-06"})
    done = _incoming(api, "Về việc thống kê số liệu tiêm chủng", "14/SYT-NVY")
    done = complete(api, "btl_clerk", only_task(done), {"decision": "register", "leader": "director"})
    done = complete(api, "btl_director", only_task(done), {"main_unit": "KSDB", "main_deadline": "2026-03-06"})
    done = complete(api, "btl_head_ksdb", only_task(done), {"assignee": "btl_spec_ksdb"})
    done = complete(api, "btl_spec_ksdb", _task(done, "handle", "btl_spec_ksdb"), {"decision": "finish"})
    assert done["document"]["status"] == "finished"
    start(api, data={**DRAFT, "subject": "Dự thảo báo cáo công tác tháng 1"})  # dự thảo
    to_director(api)  # chờ ký
    issued = start(api, "btl_spec_ksdb", {**DRAFT, "subject": "Thông báo lịch trực phòng chống dịch"})
    attach_pdf(api, "btl_spec_ksdb", issued)
    issued = complete(api, "btl_spec_ksdb", only_task(issued), DRAFT)
    issued = complete(api, "btl_head_ksdb", only_task(issued), {"decision": "approve", "route": "deputy_director"})
    issued = complete(api, "btl_deputy1", only_task(issued), {"decision": "sign"})
    issued = complete(api, "btl_clerk", only_task(issued), {"decision": "issue", "recipients": [
        {"name": "Khoa Kiểm soát dịch bệnh", "unit": "KSDB", "delivery": "electronic"}]})
    assert issued["document"]["status"] == "issued"  # đã phát hành, and internal (a unit receives it)


def _counts(page: Page) -> dict[str, int]:
    tree = page.get_by_test_id("doctree")
    return {name: int(tree.get_by_test_id(f"count-{name}").inner_text())
            for name in ("in_register", "in_waiting", "in_progress", "in_done", "in_info", "out_draft", "out_signing",
                         "out_issued", "internal", "info", "notice")}


def test_lists_counts_unread_overdue_filters_and_mark_read(browser: Browser, live_url: str,  # noqa: F811
                                                           platform: Platform, api: Api, clock: FakeClock) -> None:
    _cases(api)
    clock.advance(timedelta(days=6))  # past KSDB's deadline (6 March) for the document in progress
    director = Staff(browser, live_url, "btl_director", backend(platform)).login()
    page = director.page
    page.get_by_test_id("menu-documents").click()
    assert _counts(page) == {"in_register": 1, "in_waiting": 1, "in_progress": 1, "in_done": 1, "in_info": 0,
                             "out_draft": 1, "out_signing": 1, "out_issued": 1, "internal": 1, "info": 0,
                             "notice": 0}
    assert serious(page) == []

    # Chờ xử lý: the officials' columns, the Director holding it, unread in bold, urgent in colour.
    row = page.locator("tr[data-document]")
    expect(row).to_have_count(1)
    for text in ("12/SYT-NVY", "02/03/2026", "Sở Y tế Hà Nội", RECEIVED, "Trần Minh Quang (Giám đốc)"):
        expect(row).to_contain_text(text)
    expect(row.locator("td").nth(1)).to_have_text("1")  # số đến: the first in the incoming book
    assert row.locator("td.subject").evaluate("c => getComputedStyle(c).fontWeight") == "700"
    assert row.locator("td.subject").evaluate("c => getComputedStyle(c).borderLeftColor") == "rgb(181, 71, 8)"
    expect(row.get_by_test_id("urgent")).to_have_text("Khẩn")
    director.shot("40-lists-waiting")

    # Đang xử lý: KSDB's head holds it, past its deadline, in red.
    page.locator('a[data-list="in_progress"]').click()
    row = page.locator("tr[data-document]")
    for text in ("Ngô Quốc Huy (Trưởng đơn vị)", "06/03/2026 (quá hạn)"):
        expect(row).to_contain_text(text)
    assert row.locator("td").first.evaluate("c => getComputedStyle(c).backgroundColor") == "rgb(255, 244, 242)"

    # A filter is remembered for its list: gone to another list and back, it still applies.
    page.fill('input[name="q"]', "khong co van ban nay")
    page.get_by_role("button", name="Lọc").click()
    expect(page.locator("tr[data-document]")).to_have_count(0)
    page.locator('a[data-list="in_waiting"]').click()
    expect(page.locator('input[name="q"]')).to_have_value("")
    expect(page.locator("tr[data-document]")).to_have_count(1)
    page.locator('a[data-list="in_progress"]').click()
    expect(page.locator('input[name="q"]')).to_have_value("khong co van ban nay")
    expect(page.locator("tr[data-document]")).to_have_count(0)
    page.get_by_test_id("reset-filters").click()
    expect(page.locator("tr[data-document]")).to_have_count(1)

    # Batch: mark two issued and drafted documents read; they are no longer bold.
    page.locator('a[data-list="out_signing"]').click()
    page.locator("tr[data-document] input[name=ids]").check()
    page.get_by_test_id("mark-read").click()
    expect(page.locator(".flash")).to_contain_text("Đã đánh dấu đã đọc 1 văn bản")
    assert page.locator("tr[data-document] td.subject").evaluate("c => getComputedStyle(c).fontWeight") == "400"

    # Opening a document reads it.
    page.locator('a[data-list="in_register"]').click()
    page.locator("tr[data-document] td.subject a").click()
    expect(page.get_by_test_id("document-status")).to_have_text("Chờ vào sổ")  # never "Dự thảo" for an incoming one
    page.go_back()
    page.reload()
    assert page.locator("tr[data-document] td.subject").evaluate("c => getComputedStyle(c).fontWeight") == "400"

    # Chuyển để biết: the issued document to a specialist of KHNV, from the list.
    page.locator('a[data-list="out_issued"]').click()
    page.locator("tr[data-document] input[name=ids]").check()
    page.get_by_test_id("forward").locator("summary").click()
    page.select_option('select[name="people"]', "btl_spec_khnv")
    page.fill('textarea[name="note"]', "Đề nghị phòng KHNV nắm lịch trực")
    page.get_by_test_id("forward-submit").click()
    expect(page.locator(".flash")).to_contain_text("Đã chuyển để biết 1 văn bản")
    assert serious(page) == []

    # A specialist's lists: their own drafts and what was sent to them to read, by engine.org.permissions.
    spec = Staff(browser, live_url, "btl_spec_khnv", backend(platform)).login()
    spec.page.goto("/documents")
    assert _counts(spec.page) == {"in_register": 0, "in_waiting": 0, "in_progress": 0, "in_done": 0, "in_info": 0,
                                  "out_draft": 1, "out_signing": 1, "out_issued": 1, "internal": 1, "info": 1,
                                  "notice": 0}
    spec.page.locator('a[data-list="info"]').click()
    spec.page.locator("tr[data-document] td.subject a").click()
    expect(spec.page.get_by_test_id("work-tree")).to_contain_text("giao bởi Trần Minh Quang (Giám đốc)")
    for person in (director, spec):
        person.close()


def test_the_director_signs_several_documents_with_one_password(browser: Browser, live_url: str,  # noqa: F811
                                                                 platform: Platform, api: Api,
                                                                 demo_pki: Path) -> None:
    cases = [to_director(api), to_director(api)]
    director = Staff(browser, live_url, "btl_director", backend(platform)).login()
    page = director.page
    page.goto("/documents?list=out_signing")
    expect(page.locator("tr[data-document]")).to_have_count(2)
    page.locator("tr[data-document] input[name=ids]").first.check()
    page.locator("tr[data-document] input[name=ids]").last.check()
    page.fill("#signing_password", "khong-dung-mat-khau")
    page.get_by_test_id("sign-many").click()
    expect(page.locator(".flash.warning")).to_contain_text("Chưa ký được văn bản")
    expect(page.get_by_test_id("count-out_signing")).to_have_text("2")  # a wrong password signs nothing

    page.locator("tr[data-document] input[name=ids]").first.check()
    page.locator("tr[data-document] input[name=ids]").last.check()
    page.fill("#signing_password", DEMO_PASSWORD)
    page.get_by_test_id("sign-many").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã ký số 2 văn bản")
    expect(page.get_by_test_id("count-out_signing")).to_have_text("0")
    director.shot("41-signed-several")
    roots = [x509.load_pem_x509_certificate((demo_pki / "root.pem").read_bytes())]
    for case in cases:
        case = api.get("btl_director", f"/api/v1/cases/{case['id']}").get_json()
        assert only_task(case)["task"] == "clerk_issue"  # each moved on to the clerk, as if signed alone
        doc = case["document"]
        main = next(f for f in doc["files"] if f["role"] == "main")
        pdf = bytes(api.get("btl_clerk", f"/api/v1/documents/{doc['id']}/files/{main['id']}").data)
        assert [(r.field, r.valid, r.trusted) for r in verify_pdf(pdf, roots)] == [("LanhDao", True, True)]
        poppler = pdfsig(pdf, roots)[0]  # the leader's; the agency's field waits, empty, for the clerk
        assert (poppler["signature_valid"], poppler["certificate_trusted"]) == (True, True)
    director.close()

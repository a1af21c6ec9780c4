"""Bắc Từ Liêm path 1 (btl_outgoing) in real Chromium, by four demo users in four browser
sessions: the specialist drafts and uploads the PDF, the head returns it once with a note
then approves, the Director signs, the clerk issues it; each sees what is theirs."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.drafts import plan_draft

SUBJECT = "Kế hoạch tiêm chủng mở rộng quý II năm 2026"


def _open_task(page: Page, title: str) -> None:
    page.goto("/inbox")
    page.locator("tr[data-task]").filter(has_text=title).get_by_role("link", name=title).click()
    expect(page.get_by_test_id("task-title")).to_contain_text(title)


def _tab_count(page: Page, tab: str) -> str:
    return page.locator(f'.tabs a[data-tab="{tab}"] .count').inner_text()


def test_path1_by_four_users_in_four_browsers(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                              api: Api, tmp_path: Path) -> None:
    name = backend(platform)
    spec = Staff(browser, live_url, "btl_spec_khnv", name).login()
    head = Staff(browser, live_url, "btl_head_khnv", name).login()
    director = Staff(browser, live_url, "btl_director", name).login()
    clerk = Staff(browser, live_url, "btl_clerk", name).login()

    # The specialist drafts: the start form, then the draft task, where the PDF goes.
    page = spec.page
    page.goto("/new")
    page.get_by_role("link", name="Văn bản đi – Trung tâm Y tế Bắc Từ Liêm").click()
    page.fill("#subject", SUBJECT)
    page.select_option("#doc_type", "KH")
    page.get_by_label("Khẩn", exact=True).check()
    page.get_by_role("button", name="Khởi tạo").click()
    expect(page.get_by_test_id("task-title")).to_contain_text("Soạn thảo")
    pdf = tmp_path / "ke-hoach-tiem-chung.pdf"
    pdf.write_bytes(plan_draft())
    page.set_input_files("#upload-file", str(pdf))
    page.get_by_role("button", name="Tải lên").click()
    expect(page.get_by_test_id("files")).to_contain_text("ke-hoach-tiem-chung.pdf")
    expect(page.locator(".pdf")).to_have_attribute("data-rendered", "1")
    expect(page.locator(".pdf canvas")).to_have_count(1)
    spec.shot("01-draft-with-pdf")
    page.get_by_role("button", name="Trình lãnh đạo phòng").click()
    # the act in the button's words, and who holds the draft now, by name and position
    expect(page.locator(".flash")).to_contain_text("Đã trình lãnh đạo phòng")
    expect(page.locator(".flash")).to_contain_text("Lãnh đạo phòng duyệt – Hoàng Văn Bình (Trưởng đơn vị)")
    assert _tab_count(page, "todo") == "0"
    assert _tab_count(page, "following") == "1"

    # The head sees the draft, marked urgent; a return without its note is refused beside the field.
    _open_task(head.page, "Lãnh đạo phòng duyệt")
    page = head.page
    expect(page.get_by_test_id("subject")).to_have_text(SUBJECT)
    page.get_by_label("Giám đốc ký").check()
    page.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.locator('[data-error-for="note"]')).to_have_text("Vui lòng nhập Ghi chú / lý do trả lại.")
    expect(page.get_by_label("Giám đốc ký")).to_be_checked()  # what was entered is kept
    head.shot("02-head-return-needs-note")
    page.fill("#note", "Bổ sung số liệu tiêm chủng của quý I")
    page.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.locator(".flash")).to_contain_text("Đã trả lại để sửa")
    expect(page.locator(".flash")).to_contain_text("Soạn thảo, trình văn bản – Vũ Thu Hà (Chuyên viên)")

    # Back to the specialist, with a notification and the head's note on the task.
    page = spec.page
    page.goto("/inbox")
    expect(page.get_by_test_id("unread-count")).not_to_have_text("0")
    _open_task(page, "Soạn thảo")
    expect(page.get_by_test_id("returned-note")).to_contain_text("Bổ sung số liệu tiêm chủng của quý I")
    spec.shot("03-draft-returned")
    page.fill("#revision_note", "Đã bổ sung số liệu quý I")
    page.get_by_role("button", name="Trình lãnh đạo phòng").click()

    _open_task(head.page, "Lãnh đạo phòng duyệt")
    head.page.get_by_label("Giám đốc ký").check()
    head.page.get_by_role("button", name="Duyệt và trình").click()
    expect(head.page.locator(".flash")).to_contain_text("Đã duyệt và trình")

    # The Director reads the PDF and the history (with the return), and signs.
    _open_task(director.page, "Giám đốc ký")
    page = director.page
    expect(page.locator(".pdf")).to_have_attribute("data-rendered", "1")
    expect(page.get_by_test_id("history")).to_contain_text("Bổ sung số liệu tiêm chủng của quý I")
    expect(page.get_by_test_id("history")).to_contain_text("Trả lại để sửa")
    page.fill("#signing_password", DEMO_PASSWORD)  # unlocks the Director's key to sign the PDF
    director.shot("04-director-sign")
    page.get_by_role("button", name="Ký số").click()
    expect(page.locator(".flash")).to_contain_text("Đã ký số")
    # the signer sees what they signed: the document, its signature verified at the top
    expect(page.get_by_test_id("signature-summary").locator('li[data-valid="true"]')).to_contain_text("Trần Minh Quang")

    # The clerk names a recipient and issues: the number is taken.
    _open_task(clerk.page, "Văn thư")
    page = clerk.page
    # the leader's signature, verified, at the top of the clerk's issue step
    expect(page.get_by_test_id("signature-summary").locator('li[data-valid="true"]')).to_contain_text("Trần Minh Quang")
    page.fill("#recipients-0-name", "Khoa Kiểm soát dịch bệnh")
    page.select_option("#recipients-0-unit", "KSDB")
    page.locator('input[name="recipients-0-delivery"][value="electronic"]').check()
    page.fill("#agency_password", DEMO_PASSWORD)  # the agency's key, for its signature over the Director's
    clerk.shot("05-clerk-issue")
    page.get_by_role("button", name="Lấy số và phát hành").click()
    expect(page.locator(".flash")).to_contain_text("Đã lấy số và phát hành")
    expect(page.locator(".flash")).to_contain_text("Hồ sơ đã kết thúc")
    page.goto("/inbox?tab=done")
    expect(page.locator("tr[data-task]")).to_have_count(1)

    # The specialist follows the case to its end: issued, with its number.
    page = spec.page
    page.goto("/inbox?tab=following")
    page.locator("tr[data-case]").get_by_role("link", name=SUBJECT).click()
    expect(page.get_by_test_id("number-symbol")).to_have_text("01/KH-TTYT")
    expect(page.get_by_test_id("document-status")).to_have_text("Đã phát hành")
    expect(page.get_by_test_id("open-tasks")).to_have_count(0)
    spec.shot("06-case-issued")
    assert re.search(r"Ký số", page.get_by_test_id("history").inner_text())
    case_url = page.url
    page.goto("/inbox?tab=done")
    assert _tab_count(page, "done") == "2"  # the draft, twice

    # Someone outside the case (KSDB, a recipient unit, now reads it for information) is refused, in Vietnamese.
    outsider = Staff(browser, live_url, "btl_spec_tyt1", name).login()
    response = outsider.page.goto(case_url)
    assert response is not None and response.status == 403
    expect(outsider.page.locator("h1")).to_contain_text("Không có quyền truy cập")
    for person in (spec, head, director, clerk, outsider):
        person.close()

"""The retention table in real Chromium: the administrator opens "Bảng thời hạn bảo quản" from the
admin tabs, is told in Vietnamese what is wrong with a bad term and a duplicate code, adds two items,
retires one; the clerk's record form offers only the item in use, the record opened on it takes its
term and its page names the item."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures


def _add(page: Page, code: str, heading: str, term: str) -> None:
    page.fill("#item-code", code)
    page.fill("#item-heading", heading)
    page.fill("#item-term", term)
    page.get_by_role("button", name="Thêm mục").click()


def test_the_admin_keeps_the_table_and_the_clerk_opens_a_record_on_an_item(
        browser: Browser, live_url: str, platform: Platform) -> None:  # noqa: F811
    admin = Staff(browser, live_url, "btl_admin", backend(platform)).login()
    page = admin.page
    page.goto(f"{live_url}/admin")
    page.get_by_role("link", name="Bảng thời hạn bảo quản").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bảng thời hạn bảo quản hồ sơ, tài liệu")
    _add(page, "01.05", "Hồ sơ xây dựng, ban hành quy chế làm việc của cơ quan", "mãi mãi")
    expect(page.locator('[data-error-for="term"]')).to_contain_text("một số năm nguyên từ 1 đến 100")
    expect(page.locator("#item-heading")).to_have_value("Hồ sơ xây dựng, ban hành quy chế làm việc của cơ quan")
    page.fill("#item-term", "Vĩnh viễn")
    page.get_by_role("button", name="Thêm mục").click()
    expect(page.locator('tr[data-item="01.05"]')).to_contain_text("Vĩnh viễn")
    _add(page, "01.05", "Mục trùng số", "10")
    expect(page.locator('[data-error-for="code"]')).to_have_text("Bảng đã có mục số 01.05.")
    _add(page, "05.01", "Hồ sơ giải quyết khiếu nại, tố cáo", "15")
    expect(page.locator('tr[data-item="05.01"]')).to_contain_text("15 năm")
    admin.shot("70-retention-table")
    page.locator('tr[data-item="01.05"]').get_by_role("link", name="01.05").click()
    page.get_by_role("button", name="Ngừng dùng mục này").click()
    expect(page.get_by_test_id("item-state")).to_contain_text("Ngừng dùng")
    admin.close()

    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    page = clerk.page
    page.goto(f"{live_url}/records/new")
    options = page.locator("#retention_item_id option")
    expect(options).to_have_count(2)  # "— Chọn —" and 05.01: the retired 01.05 is not offered
    expect(options.nth(1)).to_contain_text("05.01 – Hồ sơ giải quyết khiếu nại, tố cáo (15 năm)")
    page.fill("#notation", "07.KN")
    page.fill("#title", "Hồ sơ giải quyết khiếu nại năm 2026")
    page.get_by_role("button", name="Lập hồ sơ").click()
    expect(page.locator('[data-error-for="retention_item_id"]')).to_be_visible()  # no item chosen
    page.select_option("#retention_item_id", label="05.01 – Hồ sơ giải quyết khiếu nại, tố cáo (15 năm)")
    page.get_by_role("button", name="Lập hồ sơ").click()
    expect(page.get_by_test_id("record-code")).to_have_text("000.99.01.H26.2026.07.KN")
    expect(page.locator("dl.meta")).to_contain_text("15 năm")
    expect(page.get_by_test_id("retention-item")).to_have_text("05.01 – Hồ sơ giải quyết khiếu nại, tố cáo")
    clerk.shot("71-record-on-an-item")
    clerk.close()

"""The bút phê with a head-less unit for information, through the pages in Chromium (issue 13,
item 7): the form offers Văn phòng Sở only for information, the case moves on to the
units that work on it, and the office's people see the document under "Văn bản để biết",
open it and mark it read."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import assignees, complete, only_task
from tests.test_lai_chau import INCOMING, _start


def test_a_headless_unit_for_information_sees_the_document_and_the_case_moves_on(
    browser: Browser, live_url: str, platform: Platform, api: Api  # noqa: F811
) -> None:
    case = _start(api, "laichau_incoming", "laichau_clerk", {**INCOMING, "channel": "electronic"})
    director = Staff(browser, live_url, "laichau_director", backend(platform)).login()
    page = director.page
    page.goto("/inbox")
    page.get_by_role("link", name="Lãnh đạo Sở bút phê").click()
    # Văn phòng Sở has no head: offered for information, never as a unit that handles it.
    expect(page.locator('input[name="main_unit"][value="VP"]')).to_have_count(0)
    expect(page.locator('input[name="co_units"][value="VP"]')).to_have_count(0)
    page.get_by_label("Chủ trì: Phòng Quản lý công nghiệp").check()
    page.fill("#node_deadline-QLCN", "2026-03-13")
    page.locator('input[name="info_units"][value="VP"]').check()
    page.fill("#note", "Phòng QLCN chủ trì; Văn phòng Sở để biết")
    page.get_by_role("button", name="Chuyển xử lý").click()
    expect(page.locator(".flash")).to_contain_text("Đã chuyển xử lý")
    expect(page.locator(".flash")).to_contain_text("Vàng Thị Dung (Văn thư)")  # who holds it now: the clerk
    director.shot("30-direction-vp-for-information")

    case = api.get("laichau_clerk", f"/api/v1/cases/{case['id']}").get_json()
    case = complete(api, "laichau_clerk", only_task(case), {"decision": "register"})
    task = only_task(case)  # the case moved on: only QLCN has a step
    assert (task["task"], assignees(task)) == ("unit_assign", ["laichau_head_qlcn"])

    office = Staff(browser, live_url, "laichau_cvp", backend(platform)).login()
    page = office.page
    page.goto("/inbox")
    expect(page.get_by_test_id("info-unread")).to_have_text("1")  # the để biết item, beside the inbox's tabs
    page.locator('a[data-tab="info"]').click()
    item = page.locator(f'li[data-document="{case["document"]["id"]}"]')
    expect(item).to_contain_text(INCOMING["subject"])
    expect(item).to_contain_text("Để biết")
    expect(item).to_have_class("notice kind-info unread")
    office.shot("31-for-information-list")
    item.get_by_role("button", name="Đánh dấu đã đọc").click()
    item = page.locator(f'li[data-document="{case["document"]["id"]}"]')
    expect(item).to_contain_text("Đã đọc")
    item.get_by_role("link", name="Xem văn bản").click()
    expect(page.locator("h1")).to_contain_text(INCOMING["subject"])
    for person in (director, office):
        person.close()

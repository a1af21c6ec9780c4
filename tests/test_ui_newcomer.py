"""What a newcomer sees (issue 17 items 6, 8 and 10), in Chromium: the demo data fills every list,
register, report and the dashboard on first login; the PDF viewer has a text layer the browser's
find searches, in a scroll box reachable from the keyboard; the search page finds a phrase that is
only in a PDF's body and shows the passage; in English the pages show no Vietnamese outside
document data (the rule of tests/test_ui_english_pages.py: what the templates mark lang="vi")."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from engine.core.platform import Platform
from engine.demodata import seeding
from engine.models import Agency, Document, HumanTask, TaskCandidate, TaskStatus, User
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import attach_pdf, start
from tests.test_ui_english_pages import vietnamese_outside_data


def _rows(page: Page, path: str) -> int:
    page.goto(path)
    return page.locator("tbody tr").count()


def test_the_demo_data_fills_lists_registers_reports_and_the_dashboard(
        browser: Browser, live_url: str, platform: Platform) -> None:  # noqa: F811
    made, started = seeding.run(platform)
    assert made >= 300 and started >= 7
    assert seeding.run(platform) == (0, 0)  # once only
    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    page = clerk.page
    page.goto("/")
    expect(page).to_have_url(re.compile("/dashboard$"))
    for tile in ("received", "issued"):
        assert int(page.get_by_test_id(f"tile-{tile}").locator(".tile-count").inner_text()) > 0, tile
    assert int(page.get_by_test_id("tile-todo").locator(".tile-count").inner_text()) > 0  # cases to register
    # this year's entries (the tests' clock is on 2 March; the demo goes six months back)
    assert _rows(page, "/registers/incoming") >= 5
    assert _rows(page, "/registers/outgoing") >= 5
    page.goto("/reports")
    totals = dict(re.findall(r'data-total="(\w+)">(\d+)<', page.content()))
    assert int(totals["incoming"]) > 0 and int(totals["outgoing"]) > 0 and int(totals["overdue"]) > 0
    assert _rows(page, "/records") >= 2
    page.goto("/search?q=chu+ky+so")  # in the demo PDFs' body only
    expect(page.get_by_test_id("passage").first).to_contain_text("chữ ký số")
    clerk.shot("newcomer-search-demo")
    clerk.close()
    drafter = Staff(browser, live_url, "btl_spec_khnv", backend(platform)).login()
    assert _rows(drafter.page, "/inbox") >= 3
    drafter.close()


def test_pdf_text_layer_keyboard_and_full_text_search(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                                      api: Api) -> None:
    case = start(api)
    attach_pdf(api, "btl_spec_khnv", case)
    staff = Staff(browser, live_url, "btl_spec_khnv", backend(platform)).login()
    page = staff.page
    page.goto(f"/documents/{case['document']['id']}")
    expect(page.locator(".pdf")).to_have_attribute("data-rendered", "1")
    layer = page.locator(".pdf-page .textLayer")
    expect(layer).to_contain_text("30/2020/NĐ-CP")  # the số ký hiệu of the decree the draft cites
    assert page.evaluate("() => window.find('Khám bệnh, chữa bệnh')")  # the browser's find
    scroll_box = page.locator(".pdf-pages")
    assert scroll_box.get_attribute("tabindex") == "0" and scroll_box.get_attribute("aria-label")
    scroll_box.focus()
    assert page.evaluate("() => document.activeElement.classList.contains('pdf-pages')")

    page.goto("/search?q=luat+kham+benh")  # only in the PDF's body
    result = page.locator(f'tr[data-document="{case["document"]["id"]}"]')
    expect(result.get_by_test_id("passage")).to_contain_text("Luật Khám bệnh")
    expect(result.locator("mark")).to_have_text("Luật Khám bệnh")
    staff.shot("newcomer-full-text")
    staff.close()


def test_english_pages_show_no_vietnamese_outside_document_data(browser: Browser, live_url: str,  # noqa: F811
                                                                platform: Platform) -> None:
    seeding.run(platform)
    with platform.db.read() as session:
        clerk_id = session.scalar(select(User.id).where(User.username == "btl_clerk"))
        task = session.scalar(select(HumanTask.id).join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
                              .where(TaskCandidate.user_id == clerk_id, HumanTask.status == TaskStatus.OPEN))
        case = session.scalar(select(HumanTask.case_id).where(HumanTask.id == task))
        document = session.scalar(select(Document.id).join(Agency, Agency.id == Document.agency_id)
                                  .where(Agency.code == "btl", Document.status == "issued"))
    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    page = clerk.page
    page.goto("/dashboard")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    pages = ["/dashboard", "/inbox", f"/tasks/{task}", f"/cases/{case}", f"/documents/{document}", "/new",
             "/search?q=ke+hoach", "/registers", "/registers/incoming", "/registers/outgoing", "/reports",
             "/statistics", "/info", "/help/sign-agent"]
    found = {}
    for path in pages:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        if left := vietnamese_outside_data(page):
            found[path] = left
    clerk.shot("newcomer-english-task")
    assert found == {}, found
    clerk.close()

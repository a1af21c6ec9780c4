"""A leader's phone (390 × 844 px, Chromium): the inbox and the document lists as cards with
no element wider than the screen; on a task the decisions and the signature in a bar at the
bottom, visible without scrolling, the PDF below; the head approves, the Director writes a
bút phê and returns one draft and signs another, all on the phone; axe finds nothing critical
or serious."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Browser, Page, expect

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from tests.axe import serious
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.flows import DRAFT, attach_pdf, complete, only_task, start, to_director

PHONE = {"width": 390, "height": 844}
WIDE = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right > width + 0.5 || r.left < -0.5) wide.push(`${el.tagName}.${el.className} ${r.left}..${r.right}`);
  }
  return {scroll: document.documentElement.scrollWidth, width, wide: wide.slice(0, 10)};
}"""


def _phone(chromium: Browser, url: str, username: str, platform: Platform) -> Staff:
    person = Staff(chromium, url, username, backend(platform))
    person.page.set_viewport_size(PHONE)
    return person.login()


def _fits(page: Page) -> None:
    found: dict[str, Any] = page.evaluate(WIDE)
    assert found["scroll"] <= PHONE["width"] and found["wide"] == [], found


def _bar_in_sight(page: Page) -> None:
    """The action bar is on screen as the page opens, above the PDF in the page's order."""
    page.evaluate("() => window.scrollTo(0, 0)")
    bar = page.get_by_test_id("action-bar").bounding_box()
    assert bar is not None and bar["y"] >= 0 and bar["y"] + bar["height"] <= PHONE["height"], bar
    pdf = page.locator(".pdf").bounding_box()
    assert pdf is not None and pdf["y"] > bar["y"], (pdf, bar)


def _open(page: Page, title: str) -> None:
    page.goto("/inbox")
    page.get_by_role("link", name=title).first.click()
    expect(page.get_by_test_id("task-title")).to_contain_text(title)
    expect(page.locator(".pdf")).to_have_attribute("data-rendered", "1")


def test_a_leader_reads_approves_returns_and_signs_on_a_phone(browser: Browser, live_url: str,  # noqa: F811
                                                              platform: Platform, api: Api) -> None:
    to_director(api)
    to_director(api)
    at_head = start(api, data={**DRAFT, "subject": "Báo cáo kết quả tiêm chủng tháng 2"})
    attach_pdf(api, "btl_spec_khnv", at_head)
    complete(api, "btl_spec_khnv", only_task(at_head), DRAFT)

    head = _phone(browser, live_url, "btl_head_khnv", platform)
    page = head.page
    page.goto("/inbox")
    _fits(page)
    _open(page, "Lãnh đạo phòng duyệt")
    _fits(page)
    _bar_in_sight(page)
    assert serious(page) == []
    head.shot("50-phone-head-task")
    page.get_by_role("button", name="Duyệt và trình").click()
    expect(page.locator(".flash")).to_contain_text("Đã duyệt và trình")
    expect(page.locator(".flash")).to_contain_text("Giám đốc ký số – Trần Minh Quang (Giám đốc)")

    director = _phone(browser, live_url, "btl_director", platform)
    page = director.page
    page.goto("/inbox")
    _fits(page)
    assert serious(page) == []
    director.shot("51-phone-inbox")
    page.goto("/documents?list=out_signing")
    expect(page.locator("tr[data-document]")).to_have_count(3)
    _fits(page)
    director.shot("52-phone-lists")

    # A bút phê from a template, then a return: the specialist holds the draft again.
    _open(page, "Giám đốc ký")
    _fits(page)
    _bar_in_sight(page)
    assert serious(page) == []
    director.shot("53-phone-sign-task")
    page.get_by_role("button", name="Bổ sung số liệu.").click()
    expect(page.locator("#note")).to_have_value("Bổ sung số liệu.")
    page.get_by_role("button", name="Trả lại để sửa").click()
    expect(page.locator(".flash")).to_contain_text("Đã trả lại để sửa")
    expect(page.locator(".flash")).to_contain_text("Vũ Thu Hà (Chuyên viên)")

    # Signing on the phone: the password in the bar, then the signed document and its signature checked.
    _open(page, "Giám đốc ký")
    page.fill("#signing_password", DEMO_PASSWORD)
    page.get_by_role("button", name="Ký số").click()
    expect(page.locator(".flash")).to_contain_text("Đã ký số")
    expect(page.locator(".flash")).to_contain_text("Đỗ Thị Mai (Văn thư)")
    summary = page.get_by_test_id("signature-summary")
    expect(summary).to_contain_text("Trần Minh Quang")
    expect(summary.locator('li[data-valid="true"]')).to_have_count(1)
    _fits(page)
    assert serious(page) == []
    director.shot("54-phone-signed")
    for person in (head, director):
        person.close()

"""In the browser: the clerk searches with and without diacritics, opens a register book and
filters it, and the director's report page draws its charts without a script error."""

from __future__ import annotations

from datetime import UTC, datetime

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.test_reports import _finish, _issued, _register

SUBJECT = "Công văn về việc tăng cường phòng chống dịch sốt xuất huyết"


def test_search_register_and_report_charts(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                           api: Api) -> None:
    wanted = _register(api, doc_type="CV", subject=SUBJECT, number_symbol="125/SYT-NVY")
    _register(api, doc_type="KH", subject="Kế hoạch tiêm chủng mở rộng năm 2026", number_symbol="12/KH-SYT")
    _finish(platform, wanted)
    _issued(platform, datetime(2026, 2, 10, 3, 0, tzinfo=UTC), "KSDB")  # without a digital signature

    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    page = clerk.page
    page.get_by_role("link", name="Tìm kiếm").click()
    for query in ("cong van sot xuat huyet", "Công văn sốt xuất huyết"):
        page.fill("#q", query)
        page.get_by_role("button", name="Tìm", exact=True).click()
        results = page.get_by_test_id("results")
        expect(results.locator("tbody tr")).to_have_count(1)
        expect(results).to_contain_text(SUBJECT)
    clerk.shot("60-search")
    page.get_by_role("link", name=f"Công văn: {SUBJECT}").click()
    expect(page).to_have_url(f"{live_url}/documents/{wanted}")

    page.get_by_role("link", name="Sổ đăng ký").click()
    expect(page.get_by_test_id("books")).to_contain_text("Sổ văn bản đến")
    page.get_by_test_id("books").locator('[data-book="incoming"] a').first.click()
    entries = page.get_by_test_id("entries")
    expect(entries.locator("tbody tr")).to_have_count(2)
    page.fill("#q", "tiem chung")
    page.get_by_role("button", name="Lọc").click()
    expect(entries.locator("tbody tr")).to_have_count(1)
    expect(entries).to_contain_text("Kế hoạch tiêm chủng mở rộng năm 2026")
    expect(page.get_by_role("link", name="In sổ cả năm (PDF)")).to_be_visible()
    clerk.shot("61-register")
    page.emulate_media(media="print")  # the printable view: the table alone
    expect(page.locator("header.top")).to_be_hidden()
    expect(page.locator("form.filters")).to_be_hidden()
    expect(entries).to_be_visible()
    clerk.shot("62-register-print")
    page.emulate_media(media="screen")

    director = Staff(browser, live_url, "btl_director", backend(platform)).login()
    director.page.get_by_role("link", name="Báo cáo", exact=True).click()
    for chart in ("chart-months", "chart-units"):
        canvas = director.page.get_by_test_id(chart)
        expect(canvas).to_be_visible()
        # Chart.js has drawn (the page's script marks the canvas once its chart is made). Waited
        # for, since the canvas shows as soon as it is parsed, before the scripts at the page's end
        # run; not with wait_for_function, whose polling evaluates a string the page's CSP forbids.
        expect(canvas).to_have_attribute("data-drawn", "true", timeout=90_000)
        assert (canvas.bounding_box() or {}).get("height", 0) > 100
    expect(director.page.get_by_test_id("by-month").locator('[data-total="processed"]')).to_have_text("1")
    expect(director.page.get_by_test_id("by-month").locator('[data-total="unsigned"]')).to_have_text("1")
    director.shot("63-reports")
    for person in (clerk, director):
        person.close()

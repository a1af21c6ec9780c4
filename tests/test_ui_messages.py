"""In the browser: a message sent by one person reaches the other unread (the header's
count and the conversation's mark), and is read once opened; a record is opened and
filled; the compliance chart is drawn by the vendored Chart.js. Screenshots kept."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.test_compliance_stats import PERIOD, _laichau_incoming_handled
from tests.test_records import INCOMING, _document

TEXT = "Chị Hà gửi anh báo cáo tiêm chủng mở rộng tuần 9, nhờ anh xem giúp."


def test_a_message_arrives_unread_and_is_read_once_opened(browser: Browser, live_url: str,  # noqa: F811
                                                          platform: Platform) -> None:
    sender = Staff(browser, live_url, "btl_spec_khnv", backend(platform)).login()
    receiver = Staff(browser, live_url, "btl_head_khnv", backend(platform)).login()
    expect(receiver.page.get_by_test_id("messages-unread")).to_have_text("0")

    page = sender.page
    page.get_by_role("link", name="Tin nhắn").click()
    page.get_by_role("link", name="Tin nhắn mới").click()
    page.get_by_role("button", name="Gửi").click()  # nothing chosen: refused, beside the fields
    expect(page.locator('[data-error-for="members"]')).to_be_visible()
    page.get_by_label("Hoàng Văn Bình – KHNV").check()
    page.fill("#text", TEXT)
    sender.shot("40-message-new")
    page.get_by_role("button", name="Gửi").click()
    expect(page.locator(".flash")).to_contain_text("Đã gửi tin nhắn.")
    expect(page.locator(".messages-list")).to_contain_text(TEXT)
    sender.shot("41-message-sent")

    receiver.page.goto("/messages")
    expect(receiver.page.get_by_test_id("messages-unread")).to_have_text("1")
    expect(receiver.page.get_by_test_id("conversation-unread")).to_have_text("1 chưa đọc")
    receiver.shot("42-message-unread")
    receiver.page.get_by_role("link", name="Vũ Thu Hà").click()
    expect(receiver.page.locator(".messages-list")).to_contain_text(TEXT)
    expect(receiver.page.get_by_test_id("messages-unread")).to_have_text("0")
    receiver.page.fill("#text", "Anh đã nhận, cảm ơn em.")
    receiver.page.get_by_role("button", name="Gửi").click()
    expect(receiver.page.locator(".messages-list .event")).to_have_count(2)
    receiver.shot("43-message-read-and-answered")
    receiver.page.goto("/messages")
    expect(receiver.page.get_by_test_id("conversation-unread")).to_have_count(0)

    sender.page.goto("/messages")
    expect(sender.page.get_by_test_id("messages-unread")).to_have_text("1")  # the answer, unread by her
    for person in (sender, receiver):
        person.close()


def test_a_record_is_opened_and_filled(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                       api: Api) -> None:
    _document(api, *INCOMING[0])
    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    page = clerk.page
    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    page.get_by_role("link", name="Lập hồ sơ").click()
    page.fill("#notation", "01.TCMR")
    page.fill("#title", "Hồ sơ tiêm chủng mở rộng năm 2026")
    page.get_by_role("button", name="Lập hồ sơ").click()
    expect(page.locator('[data-error-for="retention"]')).to_be_visible()  # no retention chosen
    expect(page.locator("#title")).to_have_value("Hồ sơ tiêm chủng mở rộng năm 2026")
    page.select_option("#retention", "20 năm")
    page.get_by_role("button", name="Lập hồ sơ").click()
    expect(page.get_by_test_id("record-code")).to_have_text("000.99.01.H26.2026.01.TCMR")
    page.select_option("#document_id", index=1)
    page.get_by_role("button", name="Đưa vào hồ sơ").click()
    expect(page.locator("tr[data-document]")).to_have_count(1)
    expect(page.locator("tr[data-document]")).to_contain_text("Quyết định về tiêm chủng mở rộng năm 2026")
    clerk.shot("44-record")
    clerk.close()


def test_the_compliance_chart_is_drawn(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                       api: Api, clock: FakeClock) -> None:
    _laichau_incoming_handled(api, clock)
    director = Staff(browser, live_url, "laichau_director", backend(platform)).login()
    director.page.goto(f"/statistics?{PERIOD}")
    expect(director.page.locator("#statistics-chart")).to_have_attribute("data-drawn", "1")
    expect(director.page.get_by_test_id("statistics-units")).to_contain_text("Phòng Quản lý công nghiệp")
    director.shot("45-statistics")
    director.close()

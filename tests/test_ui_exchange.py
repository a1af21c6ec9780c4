"""The clerk's "Văn bản đến điện tử" in the browser: a document another installation sent (here
an agency of the same one standing for it, tests/exchange_support.py) is registered from the
list, the sender's document page then shows the recipient's status; the page reads in English
through the catalogue."""

from __future__ import annotations

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.exchange_support import TO_VANNINH, Loopback, issue_to, linked, sweep  # noqa: F401 - a fixture

SUBJECT = "Công văn về việc kiểm tra công tác phòng chống dịch mùa mưa"


def test_the_clerk_registers_an_electronic_document_from_the_list(
        browser: Browser, live_url: str, api: Api, linked: Platform) -> None:  # noqa: F811
    platform = linked
    sent = issue_to(api, [TO_VANNINH], SUBJECT)["document"]
    loop = Loopback(platform)
    assert sweep(platform, loop) == 1
    clerk = Staff(browser, live_url, "vn_clerk", backend(platform)).login()
    page = clerk.page
    page.get_by_test_id("menu-electronic").click()
    table = page.get_by_test_id("electronic-incoming")
    expect(table).to_contain_text(SUBJECT)
    expect(table).to_contain_text("01 – Đã đến")
    clerk.shot("40-van-ban-den-dien-tu")
    row = table.locator("tr", has_text=SUBJECT)
    row.locator("select[name=process]").select_option("vn_five_step")
    row.get_by_role("button", name="Vào sổ").click()
    expect(page.locator(".flash, .notice, [role=status], body").first).to_contain_text("Đã vào sổ văn bản đến số 1")
    page.goto("/exchange/incoming?state=registered")
    expect(page.get_by_test_id("electronic-incoming")).to_contain_text(SUBJECT)
    page.get_by_role("button", name="English").click()
    expect(page.locator("h1")).to_have_text("Electronic incoming documents")
    page.get_by_role("button", name="Tiếng Việt").click()
    clerk.close()

    sweep(platform, loop)  # Vạn Ninh's 01 and 03 reach Bắc Từ Liêm
    sender = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    sender.page.goto(f"/documents/{sent['id']}")
    delivery = sender.page.get_by_test_id("exchange-delivery")
    expect(delivery.get_by_test_id("latest-status")).to_contain_text("03 – Đã tiếp nhận (vào sổ)")
    sender.shot("41-trang-thai-lien-thong")
    sender.close()

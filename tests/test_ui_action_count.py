"""The Bắc Từ Liêm outgoing path (btl_outgoing) from each person's inbox, counting their
clicks and fields per step; the test prints the table that the README quotes. Before issue 17
the same path took 21 actions (11 clicks, 10 fields: the head chose the signer, the clerk typed
the recipient's name, chose its unit and its delivery); the forms' defaults and the address
book take three fields off."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.drafts import plan_draft
from tests.ui_actions import ActionCount

SUBJECT = "Kế hoạch tiêm chủng mở rộng quý III năm 2026"


def test_btl_outgoing_actions_per_step(browser: Browser, live_url: str, platform: Platform,  # noqa: F811
                                       tmp_path: Path) -> None:
    name = backend(platform)
    spec, head, director, clerk = (Staff(browser, live_url, u, name).login() for u in
                                   ("btl_spec_khnv", "btl_head_khnv", "btl_director", "btl_clerk"))
    count = ActionCount()
    pdf = tmp_path / "ke-hoach.pdf"
    pdf.write_bytes(plan_draft())

    page = spec.page
    count.start(page, "Chuyên viên soạn thảo, tải tệp, trình")
    count.click(page.get_by_role("link", name="Tạo văn bản"))
    count.click(page.get_by_role("link", name="Văn bản đi – Trung tâm Y tế Bắc Từ Liêm"))
    count.fill(page.locator("#subject"), SUBJECT)
    count.choose(page.locator("#doc_type"), "KH")
    count.tick(page.get_by_label("Khẩn", exact=True))
    count.click(page.get_by_role("button", name="Khởi tạo"))
    count.pick_file(page.locator("#upload-file"), pdf)
    count.click(page.get_by_role("button", name="Tải lên"))
    expect(page.get_by_test_id("files")).to_contain_text("ke-hoach.pdf")
    count.click(page.get_by_role("button", name="Trình lãnh đạo phòng"))
    expect(page.locator(".flash")).to_contain_text("Đã trình lãnh đạo phòng")

    page = head.page
    count.start(page, "Trưởng phòng duyệt, trình Giám đốc")
    count.click(page.get_by_role("link", name="Lãnh đạo phòng duyệt"))
    expect(page.get_by_label("Giám đốc ký")).to_be_checked()  # the form's default (its UI description)
    count.click(page.get_by_role("button", name="Duyệt và trình"))
    expect(page.locator(".flash")).to_be_visible()

    page = director.page
    count.start(page, "Giám đốc ký số")
    count.click(page.get_by_role("link", name="Giám đốc ký"))
    count.fill(page.locator("#signing_password"), DEMO_PASSWORD)
    count.click(page.get_by_role("button", name="Ký số"))
    expect(page.locator(".flash")).to_be_visible()

    page = clerk.page
    count.start(page, "Văn thư lấy số, phát hành")
    count.click(page.get_by_role("link", name="Văn thư"))
    page.wait_for_load_state()  # the page's scripts run, as a person waits to see the document
    count.choose(page.locator("#recipients-0-book"), "unit:KSDB")  # the address book fills the row
    expect(page.locator("#recipients-0-name")).to_have_value("Khoa Kiểm soát dịch bệnh")
    expect(page.locator("#recipients-0-unit")).to_have_value("KSDB")
    count.fill(page.locator("#agency_password"), DEMO_PASSWORD)
    count.click(page.get_by_role("button", name="Lấy số và phát hành"))
    expect(page.locator(".flash")).to_contain_text("Đã lấy số và phát hành")

    print(f"\nBắc Từ Liêm, văn bản đi ({name}): actions per step from the inbox\n{count.table()}")
    assert [(s.clicks, s.fields) for s in count.steps] == [(5, 4), (2, 0), (2, 1), (2, 2)]
    for person in (spec, head, director, clerk):
        person.close()

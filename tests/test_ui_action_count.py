"""The Bắc Từ Liêm outgoing path (btl_outgoing) from each person's inbox, counting their
clicks and fields per step; the test prints the table that the README quotes."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Browser, expect

from engine.demo import DEMO_PASSWORD
from engine.platform import Platform
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
    count.click(page.get_by_role("button", name="Hoàn thành"))
    expect(page.locator(".flash")).to_be_visible()

    page = head.page
    count.start(page, "Trưởng phòng duyệt, trình Giám đốc")
    count.click(page.get_by_role("link", name="Lãnh đạo phòng duyệt"))
    count.tick(page.get_by_label("Giám đốc ký"))
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
    count.fill(page.locator("#recipients-0-name"), "Khoa Kiểm soát dịch bệnh")
    count.choose(page.locator("#recipients-0-unit"), "KSDB")
    count.tick(page.locator('input[name="recipients-0-delivery"][value="electronic"]'))
    count.fill(page.locator("#agency_password"), DEMO_PASSWORD)
    count.click(page.get_by_role("button", name="Lấy số và phát hành"))
    expect(page.locator(".flash")).to_be_visible()

    print(f"\nBắc Từ Liêm, văn bản đi ({name}): actions per step from the inbox\n{count.table()}")
    for person in (spec, head, director, clerk):
        person.close()

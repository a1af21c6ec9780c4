"""The clerk's scan in Chromium (issue 20 item 1): the scan is uploaded from the incoming entry
page, the page shows the recognition's progress while the worker runs, then comes back with the
register fields filled from the scan, each marked for the clerk to confirm; the entry made from it
has the recognised PDF/A, signed by the agency with the conversion mark, as its main file."""

from __future__ import annotations

import re
import subprocess

from playwright.sync_api import Browser, expect
from sqlalchemy import select

from engine.core.platform import Platform
from engine.demo import DEMO_PASSWORD
from engine.documents.storage import FileStore
from engine.models import Document
from engine.scans import queue
from tests import scans
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures


def test_the_entry_page_follows_the_scan_and_marks_the_fields_it_read(
        browser: Browser, live_url: str, platform: Platform, tmp_path) -> None:  # noqa: F811
    scan = tmp_path / "ban-quet-cong-van.pdf"
    scan.write_bytes(scans.scanned_pdf())
    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    page = clerk.page
    page.goto("/documents/incoming/new")
    page.locator("#scan-file").set_input_files(str(scan))
    page.get_by_role("button", name="Nhận dạng và điền sẵn").click()
    expect(page.get_by_test_id("scan-status")).to_contain_text("0/1 trang", timeout=60_000)
    # The worker's job, as `qlvb worker` runs it; the page notices by itself and reloads.
    assert queue.run_next(platform.db, FileStore(platform.settings.files_dir), platform.clock.now())
    expect(page.get_by_test_id("scan-done")).to_be_visible(timeout=90_000)
    number = page.locator("[name=number_symbol]")
    expect(number).to_have_value(scans.NUMBER)
    expect(number).to_have_class(re.compile(r"\bprefilled\b"))
    expect(page.locator("[name=document_date]")).to_have_value(scans.DATE)
    expect(page.locator("[name=issuer_name]")).to_have_value(scans.ISSUER)
    expect(page.locator("[name=channel][value=paper]")).to_be_checked()
    clerk.shot("scan-prefilled")
    number.fill(scans.NUMBER)  # confirmed by hand: no longer marked
    expect(number).not_to_have_class(re.compile(r"\bprefilled\b"))
    page.locator("[name=arrival_date]").fill("2026-03-02")
    page.locator("#agency_password").fill(DEMO_PASSWORD)  # the agency signs the converted copy
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator(".flash.success, .error-summary").first).to_contain_text(
        "Đã bắt đầu quy trình văn bản đến", timeout=60_000)
    clerk.close()
    with platform.db.read() as s:
        doc = s.scalars(select(Document).where(Document.number_symbol == scans.NUMBER)).one()
        main = next(f for f in doc.files if f.role == "main")
        path = FileStore(platform.settings.files_dir).path(main.sha256)
    text = " ".join(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout.decode()
                    .split())
    assert "Bản điện tử được chuyển đổi từ văn bản giấy" in text and "sốt xuất huyết" in text

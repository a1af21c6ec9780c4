"""The archives page in real Chromium: the clerk goes from the records list to "Lưu trữ", finds the
closed record due for hand-over and downloads its package by the link; the zip the browser saved
is the record's E-ARK package, valid against the METS XSD with its checksums matching."""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

from lxml import etree
from playwright.sync_api import Browser, expect

from engine.archives import mets, schema
from engine.core.platform import Platform
from tests.browser import Staff, backend, browser, live_url  # noqa: F401 - fixtures
from tests.conftest import Api
from tests.test_archives import _document, _record


def test_the_clerk_downloads_a_hand_over_package_from_the_archives_page(
        browser: Browser, live_url: str, platform: Platform, api: Api, tmp_path: Path) -> None:  # noqa: F811
    docs = [_document(api, n, f"Van ban so {n}") for n in (1, 2, 3)]
    record_id = _record(api, "05.PCD", "10 năm", "2024-06-30", [d for d, _ in docs])
    clerk = Staff(browser, live_url, "btl_clerk", backend(platform)).login()
    page = clerk.page
    page.goto(f"{live_url}/records")
    page.get_by_role("link", name="Lưu trữ: nộp lưu, tiêu hủy").click()
    row = page.locator(f'[data-testid="handover-due"] tr[data-record="{record_id}"]')
    expect(row).to_contain_text("000.99.01.H26.2024.05.PCD")
    expect(row).to_contain_text("30/06/2025")  # a year after its end
    clerk.shot("60-archives-due")
    with page.expect_download(timeout=120_000) as download:
        row.get_by_role("link", name="Tải gói nộp lưu (METS, EAD, PREMIS)").click()
    assert download.value.suggested_filename == "goi-nop-luu-000.99.01.H26.2024.05.PCD.zip"
    saved = tmp_path / "package.zip"
    download.value.save_as(saved)
    archive = zipfile.ZipFile(saved)
    root = "000.99.01.H26.2024.05.PCD"
    manifest = archive.read(f"{root}/METS.xml")
    assert schema.errors("mets", manifest) == []
    files = etree.fromstring(manifest).xpath("//m:file", namespaces={"m": mets.NS})
    assert len(files) == 6  # three originals, three PDF/A copies
    for node in files:
        href = node.find(f"{{{mets.NS}}}FLocat").get(f"{{{mets.XLINK}}}href")
        assert hashlib.sha256(archive.read(f"{root}/{href}")).hexdigest() == node.get("CHECKSUM")
    clerk.close()

"""Printed registers, read back with poppler: every Appendix IV column, Vietnamese text with
its diacritics, page numbers, headings on every page, and a page that is not blank."""

from __future__ import annotations

import shutil
import subprocess
import unicodedata
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import select

from engine.core.config import DEFAULT_PDF_FONT_BOLD, Settings
from engine.core.platform import Platform
from engine.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Delivery,
    Direction,
    Document,
    Recipient,
    RegisterBook,
    Unit,
    User,
)
from engine.registry import register_pdf
from tests.conftest import START, Api
from tests.flows import issue_via_deputy

INCOMING_TITLES = ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu văn bản", "Ngày tháng văn bản",
                   "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển", "Ký nhận", "Ghi chú"]
OUTGOING_TITLES = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung", "Người ký",
                   "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu", "Số lượng bản", "Ngày chuyển", "Ký nhận",
                   "Ghi chú"]
SUBJECT = "Về việc tổ chức tiêm chủng mở rộng đợt 1 năm 2026"


def _poppler(tool: str) -> str:
    path = shutil.which(tool)
    assert path, f"{tool} is missing: run scripts/system-deps.sh (Debian package poppler-utils)"
    return path


def _text(pdf: Path, page: int | None = None) -> str:
    """The text in content order (-raw keeps each table cell's lines together), with runs
    of white space made single spaces so that wrapped cells read as one line."""
    pages = ["-f", str(page), "-l", str(page)] if page else []
    out = subprocess.run([_poppler("pdftotext"), "-raw", "-enc", "UTF-8", *pages, str(pdf), "-"],
                         check=True, capture_output=True).stdout.decode()
    return " ".join(out.split())


def _print(api: Api, tmp_path: Path, code: str, year: int = 2026, user: str = "btl_clerk") -> Path:
    r = api.get(user, f"/api/v1/registers/{code}/print?year={year}")
    assert r.status_code == 200, r.get_json()
    assert r.mimetype == "application/pdf"
    assert f"so-{code}-{year}.pdf" in r.headers["Content-Disposition"]
    assert r.data.startswith(b"%PDF-")
    path = tmp_path / f"{code}-{year}.pdf"
    path.write_bytes(r.data)
    return path


def _register(api: Api, subject: str = SUBJECT, **data: str) -> int:
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": "incoming", "data": {
        "doc_type": "QĐ", "subject": subject, "number_symbol": "125/QĐ-SYT", "issuer_name": "Sở Y tế Hà Nội",
        "document_date": "2026-02-27", **data}, "confirm_duplicates": True})  # the same number, many times
    assert r.status_code == 201, r.get_json()
    document_id: int = r.get_json()["document"]["id"]
    return document_id


def _hand_over(platform: Platform, document_id: int) -> None:
    with platform.db.write() as s:
        clerk = s.scalar(select(User.id).where(User.username == "btl_clerk"))
        units = dict(s.execute(select(Unit.code, Unit.id)).all())
        assert clerk is not None
        s.add_all([
            Assignment(document_id=document_id, from_user_id=clerk, to_unit_id=units["KHNV"],
                       role=AssignmentRole.MAIN, status=AssignmentStatus.OPEN, created_at=START),
            Assignment(document_id=document_id, from_user_id=clerk, to_unit_id=units["KSDB"],
                       role=AssignmentRole.CO, status=AssignmentStatus.OPEN, created_at=START),
        ])


def test_incoming_register_has_every_column_and_correct_vietnamese(api: Api, platform: Platform,
                                                                    tmp_path: Path) -> None:
    handed = _register(api, urgency="hoa_toc", due_date="2026-03-16")
    _hand_over(platform, handed)
    # Decomposed diacritics (as some scanners and Mac keyboards send them) print as composed letters.
    _register(api, unicodedata.normalize("NFD", "Về việc giám sát dịch sốt xuất huyết"), number_symbol="18/CV-UBND",
              issuer_name=unicodedata.normalize("NFD", "Ủy ban nhân dân phường Đông Ngạc"))
    _register(api, secrecy="mat", subject="Về việc bảo vệ bí mật nhà nước")  # its own book: not in this one
    pdf = _print(api, tmp_path, "incoming")
    text = _text(pdf)
    for title in ["TRUNG TÂM Y TẾ QUẬN BẮC TỪ LIÊM", "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN", "Năm 2026",
                  "Sổ văn bản đến: từ số 01 đến số 02 (2 văn bản)", *INCOMING_TITLES]:
        assert title in text, title
    assert "02/03/2026 1 Sở Y tế Hà Nội 125/QĐ-SYT 27/02/2026 Quyết định Về việc tổ chức tiêm chủng mở rộng" in text
    assert "Phòng Kế hoạch – Nghiệp vụ Khoa Kiểm soát dịch bệnh (phối hợp) 02/03/2026" in text
    assert "Hỏa tốc Hạn xử lý: 16/03/2026" in text
    assert "Ủy ban nhân dân phường Đông Ngạc 18/CV-UBND" in text
    assert "Về việc giám sát dịch sốt xuất huyết" in text
    assert "bí mật nhà nước" not in text
    assert "Trang 1/1" in text

    png = tmp_path / "page"
    subprocess.run([_poppler("pdftoppm"), "-r", "50", "-png", "-f", "1", "-l", "1", "-singlefile", str(pdf),
                    str(png)], check=True)
    with Image.open(png.with_suffix(".png")) as image:
        width, height = image.size
        assert width > height  # landscape
        dark = sum(image.convert("L").histogram()[:128])
    assert dark > width * height // 100, "page 1 looks blank"


def test_outgoing_register_of_the_issued_documents(api: Api, platform: Platform, tmp_path: Path) -> None:
    case = issue_via_deputy(api)
    # The procedure's forms do not ask for the signer and recipients yet: record them here.
    with platform.db.write() as s:
        doc = s.get(Document, case["document"]["id"])
        assert doc is not None
        doc.signer_authority, doc.signer_position, doc.signer_name = "KT.", "Phó Giám đốc", "Lê Thị Hồng Nhung"
        doc.recipients = [Recipient(name="Sở Y tế Hà Nội", delivery=Delivery.ELECTRONIC),
                          Recipient(name="Ủy ban nhân dân quận Bắc Từ Liêm", delivery=Delivery.PAPER)]
    text = _text(_print(api, tmp_path, "outgoing", user="btl_director"))
    for title in ["SỔ ĐĂNG KÝ VĂN BẢN ĐI", "Sổ văn bản đi: từ số 01 đến số 01 (1 văn bản)", *OUTGOING_TITLES]:
        assert title in text, title
    assert "01/KH-TTYT 02/03/2026 Kế hoạch Kế hoạch tiêm chủng mở rộng quý II năm 2026" in text
    assert ("KT. Phó Giám đốc Lê Thị Hồng Nhung Sở Y tế Hà Nội; Ủy ban nhân dân quận Bắc Từ Liêm "
            "Văn thư; Khoa Kiểm soát dịch bệnh 02/03/2026") in text


def test_a_long_register_repeats_its_headings_and_numbers_its_pages(api: Api, tmp_path: Path) -> None:
    for n in range(24):
        _register(api, f"{SUBJECT}, lần {n + 1}: " + "báo cáo kết quả tiêm chủng từng phường " * 4)
    pdf = _print(api, tmp_path, "incoming")
    last = _text(pdf).rsplit("Trang ", 1)[1]
    pages = int(last.split("/")[1].split()[0])
    assert pages >= 2
    for page in (1, pages):
        text = _text(pdf, page)
        assert f"Trang {page}/{pages}" in text
        assert all(title in text for title in INCOMING_TITLES), page
    assert "lần 24:" in _text(pdf, pages)


def test_an_empty_year_prints_an_empty_register(api: Api, tmp_path: Path) -> None:
    text = _text(_print(api, tmp_path, "incoming", year=2025))
    assert "Sổ văn bản đến: chưa có văn bản nào" in text
    assert all(title in text for title in INCOMING_TITLES)
    assert "Năm 2025" in text


def test_the_font_is_configurable_and_a_missing_one_is_named(tmp_path: Path) -> None:
    settings = Settings.from_env({"QLVB_DATA_DIR": str(tmp_path), "QLVB_PDF_FONT": "/srv/fonts/TimesVN.ttf"})
    assert (settings.pdf_font, settings.pdf_font_bold) == (Path("/srv/fonts/TimesVN.ttf"), DEFAULT_PDF_FONT_BOLD)
    book = RegisterBook(code="incoming", name="Sổ văn bản đến", direction=Direction.INCOMING)
    fonts = register_pdf.Fonts(settings.pdf_font, settings.pdf_font_bold)
    with pytest.raises(RuntimeError, match="TimesVN.ttf: cài gói fonts-noto-core hoặc đặt QLVB_PDF_FONT"):
        register_pdf.render("Trung tâm Y tế", book, 2026, [], None, None, fonts, START)

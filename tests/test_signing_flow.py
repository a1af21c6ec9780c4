"""The Decree 30 signing flow with PKCS#12 keys: leader, clerk's number and date, agency; the
attachment stamp; what the pages look like; the order the steps must follow."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
from PIL import Image

from signing.errors import DocumentRejected, KeyUnavailable, WrongSecret
from signing.keystore.keys import Pkcs12Key
from signing.pades.pdfsig import pdfsig
from signing.pades.pdfsign import sign_agency, sign_attachment, sign_leader
from signing.pades.verify import signature_status, verify_pdf
from signing.pdf import appearance
from signing.pdf.appearance import LEADER_IMAGE, Box, display_time, seal_box
from signing.pdf.draft import DraftLayout, fill_number, prepare_draft
from tests import signing_support as s
from tests.pdfs import minimal_pdf


def test_leader_then_number_then_agency_validates_in_pyhanko_pdfsig_and_qpdf() -> None:
    pdf = s.fully_signed()
    reports = verify_pdf(pdf, [s.demo_pki().root.certificate])
    assert [(r.field, r.signer, r.valid, r.trusted, r.intact) for r in reports] == [
        ("LanhDao", s.LEADER, True, True, True), ("CoQuan", s.AGENCY, True, True, True)]
    # filling the prepared number and date fields is the only change after the leader signed
    assert [r.modification_level for r in reports] == ["form_filling", "none"]
    assert all(r.reason is None for r in reports)
    assert reports[0].signing_time == appearance.iso_time(s.WHEN)
    assert signature_status(reports) == "valid"

    poppler = pdfsig(pdf, [s.demo_pki().root.certificate])
    assert [(p["field"], p["signature_valid"], p["certificate_trusted"]) for p in poppler] == [
        ("LanhDao", True, True), ("CoQuan", True, True)]
    assert poppler[1]["whole_document"] and poppler[0]["lines"]["Signature Type"] == "ETSI.CAdES.detached"

    check = s.qpdf_check(pdf)
    assert check.returncode == 0, check.stdout + check.stderr


def test_reports_are_plain_json() -> None:
    import json

    reports = verify_pdf(s.fully_signed(), [s.demo_pki().root.certificate])
    assert json.loads(json.dumps([r.to_json() for r in reports]))[1]["field"] == "CoQuan"


def test_appearance_text_reads_back_in_vietnamese() -> None:
    text = s.pdf_text(s.fully_signed())
    for expected in ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", s.LEADER, f"Ký bởi: {s.LEADER}", f"Cơ quan: {s.AGENCY}",
                     f"Thời gian ký: {display_time(s.WHEN)}", "Số: 05/QĐ-TTYT", "Hà Nội, ngày 02 tháng 3 năm 2026"):
        assert expected in text, expected
    assert display_time(s.WHEN).endswith(" +07:00")


def _ink(image: Image.Image, box: Box, page_height: float = 842) -> tuple[int, int]:
    """Pixels in ``box`` (PDF points) that are not white, and of those the red ones."""
    crop = image.crop((round(box.x1), round(page_height - box.y2), round(box.x2), round(page_height - box.y1)))
    raw = crop.tobytes()
    pixels = [tuple(raw[i:i + 3]) for i in range(0, len(raw), 3)]
    inked = [p for p in pixels if min(p) < 200]
    red = [p for p in inked if p[0] > 150 and p[1] < 100 and p[2] < 100]
    return len(inked), len(red)


def test_rendered_page_shows_signature_image_and_seal_over_its_left_third() -> None:
    page = s.render(s.fully_signed())
    leader = DraftLayout().leader
    image = LEADER_IMAGE.shifted(leader.x1, leader.y1)
    left_third = Box(image.x1, image.y1, image.x1 + image.width / 3, image.y2)
    right_two_thirds = Box(image.x1 + image.width / 3 + 2, image.y1, image.x2, image.y2)
    inked, red = _ink(page, left_third)
    assert inked > 100 and red > 50  # the seal lies over the left third
    inked, red = _ink(page, right_two_thirds)
    assert inked > 100 and red == 0  # the rest is the blue signature alone
    assert seal_box(leader).x2 == pytest.approx(image.x1 + image.width / 3)


def test_leader_signature_alone_shows_no_seal() -> None:
    page = s.render(s.leader_signed())
    inked, red = _ink(page, DraftLayout().leader)
    assert inked > 500 and red == 0


def test_attachment_stamp_top_right_of_page_one() -> None:
    pdf = sign_attachment(minimal_pdf("Phu luc 1"), s.p12_key(s.demo_pki().agency), s.NUMBER, s.WHEN)
    reports = verify_pdf(pdf, [s.demo_pki().root.certificate])
    assert [(r.field, r.valid) for r in reports] == [("VanThu", True)]
    lines = [line.strip() for line in s.pdf_text(pdf).splitlines() if line.strip()]
    assert s.NUMBER in lines and appearance.iso_time(s.WHEN) in lines
    assert appearance.iso_time(s.WHEN).endswith("+07:00")
    page = s.render(pdf)
    top_right = appearance.attachment_box(595, 842)
    inked, red = _ink(page, top_right)
    assert inked > 50 and red == 0  # black text, no image
    inked_elsewhere, _ = _ink(page, Box(0, 0, 300, 600))
    assert inked_elsewhere == 0
    assert b"LiberationSerif" in pdf  # Times New Roman metrics
    assert pdfsig(pdf, [s.demo_pki().root.certificate])[0]["certificate_trusted"]


def test_decomposed_vietnamese_is_normalised() -> None:
    decomposed = unicodedata.normalize("NFD", "Lê Thị Hồng Nhung")
    pdf = sign_leader(prepare_draft(s.draft()), s.p12_key(s.demo_pki().leader), decomposed, "GIÁM ĐỐC", s.AGENCY,
                      s.signature_png(), s.WHEN)
    assert "Ký bởi: Lê Thị Hồng Nhung" in s.pdf_text(pdf)


def test_draft_is_prepared_once_and_refused_once_signed() -> None:
    draft = prepare_draft(s.draft())
    assert prepare_draft(draft) == draft
    with pytest.raises(DocumentRejected, match="đã có chữ ký số"):
        prepare_draft(s.leader_signed())
    with pytest.raises(DocumentRejected, match="không phải là PDF"):
        prepare_draft(b"not a pdf")


def test_steps_must_follow_decree_30_order() -> None:
    key = s.p12_key(s.demo_pki().agency)
    with pytest.raises(DocumentRejected, match="chưa được chuẩn bị"):
        sign_leader(minimal_pdf(), s.p12_key(s.demo_pki().leader), s.LEADER, "GIÁM ĐỐC", s.AGENCY, s.signature_png())
    with pytest.raises(DocumentRejected, match="người có thẩm quyền"):
        sign_agency(prepare_draft(s.draft()), key, s.AGENCY, s.seal_png())
    with pytest.raises(DocumentRejected, match="chưa được cấp số"):
        sign_agency(s.leader_signed(), key, s.AGENCY, s.seal_png())
    with pytest.raises(DocumentRejected, match="Lãnh đạo đã ký"):
        sign_leader(s.leader_signed(), s.p12_key(s.demo_pki().leader), s.LEADER, "GIÁM ĐỐC", s.AGENCY,
                    s.signature_png())
    with pytest.raises(DocumentRejected, match="không thể điền số"):
        fill_number(s.fully_signed(), "06/QĐ-TTYT", s.ISSUED_ON)
    with pytest.raises(DocumentRejected, match="Cơ quan đã ký"):
        sign_agency(s.fully_signed(), key, s.AGENCY, s.seal_png())


def test_decree_30_date_line() -> None:
    from datetime import date

    assert appearance.decree_date(date(2026, 2, 5), "Hà Nội") == "Hà Nội, ngày 05 tháng 02 năm 2026"
    assert appearance.decree_date(date(2026, 11, 25)) == "Ngày 25 tháng 11 năm 2026"


def test_wrong_pkcs12_password_is_a_clear_error() -> None:
    data = s.demo_pki().leader.pkcs12(s.PASSWORD)
    with pytest.raises(WrongSecret, match="Mật khẩu của tệp chứng thư số"):
        Pkcs12Key(data, "sai mật khẩu")
    with pytest.raises(KeyUnavailable):
        Pkcs12Key.from_file(Path("/nonexistent.p12"), s.PASSWORD)

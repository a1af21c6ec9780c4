"""Issue 10, item 1: the number and date land where the draft puts them. Seven Decree 30 drafts
(tests/drafts.py: Quyết định, Công văn with its V/v line, Tờ trình with dotted blanks, Kế hoạch,
a one-column header, a Thông báo with no "Số:" line whose boxes are placed by hand, and a Báo
cáo whose "Số:" line leaves the whole number and symbol to the clerk) go
through the whole path: prepared, signed by the leader, numbered and dated by the clerk,
signed by the agency. Then page 1 is rendered: the number sits inside the "Số:" line, the date
with the place name on the date line, nothing else of the page changed, and the boxes held no
other ink before; both signatures are valid in pyHanko and in pdfsig."""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from PIL import Image, ImageChops
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.errors import DocumentRejected
from signing.pades.pdfsig import pdfsig
from signing.pades.pdfsign import sign_agency, sign_leader
from signing.pades.verify import verify_pdf
from signing.pdf.appearance import Box
from signing.pdf.draft import DATE_FIELD, NO_PLACE, NUMBER_FIELD, fill_number, prepare_draft
from signing.pdf.placeholders import Placement, find, placed
from tests import signing_support as s
from tests.drafts import CORPUS, Draft, make

ISSUED_ON = date(2026, 12, 7)
PAGE_HEIGHT = 841.89
MANUAL = placed(Box(60, 735, 250, 755), Box(320, 735, 560, 755))  # where a clerk clicked on the Thông báo


def _placement(draft: Draft) -> Placement | None:
    return MANUAL if draft.number_line is None else None


def _fields(pdf: bytes) -> dict[str, Box]:
    reader = PdfFileReader(io.BytesIO(pdf))
    found = {}
    for ref in reader.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field.get("/FT") == "/Tx":
            found[str(field["/T"])] = Box(*(float(v) for v in field["/Rect"]))
    return found


def _pixels(image: Image.Image, box: Box) -> Image.Image:
    """The part of a 72 dpi rendering under ``box`` (PDF points, origin bottom left)."""
    return image.crop((round(box.x1), round(PAGE_HEIGHT - box.y2), round(box.x2), round(PAGE_HEIGHT - box.y1)))


def _inked(image: Image.Image) -> int:
    return sum(image.convert("L").histogram()[:200])


def _words(pdf: bytes) -> list[tuple[str, Box]]:
    """Every word poppler reads on page 1 (the filled fields' appearances included), with its box
    in PDF points."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "doc.pdf")
        path.write_bytes(pdf)
        html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                              check=True).stdout.decode()
    words = []
    for x1, y1, x2, y2, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', html):
        words.append((text, Box(float(x1), PAGE_HEIGHT - float(y2), float(x2), PAGE_HEIGHT - float(y1))))
    return words


def _inside(inner: Box, outer: Box, slack: float = 2.5) -> bool:
    return (inner.x1 >= outer.x1 - slack and inner.x2 <= outer.x2 + slack and inner.y1 >= outer.y1 - slack
            and inner.y2 <= outer.y2 + slack)


@pytest.mark.parametrize("draft", CORPUS, ids=[d.name for d in CORPUS])
def test_number_and_date_land_where_the_draft_puts_them(draft: Draft) -> None:
    original = make(draft)
    prepared = prepare_draft(original, placed=_placement(draft))
    boxes = _fields(prepared)
    number, date_box = boxes[NUMBER_FIELD], boxes[DATE_FIELD]

    # Before filling: the page without its two placeholder lines has no ink at all under the
    # boxes (they cover nothing but the draft's own blanks), and the blank after "Số:" is blank.
    bare = s.render(make(replace(draft, number_line=None, date_line=None)))
    assert _inked(_pixels(bare, number)) == 0 and _inked(_pixels(bare, date_box)) == 0
    before = s.render(original)
    if draft.number_line and "…" not in draft.number_line:
        assert _inked(_pixels(before, number)) == 0

    leader = sign_leader(prepared, s.p12_key(s.demo_pki().leader), s.LEADER, s.POSITION, s.AGENCY,
                         s.signature_png(), s.WHEN)
    number_symbol = f"07/{draft.symbol}"
    issued = sign_agency(fill_number(leader, number_symbol, ISSUED_ON, draft.place), s.p12_key(s.demo_pki().agency),
                         s.AGENCY, s.seal_png(), s.WHEN)

    # Both signatures valid, the fields' filling the only change after the leader's.
    roots = [s.demo_pki().root.certificate]
    reports = verify_pdf(issued, roots)
    assert [(r.field, r.valid, r.trusted, r.intact) for r in reports] == [
        ("LanhDao", True, True, True), ("CoQuan", True, True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(issued, roots)] == [(True, True)] * 2

    # The words the filling added (the page's text layer keeps the draft's placeholder line under
    # the field's white ground: only the filled line is seen and printed).
    words = _words(issued)
    drafted = _words(leader)
    added = [w for w in words if w not in drafted]
    date_words = f"{draft.place}, ngày 07 tháng 12 năm 2026".split()
    assert " ".join(t for t, b in added if _inside(b, date_box)).split() == date_words, added
    if draft.number_line is None:  # placed by hand: the whole "Số: 07/TB-TTYT" in its box
        assert " ".join(t for t, b in added if _inside(b, number)).split() == ["Số:", number_symbol]
    else:
        # "07" written into the blank on the baseline band of the draft's "Số:", ending where the
        # symbol the draft prints begins (poppler may read both as one word "07/QĐ-TTYT")
        so = next(b for t, b in words if t == "Số:")
        text, filled = next((t, b) for t, b in added if t.startswith("07"))
        assert _inside(filled, Box(number.x1, number.y1, number.x2 + 80, number.y2))
        assert filled.x1 > so.x2 and abs(filled.y1 - so.y1) < 1.5
        if draft.symbol not in text:
            suffix = next(b for t, b in words if t.endswith(f"/{draft.symbol}"))  # with the dots, if any
            assert abs(filled.x2 - number.x2) < 1.5 and suffix.x2 > number.x2 and abs(suffix.y1 - so.y1) < 1.5

    # After: ink in both boxes, and outside them the header is exactly as the draft printed it.
    after = s.render(issued)
    assert _inked(_pixels(after, number)) > 20 and _inked(_pixels(after, date_box)) > 100
    header = Box(0, PAGE_HEIGHT / 2, 595, PAGE_HEIGHT)
    mask = Image.new("L", after.size, 255)
    for box in (number, date_box):
        mask.paste(0, (round(box.x1) - 1, round(PAGE_HEIGHT - box.y2) - 1, round(box.x2) + 1,
                       round(PAGE_HEIGHT - box.y1) + 1))
    changed = ImageChops.difference(_pixels(before, header), _pixels(after, header))
    changed = ImageChops.multiply(changed.convert("L"), _pixels(mask, header))
    assert changed.getbbox() is None


@pytest.mark.parametrize("draft", [d for d in CORPUS if d.number_line], ids=lambda d: d.name)
def test_fields_take_the_drafts_font_size_and_alignment(draft: Draft) -> None:
    found = find(make(draft))
    assert found is not None
    assert found.number.size == found.date.size == draft.size
    if "{symbol}" in (draft.number_line or ""):
        assert found.number.suffix == f"/{draft.symbol}" and found.number.align == "right"
    else:  # "Số:" alone: the whole number and symbol go after it
        assert (found.number.suffix, found.number.align, found.number.label) == ("", "left", "")


def test_a_draft_without_placeholders_is_refused_until_placed() -> None:
    thong_bao = make(next(d for d in CORPUS if d.number_line is None))
    assert find(thong_bao) is None
    with pytest.raises(DocumentRejected) as refused:
        prepare_draft(thong_bao)
    assert refused.value.message == NO_PLACE and "đặt vị trí số" in NO_PLACE
    assert _fields(prepare_draft(thong_bao, placed=MANUAL))[NUMBER_FIELD] == MANUAL.number.box


def test_a_citation_date_in_the_body_is_not_the_date_line() -> None:
    # "ngày 09 tháng 01 năm 2023" in the body is a written date; only the blank line is taken
    found = find(make(CORPUS[0]))
    assert found is not None and found.date.box.y1 > 740


def test_the_symbol_the_leader_signed_must_be_the_registers() -> None:
    with pytest.raises(DocumentRejected, match=r"Ký hiệu in trên văn bản đã ký \(/QĐ-TTYT\) khác"):
        fill_number(s.leader_signed(), "05/TTYT-KHNV", ISSUED_ON, "Bắc Từ Liêm")


def test_a_white_ground_behind_the_text_is_not_ink() -> None:
    found = find(make(replace(CORPUS[0], white_ground=True)))
    assert found == find(make(CORPUS[0])) and found is not None


def test_a_draft_from_another_pdf_producer() -> None:
    """fpdf2 writes its text runs and fonts differently from reportlab; the lines are found all the same."""
    from fpdf import FPDF

    from signing.pdf.fonts import TIMES_SUBSTITUTE, TIMES_SUBSTITUTE_ITALIC

    pdf = FPDF(format="A4", unit="pt")
    pdf.add_page()
    pdf.add_font("Liberation", "", str(TIMES_SUBSTITUTE))
    pdf.add_font("Liberation", "I", str(TIMES_SUBSTITUTE_ITALIC))
    pdf.set_font("Liberation", size=13)
    for x, y, text in ((40, 40, "ỦY BAN NHÂN DÂN"), (300, 40, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
                       (40, 56, "HUYỆN VẠN NINH"), (300, 56, "Độc lập - Tự do - Hạnh phúc"),
                       (40, 90, "Số:       /UBND-VP")):
        pdf.set_xy(x, y)
        pdf.cell(240 if x == 40 else 260, 16, text, align="C")
    pdf.set_font("Liberation", "I", 13)
    pdf.set_xy(300, 90)
    pdf.cell(260, 16, "Vạn Ninh, ngày      tháng      năm 2026", align="C")
    found = find(bytes(pdf.output()))
    assert found is not None and found.number.suffix == "/UBND-VP" and found.date.size == 13
    assert found.number.box.y1 == pytest.approx(found.date.box.y1) and found.number.box.x2 < found.date.box.x1

"""A scanned Vietnamese công văn made by the tests: the page laid out as Decree 30 Appendix I
draws it (fpdf2 with Noto Serif), drawn to an image at 200 dpi by pdftoppm as a scanner would,
speckled with seeded noise and wrapped as an image-only PDF."""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from pathlib import Path

from fpdf import FPDF
from PIL import Image

from engine.core.config import DEFAULT_PDF_FONT, DEFAULT_PDF_FONT_BOLD

ISSUER_PARENT = "UBND TỈNH THỬ NGHIỆM"
ISSUER = "SỞ Y TẾ"
NUMBER = "125/SYT-KHTC"
PLACE = "Thành phố Thử Nghiệm"
DATE = "2026-03-05"
SUBJECT = "Về việc tăng cường phòng chống dịch sốt xuất huyết năm 2026"
BODY = ("Thực hiện chỉ đạo của Ủy ban nhân dân tỉnh về công tác phòng, chống dịch bệnh, Sở Y tế đề nghị "
        "các đơn vị tổ chức diệt lăng quăng, bọ gậy tại khu dân cư và báo cáo kết quả trước ngày 20 tháng 3.")
SIGNER_POSITION = "GIÁM ĐỐC"
SIGNER = "Trần Minh Khoa"


def _page() -> bytes:
    pdf = FPDF(format="A4", unit="mm")
    pdf.add_font("serif", "", str(DEFAULT_PDF_FONT))
    pdf.add_font("serif", "B", str(DEFAULT_PDF_FONT_BOLD))
    pdf.set_margins(30, 20, 20)
    pdf.add_page()
    left, right = 30, 100
    pdf.set_font("serif", "", 12)
    pdf.set_xy(left, 20)
    pdf.cell(65, 6, ISSUER_PARENT, align="C")
    pdf.set_font("serif", "B", 12)
    pdf.set_xy(right, 20)
    pdf.cell(95, 6, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_xy(left, 26)
    pdf.cell(65, 6, ISSUER, align="C")
    pdf.set_xy(right, 26)
    pdf.cell(95, 6, "Độc lập - Tự do - Hạnh phúc", align="C")
    pdf.set_font("serif", "", 13)
    pdf.set_xy(left, 38)
    pdf.cell(65, 6, f"Số: {NUMBER}", align="C")
    pdf.set_xy(right, 38)
    year, month, day = DATE.split("-")
    pdf.cell(95, 6, f"{PLACE}, ngày {day} tháng {month} năm {year}", align="C")
    pdf.set_font("serif", "", 12)
    pdf.set_xy(left, 45)
    pdf.multi_cell(65, 5.5, f"V/v {SUBJECT[8:]}", align="C")
    pdf.set_font("serif", "", 14)
    pdf.set_xy(left, 68)
    pdf.cell(160, 7, "Kính gửi: Các đơn vị trực thuộc.", align="C")
    pdf.set_xy(left, 82)
    pdf.multi_cell(160, 7, BODY, align="J")
    pdf.set_font("serif", "B", 13)
    pdf.set_xy(right + 10, 130)
    pdf.cell(85, 6, SIGNER_POSITION, align="C")
    pdf.set_xy(right + 10, 160)
    pdf.cell(85, 6, SIGNER, align="C")
    return bytes(pdf.output())


def scanned_pdf(pages: int = 1, dpi: int = 200, seed: int = 7) -> bytes:
    """The công văn scanned at ``dpi`` with noise, ``pages`` times, as an image-only PDF."""
    with tempfile.TemporaryDirectory(prefix="qlvb-scan-") as folder:
        source = Path(folder, "page.pdf")
        source.write_bytes(_page())
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(source), str(Path(folder, "page"))],
                       check=True, capture_output=True)
        clean = Image.open(Path(folder, "page.png")).convert("RGB")
    noise = random.Random(seed)
    image = clean.copy()
    pixels = image.load()
    assert pixels is not None
    width, height = image.size
    for _ in range(width * height // 400):  # salt and pepper on 0.25 % of the pixels
        value = 0 if noise.random() < 0.5 else 255
        pixels[noise.randrange(width), noise.randrange(height)] = (value, value, value)
    out = io.BytesIO()
    image.save(out, format="PDF", resolution=dpi, save_all=True, append_images=[image] * (pages - 1))
    return out.getvalue()

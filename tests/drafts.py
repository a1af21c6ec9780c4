"""Real-looking Decree 30 drafts made with reportlab (Appendix I layouts, Times New Roman metrics
through Liberation Serif): the agency header, "Số: /…" and the date line, the title, a
"V/v" line for a công văn, a body, "Nơi nhận" at the bottom left. The signature block area at
the bottom right is left empty for the leader's signature."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import cache

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from signing.pdf.fonts import TIMES_SUBSTITUTE, TIMES_SUBSTITUTE_ITALIC

BOLD = "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"
MOTTO = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc")
BLANK_NUMBER = "Số:        /{symbol}"
DOTTED_NUMBER = "Số: ……/{symbol}"
OPEN_NUMBER = "Số:"  # the whole number and symbol are written after it
BLANK_DATE = "{place}, ngày      tháng      năm 2026"
DOTTED_DATE = "……, ngày …… tháng …… năm 20……"


@cache
def _fonts() -> None:
    pdfmetrics.registerFont(TTFont("Times", str(TIMES_SUBSTITUTE)))
    pdfmetrics.registerFont(TTFont("Times-Italic", str(TIMES_SUBSTITUTE_ITALIC)))
    pdfmetrics.registerFont(TTFont("Times-Bold", BOLD))


@dataclass(frozen=True)
class Draft:
    name: str
    symbol: str  # what the register will give: QĐ-TTYT, TTYT-KHNV…
    title: tuple[str, ...]  # the type name and the trích yếu, or the V/v line of a công văn
    columns: int = 2  # 2: agency left, motto right; 1: motto, agency, number and date stacked
    number_line: str | None = BLANK_NUMBER
    date_line: str | None = BLANK_DATE
    size: float = 13
    superior: str = "SỞ Y TẾ HÀ NỘI"
    agency: str = "TRUNG TÂM Y TẾ QUẬN BẮC TỪ LIÊM"
    place: str = "Bắc Từ Liêm"
    white_ground: bool = False  # a white box painted behind the text, as word processors do


BODY = (
    "Căn cứ Luật Khám bệnh, chữa bệnh ngày 09 tháng 01 năm 2023;",
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ;",
    "Theo đề nghị của Trưởng phòng Kế hoạch – Nghiệp vụ,",
    "Trung tâm Y tế quận Bắc Từ Liêm triển khai các nội dung sau đây tới các khoa, phòng",
    "và trạm y tế phường trên địa bàn; đề nghị các đơn vị thực hiện đúng thời hạn.",
)

CORPUS = (
    Draft("quyet-dinh", "QĐ-TTYT", ("QUYẾT ĐỊNH", "Về việc thành lập Tổ kiểm tra công tác phòng chống dịch")),
    Draft("cong-van", "TTYT-KHNV", ("V/v triển khai tiêm chủng mở rộng", "quý II năm 2026")),
    Draft("to-trinh", "TTr-TTYT", ("TỜ TRÌNH", "Về việc phê duyệt kế hoạch mua sắm vật tư y tế"),
          number_line=DOTTED_NUMBER, date_line=DOTTED_DATE),
    Draft("ke-hoach", "KH-TTYT", ("KẾ HOẠCH", "Tiêm chủng mở rộng quý II năm 2026")),
    Draft("quyet-dinh-mot-cot", "QĐ-UBND", ("QUYẾT ĐỊNH", "Về việc ban hành quy chế làm việc"), columns=1,
          superior="", agency="ỦY BAN NHÂN DÂN XÃ VẠN NINH", place="Vạn Ninh", size=14),
    Draft("thong-bao-khong-cho-so", "TB-TTYT", ("THÔNG BÁO", "Lịch trực Tết Nguyên đán năm 2027"),
          number_line=None, date_line=None),
    Draft("bao-cao-so-de-trong", "BC-TTYT", ("BÁO CÁO", "Kết quả công tác y tế dự phòng năm 2026"),
          number_line=OPEN_NUMBER),
)


def _centred(canvas: Canvas, font: str, size: float, x: float, y: float, text: str) -> float:
    """Draws ``text`` centred on ``x``; returns its width."""
    canvas.setFont(font, size)
    canvas.drawCentredString(x, y, text)
    return float(pdfmetrics.stringWidth(text, font, size))


def _underline(canvas: Canvas, x: float, y: float, width: float) -> None:
    canvas.setLineWidth(0.6)
    canvas.line(x - width / 2, y, x + width / 2, y)


def make(draft: Draft) -> bytes:
    """The draft as PDF bytes (A4, one page)."""
    _fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(595.28, 841.89))
    size = draft.size
    if draft.white_ground:
        canvas.setFillColorRGB(1, 1, 1)
        canvas.rect(20, 20, 555, 800, stroke=0, fill=1)
        canvas.setFillColorRGB(0, 0, 0)
    left, right = (160.0, 400.0) if draft.columns == 2 else (297.6, 297.6)
    top = 800.0
    # the motto: right column, or on top of a one-column header
    motto_y = top if draft.columns == 2 else top
    _centred(canvas, "Times-Bold", size - 1, right, motto_y, MOTTO[0])
    width = _centred(canvas, "Times-Bold", size, right, motto_y - size - 2, MOTTO[1])
    _underline(canvas, right, motto_y - size - 6, width)
    y = top if draft.columns == 2 else motto_y - 3 * size - 6
    if draft.superior:
        _centred(canvas, "Times", size - 1, left, y, draft.superior)
        y -= size + 2
    width = _centred(canvas, "Times-Bold", size - 1, left, y, draft.agency)
    _underline(canvas, left, y - 5, width / 3)
    y -= 2 * size + 8
    date_y = y if draft.columns == 2 else y - size - 8
    if draft.number_line:
        _centred(canvas, "Times", size, left, y, draft.number_line.format(symbol=draft.symbol))
    if draft.columns == 2:
        y -= size + 4
    if draft.symbol.startswith("TTYT-") or draft.title[0].startswith("V/v"):  # công văn: V/v under the number
        for line in draft.title:
            _centred(canvas, "Times", size - 1, left, y, line)
            y -= size
        title: tuple[str, ...] = ()
    else:
        title = draft.title
    if draft.date_line:
        canvas.setFont("Times-Italic", size)
        date_x = right if draft.columns == 2 else 560.0
        text = draft.date_line.format(place=draft.place)
        if draft.columns == 2:
            canvas.drawCentredString(date_x, date_y, text)
        else:
            canvas.drawRightString(date_x, date_y, text)
    y = min(y, date_y) - 3 * size
    for i, line in enumerate(title):
        _centred(canvas, "Times-Bold", size + (1 if i == 0 else 0), 297.6, y, line)
        y -= size + 4
    y -= size
    canvas.setFont("Times", size)
    for line in BODY:
        canvas.drawString(70, y, line)
        y -= size * 1.5
    canvas.setFont("Times-Bold", 12)
    canvas.drawString(60, 230, "Nơi nhận:")
    canvas.setFont("Times", 11)
    for i, line in enumerate(("- Như trên;", "- Sở Y tế (để b/c);", "- Lưu: VT, KHNV.")):
        canvas.drawString(60, 216 - 12 * i, line)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@cache
def made(name: str) -> bytes:
    return make(next(d for d in CORPUS if d.name == name))


def plan_draft() -> bytes:
    """The Kế hoạch of the Bắc Từ Liêm procedure tests (symbol KH-TTYT)."""
    return made("ke-hoach")


def open_draft() -> bytes:
    """A draft whose "Số:" line leaves the whole number and symbol to the clerk: it fits any
    agency and type, as the procedure tests of every agency need."""
    return made("bao-cao-so-de-trong")

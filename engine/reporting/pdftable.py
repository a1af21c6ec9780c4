"""Printable tables as PDF (registers, a record's list of documents): A4 landscape, a
Vietnamese-capable TrueType font, headings repeated on every page, page numbers."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fpdf import FPDF, FontFace
from fpdf.enums import MethodReturnValue, TableCellFillMode

from engine.printouts import footer
from engine.printouts.marks import PrintMark

_FAMILY = "body"
_BODY_PT = 9
_LINE_MM = 4.2
_PADDING_MM = 1.0
# A row must fit on one page (the table cannot split it): long cells are cut to this.
_MAX_CELL_LINES = 24


@dataclass(frozen=True)
class Fonts:
    regular: Path
    bold: Path


@dataclass(frozen=True)
class Sheet:
    heading: list[tuple[str, str, int]]  # (text, style "" or "B", size in pt), centred lines on page 1
    subtitle: str
    columns: Sequence[tuple[str, float]]  # (title, width in mm); they fill the 277 mm between the margins
    centred: set[str]  # titles of the columns whose cells are centred
    rows: Sequence[Sequence[str]]
    running_title: str  # printed with the page number at the foot of every page
    document_title: str
    author: str
    mark: PrintMark | None = None  # the printout's footer (bản in): on every page, above the page number's line


class _TablePdf(FPDF):
    def __init__(self, fonts: Fonts, running_title: str, mark: PrintMark | None) -> None:
        super().__init__(orientation="landscape", unit="mm", format="A4")
        for path in (fonts.regular, fonts.bold):
            if not path.is_file():
                # A deployment fault, not the user's: say how to fix it.
                raise RuntimeError(f"Không tìm thấy phông chữ {path}: cài gói fonts-noto-core hoặc đặt "
                                   "QLVB_PDF_FONT, QLVB_PDF_FONT_BOLD.")
        self.add_font(_FAMILY, "", str(fonts.regular))
        self.add_font(_FAMILY, "B", str(fonts.bold))
        self.running_title = running_title
        self.mark = mark
        self.band = footer.HEIGHT_MM if mark else 0.0
        self.set_margins(10, 10, 10)
        self.set_auto_page_break(True, margin=14 + self.band)

    def footer(self) -> None:
        self.set_y(-11 - self.band)
        self.set_font(_FAMILY, size=8)
        self.cell(0, 5, f"{self.running_title} – Trang {self.page_no()}/{{nb}}", align="C")
        if self.mark:
            footer.draw(self, self.mark, _FAMILY)

    def fit(self, text: str, width: float) -> str:
        """``text`` in NFC (some sources send decomposed diacritics, which would print as
        loose marks), cut to the lines a row may hold."""
        text = unicodedata.normalize("NFC", text)
        lines = self.multi_cell(width - 2 * _PADDING_MM, _LINE_MM, text, dry_run=True,
                                output=MethodReturnValue.LINES)
        assert isinstance(lines, list)  # what output=LINES returns
        if len(lines) <= _MAX_CELL_LINES:
            return text
        return "\\n".join(lines[:_MAX_CELL_LINES - 1]) + "\\n…"


def render(sheet: Sheet, fonts: Fonts, created: datetime) -> bytes:
    """The sheet as PDF bytes: the heading lines, then one table row per entry under two
    heading rows (the titles, then the column numbers (1), (2), … as Decree 30 prints them)."""
    pdf = _TablePdf(fonts, sheet.running_title, sheet.mark)
    pdf.set_title(sheet.document_title)
    pdf.set_author(sheet.author)
    pdf.set_lang("vi")
    pdf.set_creation_date(created)
    pdf.add_page()
    for text, style, size in sheet.heading:
        pdf.set_font(_FAMILY, style, size)
        pdf.cell(0, size * 0.55, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, "", 10)
    pdf.cell(0, 6, sheet.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(_FAMILY, "", _BODY_PT)
    widths = [w for _, w in sheet.columns]
    headings = FontFace(family=_FAMILY, emphasis="BOLD", size_pt=_BODY_PT, fill_color=(235, 235, 235))
    with pdf.table(col_widths=widths, width=sum(widths), line_height=_LINE_MM, padding=_PADDING_MM,
                   text_align=tuple("CENTER" if t in sheet.centred else "LEFT" for t, _ in sheet.columns),
                   headings_style=headings, num_heading_rows=2, v_align="TOP",
                   cell_fill_mode=TableCellFillMode.NONE) as table:
        for heading in ([t for t, _ in sheet.columns], [f"({i})" for i in range(1, len(sheet.columns) + 1)]):
            head = table.row()
            for text in heading:
                head.cell(text, align="CENTER")
        for values in sheet.rows:
            row = table.row()
            for text, width in zip(values, widths, strict=True):
                row.cell(pdf.fit(text, width))
    return bytes(pdf.output())

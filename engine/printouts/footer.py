"""The footer of a printed page: two lines of the mark and its QR code at the right, drawn
with fpdf2 on a page measured in millimetres (registers and reports draw it on their own pages,
document printouts on a page laid over the original's)."""

from __future__ import annotations

import io
from functools import lru_cache

import segno
from fpdf import FPDF

from engine.printouts.marks import PrintMark

HEIGHT_MM = 22.0  # the band the footer takes: its lowest 6 mm stay blank, where printers cannot print
_QR_MM = 15.0
_SIDE_MM = 10.0
_LINE_MM = 3.4
_TEXT_PT = 6.5
_MIN_PT = 4.5


@lru_cache(maxsize=64)
def qr_png(url: str) -> bytes:
    """The QR code of ``url`` as PNG (error correction M: a folded or stained paper still reads)."""
    out = io.BytesIO()
    segno.make(url, error="m", micro=False).save(out, kind="png", scale=6, border=2)
    return out.getvalue()


def draw(pdf: FPDF, mark: PrintMark, family: str, *, opaque: bool = False) -> None:
    """The mark in the bottom ``HEIGHT_MM`` of the current page; ``opaque`` paints the band white
    first (over an original's page, whose margin may hold a line or a page number)."""
    top = pdf.h - HEIGHT_MM
    if opaque:
        pdf.set_fill_color(255, 255, 255)
        pdf.rect(0, top, pdf.w, HEIGHT_MM, style="F")
    pdf.set_draw_color(120, 120, 120)
    pdf.set_line_width(0.2)
    pdf.line(_SIDE_MM, top + 0.5, pdf.w - _SIDE_MM, top + 0.5)
    pdf.image(io.BytesIO(qr_png(mark.url)), x=pdf.w - _SIDE_MM - _QR_MM, y=top + 1.2, w=_QR_MM, h=_QR_MM)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(family, size=_TEXT_PT)
    width = pdf.w - 2 * _SIDE_MM - _QR_MM - 2
    for number, text in enumerate(mark.lines()):
        # A long agency name or address must not run under the QR code: the line shrinks instead.
        size = _TEXT_PT
        while size > _MIN_PT and pdf.get_string_width(text) > width:
            size -= 0.25
            pdf.set_font(family, size=size)
        pdf.set_xy(_SIDE_MM, top + 2.5 + number * _LINE_MM)
        pdf.cell(width, _LINE_MM, text, align="L")
        pdf.set_font(family, size=_TEXT_PT)

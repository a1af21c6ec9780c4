"""Where a draft wants its number and date: the "Số:" line and the "…, ngày … tháng … năm …"
line on page 1 (Decree 30 Appendix I), read from the text positions of the PDF with pdfminer.six.

The number goes into the blank after "Số:" (before the symbol the draft already prints, such as
"/QĐ-TTYT"); the date replaces the whole date line, centred where it stood. Neither box may
cover any other ink of the page: a box that would is narrowed, and a "Số:" line with no room
left counts as no placeholder at all.
"""

from __future__ import annotations

import io
import re
import statistics
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTComponent, LTContainer, LTCurve, LTImage, LTPage
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.psexceptions import PSException

from signing.pdf.appearance import Align, Box

_NUMBER = re.compile(r"^\s*Số\s*:")
_DATE = re.compile(r"ngày(?P<day>.*?)tháng.*?năm", re.IGNORECASE)
_BLANK = " \u00a0.…_·-"  # what a draft prints where the number or date will go
_COLUMN_GAP = 4.0  # in font sizes: a wider gap between two glyphs of one line separates columns
_DATE_WIDTH = 20.0  # in font sizes: room for "Bắc Từ Liêm, ngày 07 tháng 12 năm 2026"
_MIN_NUMBER_WIDTH = 1.2  # in font sizes: two digits


@dataclass(frozen=True)
class Slot:
    """One field: its box on page 1, the draft's font size there, how the text is aligned in it,
    and for the number the symbol the draft prints after it (the number alone is filled in)."""

    box: Box
    size: float
    align: Align
    suffix: str = ""
    label: str = ""  # printed before the number: "Số: " in a box a person placed


@dataclass(frozen=True)
class Placement:
    number: Slot
    date: Slot


@dataclass(frozen=True)
class _Glyph:
    text: str
    box: Box
    size: float


def _walk(item: LTComponent) -> Iterator[LTComponent]:
    yield item
    if isinstance(item, LTContainer):
        for child in item:
            yield from _walk(child)


def _page_one(pdf: bytes) -> LTPage | None:
    manager = PDFResourceManager(caching=True)
    device = PDFPageAggregator(manager, laparams=None)  # the glyphs themselves, ungrouped
    interpreter = PDFPageInterpreter(manager, device)
    try:
        for page in PDFPage.get_pages(io.BytesIO(pdf), [0], maxpages=1):
            interpreter.process_page(page)
            result: LTPage = device.get_result()
            return result
    except (PSException, ValueError, KeyError, TypeError, AttributeError):
        return None  # an unreadable page has no placeholder; the caller asks for manual placement
    return None


def _visible(path: LTCurve) -> bool:
    """A stroked line or a filled shape that is not white: Word and others paint white boxes
    behind text, and clip paths paint nothing; neither is ink a field must avoid."""
    if path.stroke:
        return True
    colour = path.non_stroking_color
    values = colour if isinstance(colour, tuple) else (colour,)
    white = values in ((1,), (1, 1, 1), (0, 0, 0, 0)) or values == (1.0,)
    return bool(path.fill) and not white


def _rows(glyphs: list[_Glyph]) -> list[list[_Glyph]]:
    """Glyphs sharing a baseline band, each row left to right, rows top to bottom."""
    rows: list[list[_Glyph]] = []
    for glyph in sorted(glyphs, key=lambda g: -(g.box.y1 + g.box.y2)):
        middle = (glyph.box.y1 + glyph.box.y2) / 2
        row = rows[-1] if rows else None
        if row and abs(middle - (row[0].box.y1 + row[0].box.y2) / 2) < 0.35 * row[0].size:
            row.append(glyph)
        else:
            rows.append([glyph])
    return [sorted(row, key=lambda g: g.box.x1) for row in rows]


def _segments(row: list[_Glyph]) -> list[list[_Glyph]]:
    """A row cut where the gap between two inked glyphs is wider than a column gap."""
    segments: list[list[_Glyph]] = [[]]
    last_right: float | None = None
    for glyph in row:
        if glyph.text.strip() and last_right is not None and \
                glyph.box.x1 - last_right > _COLUMN_GAP * glyph.size:
            segments.append([])
        segments[-1].append(glyph)
        if glyph.text.strip():
            last_right = glyph.box.x2
    return [s for s in segments if any(g.text.strip() for g in s)]


def _text(glyphs: list[_Glyph]) -> str:
    return unicodedata.normalize("NFC", "".join(g.text for g in glyphs))


def _overlaps(a: Box, b: Box) -> bool:
    return a.x1 < b.x2 and b.x1 < a.x2 and a.y1 < b.y2 and b.y1 < a.y2


def _inked(glyphs: list[_Glyph]) -> list[_Glyph]:
    return [g for g in glyphs if g.text.strip() and g.text not in _BLANK]


def _span(glyphs: list[_Glyph]) -> Box:
    return Box(min(g.box.x1 for g in glyphs), min(g.box.y1 for g in glyphs),
               max(g.box.x2 for g in glyphs), max(g.box.y2 for g in glyphs))


def _number_slot(segment: list[_Glyph], right_limit: float) -> Slot | None:
    text = _text(segment)
    if not _NUMBER.match(text):
        return None
    colon = next(i for i, g in enumerate(segment) if g.text == ":")
    size = segment[colon].size
    after = segment[colon + 1:]
    first = next((i for i, g in enumerate(after) if g.text not in _BLANK), None)
    suffix = _text(after[first:]).strip() if first is not None else ""
    if suffix and not suffix.startswith("/"):
        return None  # "Số: 12/…": already numbered, or not a placeholder
    band = _span(segment)
    left = segment[colon].box.x2 + 0.2 * size
    right = after[first].box.x1 - 0.02 * size if first is not None else min(right_limit, left + 12 * size)
    if right - left < _MIN_NUMBER_WIDTH * size:
        return None
    return Slot(Box(left, band.y1, right, band.y2), size, "right" if suffix else "left", suffix)


def _date_slot(segment: list[_Glyph]) -> Slot | None:
    found = _DATE.search(_text(segment))
    if found is None or any(c.isdigit() for c in found.group("day")):
        return None  # a date already written ("ngày 19 tháng 6 năm 2015" in a citation)
    inked = _inked(segment) or segment
    size = statistics.median(g.size for g in inked)
    return Slot(_span(inked), size, "centre")


def _widened(slot: Slot, ink: list[Box], page: Box) -> Slot:
    """The date box grown around its centre to fit a full date line, up to the nearest ink on
    its band and the page's margins."""
    box, margin = slot.box, slot.size * 0.5
    band = [b for b in ink if b.y1 < box.y2 and box.y1 < b.y2]
    left = max([b.x2 + margin for b in band if b.x2 <= box.x1] + [page.x1 + 20])
    right = min([b.x1 - margin for b in band if b.x1 >= box.x2] + [page.x2 - 20])
    centre = (box.x1 + box.x2) / 2
    half = max(box.width / 2, min(_DATE_WIDTH * slot.size / 2, centre - left, right - centre))
    return Slot(Box(centre - half, box.y1, centre + half, box.y2), slot.size, slot.align)


def _clear(slot: Slot, ink: list[Box]) -> bool:
    return not any(_overlaps(slot.box, b) for b in ink)


def find(pdf: bytes) -> Placement | None:
    """The draft's own number and date places on page 1, or None when it has no usable pair."""
    page = _page_one(pdf)
    if page is None:
        return None
    glyphs, graphics = [], []
    for item in _walk(page):
        if isinstance(item, LTChar):
            glyphs.append(_Glyph(item.get_text(), Box(item.x0, item.y0, item.x1, item.y1), item.size))
        elif isinstance(item, LTImage) or (isinstance(item, LTCurve) and _visible(item)):
            graphics.append(Box(item.x0, item.y0, item.x1, item.y1))
    page_box = Box(page.x0, page.y0, page.x1, page.y1)
    number = date_slot = None
    number_ink: list[Box] = []
    date_ink: list[Box] = []
    for row in _rows([g for g in glyphs if g.box.y1 > page_box.y2 / 2]):  # the header: the upper half
        segments = _segments(row)
        for i, segment in enumerate(segments):
            right_limit = segments[i + 1][0].box.x1 - segment[0].size if i + 1 < len(segments) else page_box.x2 - 20
            if number is None and (number := _number_slot(segment, right_limit)) is not None:
                number_ink = [g.box for g in segment if g.text in _BLANK]
            elif date_slot is None and (date_slot := _date_slot(segment)) is not None:
                date_ink = [g.box for g in segment]
    if number is None or date_slot is None:
        return None
    mine = set(date_ink) | set(number_ink)  # a set: the page's every glyph is looked up in it
    others = [g.box for g in _inked(glyphs) if g.box not in mine] + graphics
    date_slot = _widened(date_slot, others, page_box)
    if not (_clear(number, others) and _clear(date_slot, others)):
        return None
    return Placement(number, date_slot)


def placed(number: Box, date: Box) -> Placement:
    """Boxes a person drew on page 1 of a draft without placeholders: "Số: " and the symbol from
    the left of the first, the date line centred in the second, in 13 pt or as large as fits."""
    def size(box: Box) -> float:
        return max(6.0, min(13.0, box.height * 0.8))

    return Placement(Slot(number, size(number), "left", label="Số: "), Slot(date, size(date), "centre"))

"""What the signatures look like on the page (Decree 30/2020, Appendix I): the layout of the
leader's block and of the agency seal over it, the attachment stamp, and the drawing of text
and transparent images into appearance streams."""

from __future__ import annotations

import io
import unicodedata
import zlib
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Literal
from zoneinfo import ZoneInfo

from PIL import Image, UnidentifiedImageError
from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.writer import BasePdfFileWriter
from pyhanko.stamp import BaseStamp, BaseStampStyle

from signing.errors import SigningError
from signing.pdf.fonts import NOTO_SANS, NOTO_SANS_BOLD, TIMES_SUBSTITUTE, Font

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
Align = Literal["left", "centre", "right"]


@dataclass(frozen=True)
class Box:
    """A rectangle in PDF points: lower-left (x1, y1), upper-right (x2, y2)."""

    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1

    def shifted(self, dx: float, dy: float) -> Box:
        return Box(self.x1 + dx, self.y1 + dy, self.x2 + dx, self.y2 + dy)

    def as_tuple(self) -> tuple[int, int, int, int]:
        return round(self.x1), round(self.y1), round(self.x2), round(self.y2)


# The leader's block, in the field's own coordinates: two lines of position at the top, the
# handwritten signature in a fixed box under them, the full name, then the three lines of
# signature information. The box is fixed so that the agency's field, made in the draft before
# anyone signs, can be placed over its left third.
LEADER_SIZE = (230.0, 165.0)
LEADER_IMAGE = Box(25, 52, 205, 127)
SEAL_DIAMETER = 102.0  # 36 mm, the size of a real agency seal
ATTACHMENT_SIZE = (200.0, 30.0)
ATTACHMENT_MARGIN = (20.0, 14.0)  # from the right and top edges of page 1


def seal_box(leader: Box) -> Box:
    """Where the agency seal goes: its right edge a third of the way into the leader's signature
    image, centred on it vertically (Decree 30: the seal covers about a third of it, on the left)."""
    image = LEADER_IMAGE.shifted(leader.x1, leader.y1)
    right = image.x1 + image.width / 3
    middle = (image.y1 + image.y2) / 2
    return Box(right - SEAL_DIAMETER, middle - SEAL_DIAMETER / 2, right, middle + SEAL_DIAMETER / 2)


def attachment_box(page_width: float, page_height: float) -> Box:
    """The stamp of an attachment: top right of page 1."""
    x2, y2 = page_width - ATTACHMENT_MARGIN[0], page_height - ATTACHMENT_MARGIN[1]
    return Box(x2 - ATTACHMENT_SIZE[0], y2 - ATTACHMENT_SIZE[1], x2, y2)


def nfc(text: str) -> str:
    """Vietnamese typed on some systems arrives decomposed (a + combining marks); the fonts'
    precomposed letters only match the composed form."""
    return unicodedata.normalize("NFC", text)


def vietnam_time(when: datetime) -> datetime:
    if when.tzinfo is None:
        raise SigningError("Thời điểm ký phải có múi giờ.")
    return when.astimezone(VIETNAM)


def _offset(moment: datetime) -> str:
    offset = moment.strftime("%z")  # "+0700"
    return f"{offset[:3]}:{offset[3:]}"


def display_time(when: datetime) -> str:
    """``dd/MM/yyyy HH:mm:ss +07:00``, in Vietnam time whatever the server's zone."""
    moment = vietnam_time(when)
    return f"{moment:%d/%m/%Y %H:%M:%S} {_offset(moment)}"


def iso_time(when: datetime) -> str:
    """ISO 8601 in Vietnam time, as Decree 30 wants on attachments: ``2026-03-02T09:15:30+07:00``."""
    return vietnam_time(when).isoformat(timespec="seconds")


def decree_date(issued_on: date, place: str = "") -> str:
    """The date line of a document: ``Hà Nội, ngày 05 tháng 3 năm 2026`` (Decree 30 Appendix I:
    days below 10 and the months 1 and 2 take a leading zero)."""
    month = f"{issued_on.month:02d}" if issued_on.month <= 2 else str(issued_on.month)
    text = f"ngày {issued_on.day:02d} tháng {month} năm {issued_on.year}"
    return nfc(f"{place}, {text}" if place else text.capitalize())


@dataclass(frozen=True)
class Text:
    """One line of text; ``x`` is its left, centre or right end according to ``align``."""

    text: str
    x: float
    y: float  # baseline
    size: float
    font: Font = Font(NOTO_SANS)
    align: Align = "left"
    max_width: float | None = None  # shrink the font to fit this width


@dataclass(frozen=True)
class Picture:
    """A PNG scaled to fit ``box`` (keeping its proportions) and centred in it."""

    png: bytes
    box: Box


@dataclass(frozen=True)
class _EncodedImage:
    width: int
    height: int
    rgb: bytes  # zlib
    alpha: bytes | None  # zlib


@lru_cache(maxsize=64)
def _encode_png(png: bytes) -> _EncodedImage:
    """Decode and deflate an image once: the same signature image or seal is drawn many times."""
    try:
        image = Image.open(io.BytesIO(png))
        image.load()
    except (UnidentifiedImageError, OSError) as err:
        raise SigningError("Ảnh chữ ký hoặc ảnh con dấu không phải tệp PNG hợp lệ.") from err
    rgba = image.convert("RGBA")
    alpha = rgba.getchannel("A")
    has_alpha = alpha.getextrema() != (255, 255)
    return _EncodedImage(rgba.width, rgba.height, zlib.compress(rgba.convert("RGB").tobytes(), 6),
                         zlib.compress(alpha.tobytes(), 6) if has_alpha else None)


def _image_xobject(writer: BasePdfFileWriter, png: bytes) -> tuple[generic.IndirectObject, int, int]:
    encoded = _encode_png(png)

    def stream(data: bytes, colour_space: str) -> generic.StreamObject:
        return generic.StreamObject({
            pdf_name("/Type"): pdf_name("/XObject"), pdf_name("/Subtype"): pdf_name("/Image"),
            pdf_name("/Width"): generic.NumberObject(encoded.width),
            pdf_name("/Height"): generic.NumberObject(encoded.height),
            pdf_name("/ColorSpace"): pdf_name(colour_space),
            pdf_name("/BitsPerComponent"): generic.NumberObject(8),
            pdf_name("/Filter"): pdf_name("/FlateDecode")}, encoded_data=data)

    image = stream(encoded.rgb, "/DeviceRGB")
    if encoded.alpha is not None:
        image[pdf_name("/SMask")] = writer.add_object(stream(encoded.alpha, "/DeviceGray"))
    return writer.add_object(image), encoded.width, encoded.height


@dataclass(frozen=True)
class DrawingStyle(BaseStampStyle):
    """A pyHanko stamp style that draws a fixed list of texts and pictures, nothing else."""

    items: tuple[Text | Picture, ...] = ()
    border_width: int = 0
    white_ground: bool = False  # paint the box white first (a filled field hides the draft's dots)

    def create_stamp(self, writer: BasePdfFileWriter, box: layout.BoxConstraints, text_params: dict) -> Drawing:
        return Drawing(writer, self, box)


class Drawing(BaseStamp):
    style: DrawingStyle

    def _render_inner_content(self) -> list[bytes]:
        engines: dict[Font, tuple[str, GlyphAccumulator]] = {}
        ops: list[bytes] = []
        if self.style.white_ground:
            ops.append(b"q 1 g 0 0 %.2f %.2f re f Q" % (self.box.width, self.box.height))
        for number, item in enumerate(self.style.items):
            if isinstance(item, Picture):
                ops.append(self._picture(item, f"/Im{number}"))
                continue
            if item.font not in engines:
                name = f"/F{len(engines)}"
                engines[item.font] = name, item.font.engine(self._ensure_writer)
                self.set_resource(ResourceType.FONT, pdf_name(name), engines[item.font][1].as_resource())
            name, engine = engines[item.font]
            ops.append(self._text(item, name, engine))
        return ops

    def _text(self, item: Text, font_name: str, engine: GlyphAccumulator) -> bytes:
        # pyHanko's engine scales its own positioning by its font size: keep it equal to the Tf size.
        size = item.size
        engine.font_size = size  # type: ignore[assignment]
        shaped = engine.shape(nfc(item.text))
        width = shaped.x_advance * size
        if item.max_width is not None and width > item.max_width:
            size = size * item.max_width / width
            engine.font_size = size  # type: ignore[assignment]
            shaped = engine.shape(nfc(item.text))
            width = item.max_width
        x = {"left": item.x, "centre": item.x - width / 2, "right": item.x - width}[item.align]
        return b"BT %s %.2f Tf 1 0 0 1 %.2f %.2f Tm %s ET" % (font_name.encode(), size, x, item.y,
                                                              shaped.graphics_ops)

    def _picture(self, item: Picture, name: str) -> bytes:
        ref, width, height = _image_xobject(self._ensure_writer, item.png)
        self.set_resource(ResourceType.XOBJECT, pdf_name(name), ref)
        scale = min(item.box.width / width, item.box.height / height)
        w, h = width * scale, height * scale
        x = item.box.x1 + (item.box.width - w) / 2
        y = item.box.y1 + (item.box.height - h) / 2
        return b"q %.2f 0 0 %.2f %.2f %.2f cm %s Do Q" % (w, h, x, y, name.encode())


def signature_info(signer: str, agency: str, when: datetime) -> tuple[str, str, str]:
    """The three lines Decree 30 signature information is shown as."""
    return f"Ký bởi: {nfc(signer)}", f"Cơ quan: {nfc(agency)}", f"Thời gian ký: {display_time(when)}"


def leader_style(signer: str, position: str, agency: str, image: bytes, when: datetime) -> DrawingStyle:
    """Position line(s) at the top, the handwritten signature centred under them, the full name,
    then "Ký bởi / Cơ quan / Thời gian ký" in small print."""
    width, height = LEADER_SIZE
    middle = width / 2
    bold = Font(NOTO_SANS_BOLD)
    lines = [line.strip() for line in nfc(position).splitlines() if line.strip()][:2]
    items: list[Text | Picture] = [Text(line.upper(), middle, height - 14 - 13 * i, 11, bold, "centre", width - 4)
                                   for i, line in enumerate(lines)]
    items.append(Picture(image, LEADER_IMAGE))
    items.append(Text(nfc(signer), middle, 38, 11, bold, "centre", width - 4))
    items += [Text(line, middle, 26 - 9 * i, 7, Font(NOTO_SANS), "centre", width - 4)
              for i, line in enumerate(signature_info(signer, agency, when))]
    return DrawingStyle(items=tuple(items))


def seal_style(seal: bytes) -> DrawingStyle:
    """The agency's signature shows only its red seal, at real size, filling its field."""
    return DrawingStyle(items=(Picture(seal, Box(0, 0, SEAL_DIAMETER, SEAL_DIAMETER)),))


def attachment_style(number_symbol: str, when: datetime) -> DrawingStyle:
    """Number and symbol, then the signing time in ISO 8601, right-aligned, 10 pt Times New Roman
    metrics, black."""
    width, _ = ATTACHMENT_SIZE
    times = Font(TIMES_SUBSTITUTE)
    return DrawingStyle(items=(Text(nfc(number_symbol), width - 2, 17, 10, times, "right"),
                               Text(iso_time(when), width - 2, 5, 10, times, "right")))


def field_text_style(text: str, width: float, height: float, font: Font, size: float,
                     align: Align = "centre") -> DrawingStyle:
    """A filled text field (number, date): one line on a white ground, its baseline where a line
    of that size sitting in the middle of the field has it, shrunk to fit the field's width."""
    x = {"left": 1.0, "centre": width / 2, "right": width}[align]
    baseline = (height - size) / 2 + 0.22 * size  # Times' descender is about 0.22 em
    return DrawingStyle(items=(Text(text, x, baseline, size, font, align, width - 2),), white_ground=True)


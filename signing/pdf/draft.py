"""Preparing a draft for signing, and the clerk's filling of its number and date.

Every field a later step needs is made here, before anyone signs: a signature field added after
the leader signs, or page content stamped afterwards, makes pyHanko judge the leader's signature
broken. The number and date are text fields without a ``/P`` page back-reference (with one,
pyHanko reports unexplained changes when they are filled).
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec, append_signature_field, enumerate_sig_fields

from signing.errors import DocumentRejected
from signing.pdf import placeholders
from signing.pdf.appearance import LEADER_SIZE, Align, Box, decree_date, field_text_style, nfc, seal_box
from signing.pdf.fonts import TIMES_SUBSTITUTE, TIMES_SUBSTITUTE_ITALIC, Font
from signing.pdf.placeholders import Placement, Slot

LEADER_FIELD = "LanhDao"
AGENCY_FIELD = "CoQuan"
NUMBER_FIELD = "SoKyHieu"
DATE_FIELD = "NgayBanHanh"
ATTACHMENT_FIELD = "VanThu"
_READ_ONLY = 1  # text field flag: viewers must not let anyone type into the number or date
_QUADDING: dict[Align, int] = {"left": 0, "centre": 1, "right": 2}
# The symbol the draft prints after the number's blank ("/QĐ-TTYT"): the clerk's step fills in
# the number alone and checks that the register's symbol is the one the leader signed.
_SUFFIX = "/QLVBSuffix"
_LABEL = "/QLVBLabel"  # "Số: " when a person placed the box: no "Số:" line is printed before it
_SIZE = re.compile(r"^/[A-Za-z0-9]+ (\d+(?:\.\d+)?) Tf 0 g$")
TAMPERED = "Ô số, ký hiệu hoặc ô ngày tháng đã chuẩn bị trong tệp bị hỏng hoặc đã bị sửa"
NO_PLACE = ("Dự thảo chưa có dòng “Số:” và dòng “…, ngày … tháng … năm …” ở trang 1: hãy đặt vị trí số "
            "và ngày tháng trên trang 1 trước khi trình ký.")


@dataclass(frozen=True)
class DraftLayout:
    """Where the signature fields go: the signature block at the bottom right of the last page.
    ``leader_origin`` is the lower-left corner of the leader's block. The number and date go
    where the draft puts them (:mod:`signing.pdf.placeholders`) or where a person placed them."""

    leader_origin: tuple[float, float] = (330.0, 80.0)
    signature_page: int = -1

    @property
    def leader(self) -> Box:
        x, y = self.leader_origin
        return Box(x, y, x + LEADER_SIZE[0], y + LEADER_SIZE[1])


def read(pdf: bytes) -> PdfFileReader:
    try:
        return PdfFileReader(io.BytesIO(pdf))
    except (PdfError, ValueError, KeyError, IndexError) as err:
        raise DocumentRejected("Tệp không phải là PDF hợp lệ.") from err


def signed_fields(reader: PdfFileReader) -> dict[str, bool]:
    """Every signature field of the document, and whether it holds a signature."""
    try:
        return {name: value is not None for name, value, _ in enumerate_sig_fields(reader)}
    except (PdfError, KeyError, TypeError, AttributeError, ValueError) as err:
        raise DocumentRejected(f"{TAMPERED} (ô biểu mẫu không đọc được: {err.__class__.__name__}).") from err


def _text_fields(reader: PdfFileReader) -> dict[str, generic.DictionaryObject]:
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return {}
    found = {}
    try:
        for ref in fields:
            field = ref.get_object()
            if field.get("/FT") == "/Tx":
                found[str(field["/T"])] = field
    except (PdfError, KeyError, TypeError, AttributeError, ValueError) as err:
        raise DocumentRejected(f"{TAMPERED} (ô biểu mẫu không đọc được: {err.__class__.__name__}).") from err
    return found


def qpdf_rewrite(pdf: bytes) -> bytes:
    """A clean single-revision copy: Word's hybrid cross-reference sections make pyHanko refuse to sign."""
    with tempfile.TemporaryDirectory(prefix="qlvb-qpdf-") as folder:
        source, target = Path(folder, "in.pdf"), Path(folder, "out.pdf")
        source.write_bytes(pdf)
        done = subprocess.run(["qpdf", str(source), str(target)], capture_output=True, check=False)
        # qpdf exits 3 when it repaired something and wrote the file anyway
        if done.returncode not in (0, 3) or not target.exists():
            raise DocumentRejected("Không đọc được tệp PDF (tệp hỏng hoặc có mật khẩu).")
        return target.read_bytes()


def _add_text_field(writer: IncrementalPdfFileWriter, fields: generic.ArrayObject, name: str, slot: Slot,
                    page: int) -> None:
    field = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): generic.TextStringObject(name),
        pdf_name("/Ff"): generic.NumberObject(_READ_ONLY),
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(round(v, 2)) for v in
                                               (slot.box.x1, slot.box.y1, slot.box.x2, slot.box.y2)),
        pdf_name("/F"): generic.NumberObject(4),  # print
        pdf_name("/DA"): generic.pdf_string(f"/Helv {slot.size:.2f} Tf 0 g"),  # the draft's own size
        pdf_name("/Q"): generic.NumberObject(_QUADDING[slot.align]),
    })
    if slot.suffix:
        field[pdf_name(_SUFFIX)] = generic.TextStringObject(slot.suffix)
    if slot.label:
        field[pdf_name(_LABEL)] = generic.TextStringObject(slot.label)
    ref = writer.add_object(field)
    fields.append(ref)
    writer.register_annotation(writer.find_page_for_modification(page)[0], ref)


def _prints(suffix: str, symbol: str) -> bool:
    """Whether what a draft prints after its number's blank ("/QĐ-TTYT") is ``symbol``."""
    return nfc(suffix).replace(" ", "") == nfc(f"/{symbol}")


def prepare_draft(pdf: bytes, draft_layout: DraftLayout | None = None, placed: Placement | None = None,
                  symbol: str | None = None) -> bytes:
    """The draft rewritten by qpdf, with the leader's and the agency's signature fields and the
    number and date text fields added: where a person ``placed`` them, else where the draft's
    own "Số:" and date lines are. A draft whose "Số:" line prints another symbol than the one it
    will be numbered with (``symbol``, e.g. ``QĐ-TTYT``) is refused before anyone signs it. A
    draft already prepared comes back unchanged."""
    spec = draft_layout or DraftLayout()
    reader = read(pdf)
    existing = signed_fields(reader)
    if any(existing.values()):
        raise DocumentRejected("Văn bản đã có chữ ký số: không thể chuẩn bị lại bản dự thảo.")
    if LEADER_FIELD in existing:
        return pdf
    clean = qpdf_rewrite(pdf)
    placement = placed or placeholders.find(clean)
    if placement is None:
        raise DocumentRejected(NO_PLACE)
    printed = placement.number.suffix
    if symbol and printed and not _prints(printed, symbol):
        raise DocumentRejected(f"Dòng “Số:” của dự thảo in ký hiệu {printed}, nhưng văn bản sẽ được cấp ký hiệu "
                               f"/{symbol}: hãy sửa dự thảo (hoặc loại văn bản) trước khi ký.")
    writer = IncrementalPdfFileWriter(io.BytesIO(clean))
    # the leader's widget first: widgets are painted in order, and the seal must lie on top
    for name, box in ((LEADER_FIELD, spec.leader), (AGENCY_FIELD, seal_box(spec.leader))):
        append_signature_field(writer, SigFieldSpec(name, on_page=spec.signature_page, box=box.as_tuple()))
    add_number_fields(writer, placement)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_number_fields(writer: IncrementalPdfFileWriter, placement: Placement, page: int = 0) -> None:
    """The number and date text fields on ``page`` (page 1, but the copy form's page for a copy),
    in the document's form (made if it has none, as a scan of a paper document has not)."""
    if "/AcroForm" not in writer.root:
        writer.root[pdf_name("/AcroForm")] = writer.add_object(
            generic.DictionaryObject({pdf_name("/Fields"): generic.ArrayObject()}))
        writer.update_root()
    fields = writer.root["/AcroForm"]["/Fields"]
    _add_text_field(writer, fields, NUMBER_FIELD, placement.number, page)
    _add_text_field(writer, fields, DATE_FIELD, placement.date, page)
    writer.update_container(fields)


def _slot(field: generic.DictionaryObject) -> Slot:
    """The prepared field read back, every part checked: a file whose field was changed after
    preparation is refused with the reason, not filled."""
    name = str(field.get("/T", "?"))
    try:
        rect = [float(v) for v in field["/Rect"]]
        size = _SIZE.match(str(field["/DA"]))
        align = {v: k for k, v in _QUADDING.items()}[int(field.get("/Q", 0))]
        suffix, label = (str(field.get(key, "")) for key in (_SUFFIX, _LABEL))
    except (KeyError, TypeError, ValueError, PdfError) as err:
        raise DocumentRejected(f"{TAMPERED} (ô {name}: {err.__class__.__name__}).") from err
    if len(rect) != 4 or not rect[0] < rect[2] or not rect[1] < rect[3]:
        raise DocumentRejected(f"{TAMPERED} (ô {name}: khung /Rect không hợp lệ).")
    if size is None or not 4 <= float(size.group(1)) <= 40:
        raise DocumentRejected(f"{TAMPERED} (ô {name}: cỡ chữ /DA không hợp lệ).")
    return Slot(Box(*rect), float(size.group(1)), align, suffix, label)


def _fill(writer: IncrementalPdfFileWriter, field: generic.DictionaryObject, slot: Slot, text: str,
          font: Font) -> None:
    width, height = slot.box.width, slot.box.height
    field[pdf_name("/V")] = generic.TextStringObject(text)
    stamp = field_text_style(text, width, height, font, slot.size, slot.align).create_stamp(
        writer, layout.BoxConstraints(width=width, height=height), {})
    stamp.apply_appearance(field)
    writer.update_container(field)


def _number_text(slot: Slot, number_symbol: str) -> str:
    """What goes into the number's field: the number alone before the symbol the draft prints
    (which must be the register's), else the whole number and symbol."""
    if not slot.suffix:
        return nfc(slot.label + number_symbol)
    number, _, symbol = nfc(number_symbol).partition("/")
    if not _prints(slot.suffix, symbol):
        raise DocumentRejected(f"Ký hiệu in trên văn bản đã ký ({slot.suffix}) khác ký hiệu được cấp "
                               f"({number_symbol}): hãy trả lại để sửa dự thảo.")
    return number


@dataclass(frozen=True)
class Numbering:
    """What the clerk's step fills into a prepared draft: the number and symbol, the date and the
    place printed before it."""

    number_symbol: str
    issued_on: date
    place: str = ""


def fill_into(writer: IncrementalPdfFileWriter, numbering: Numbering) -> None:
    """The prepared number and date fields filled in (``Số: <number_symbol>`` where the draft or
    a person put it, ``<place>, ngày … tháng … năm …`` over the date line) in the revision
    ``writer`` is making: a form-filling update that keeps the leader's signature valid."""
    fields = _text_fields(writer.prev)
    if NUMBER_FIELD not in fields or DATE_FIELD not in fields:
        raise DocumentRejected("Văn bản chưa được chuẩn bị ô số, ký hiệu và ngày tháng.")
    number = _slot(fields[NUMBER_FIELD])
    _fill(writer, fields[NUMBER_FIELD], number, _number_text(number, numbering.number_symbol),
          Font(TIMES_SUBSTITUTE))
    _fill(writer, fields[DATE_FIELD], _slot(fields[DATE_FIELD]), decree_date(numbering.issued_on, numbering.place),
          Font(TIMES_SUBSTITUTE_ITALIC))


def filled_fields(pdf: bytes, number_symbol: str, issued_on: date, place: str = "") -> bytes:
    """``pdf`` with its number and date filled in (:func:`fill_into`) as a revision of its own."""
    read(pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    fill_into(writer, Numbering(number_symbol, issued_on, place))
    out = io.BytesIO()
    try:
        writer.write(out)
    except (PdfError, KeyError, TypeError, ValueError) as err:
        raise DocumentRejected(f"{TAMPERED} ({err.__class__.__name__}).") from err
    return out.getvalue()


def fill_number(pdf: bytes, number_symbol: str, issued_on: date, place: str = "") -> bytes:
    """The clerk's step: the number and date filled in (:func:`filled_fields`). Refused once the
    agency has signed."""
    if signed_fields(read(pdf)).get(AGENCY_FIELD):
        raise DocumentRejected("Văn bản đã có chữ ký số của cơ quan: không thể điền số và ngày nữa.")
    return filled_fields(pdf, number_symbol, issued_on, place)


def number_filled(reader: PdfFileReader) -> bool:
    field = _text_fields(reader).get(NUMBER_FIELD)
    return field is not None and bool(str(field.get("/V", "")).strip())

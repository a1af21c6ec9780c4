"""Preparing a draft for signing, and the clerk's filling of its number and date.

Every field a later step needs is made here, before anyone signs: a signature field added after
the leader signs, or page content stamped afterwards, makes pyHanko judge the leader's signature
broken. The number and date are text fields without a ``/P`` page back-reference (with one,
pyHanko reports unexplained changes when they are filled).
"""

from __future__ import annotations

import io
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

from .appearance import LEADER_SIZE, Box, decree_date, field_text_style, nfc, seal_box
from .errors import DocumentRejected
from .fonts import TIMES_SUBSTITUTE, TIMES_SUBSTITUTE_ITALIC, Font

LEADER_FIELD = "LanhDao"
AGENCY_FIELD = "CoQuan"
NUMBER_FIELD = "SoKyHieu"
DATE_FIELD = "NgayBanHanh"
ATTACHMENT_FIELD = "VanThu"
_READ_ONLY = 1  # text field flag: viewers must not let anyone type into the number or date


@dataclass(frozen=True)
class DraftLayout:
    """Where the fields go. Defaults follow the Decree 30 A4 layout: number under the agency name
    and date under the national motto on page 1, the signature block at the bottom right of the
    last page. ``leader_origin`` is the lower-left corner of the leader's block."""

    leader_origin: tuple[float, float] = (330.0, 80.0)
    number: Box = Box(40, 688, 285, 708)
    date: Box = Box(300, 688, 565, 708)
    header_page: int = 0
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
    return {name: value is not None for name, value, _ in enumerate_sig_fields(reader)}


def _text_fields(reader: PdfFileReader) -> dict[str, generic.DictionaryObject]:
    try:
        fields = reader.root["/AcroForm"]["/Fields"]
    except KeyError:
        return {}
    found = {}
    for ref in fields:
        field = ref.get_object()
        if field.get("/FT") == "/Tx":
            found[str(field["/T"])] = field
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


def _add_text_field(writer: IncrementalPdfFileWriter, fields: generic.ArrayObject, name: str, box: Box,
                    page: int) -> None:
    field = generic.DictionaryObject({
        pdf_name("/FT"): pdf_name("/Tx"), pdf_name("/T"): generic.TextStringObject(name),
        pdf_name("/Ff"): generic.NumberObject(_READ_ONLY),
        pdf_name("/Type"): pdf_name("/Annot"), pdf_name("/Subtype"): pdf_name("/Widget"),
        pdf_name("/Rect"): generic.ArrayObject(generic.FloatObject(v) for v in box.as_tuple()),
        pdf_name("/F"): generic.NumberObject(4),  # print
        pdf_name("/DA"): generic.pdf_string("/Helv 0 Tf 0 g"),
    })
    ref = writer.add_object(field)
    fields.append(ref)
    writer.register_annotation(writer.find_page_for_modification(page)[0], ref)


def prepare_draft(pdf: bytes, draft_layout: DraftLayout | None = None) -> bytes:
    """The draft rewritten by qpdf, with the leader's and the agency's signature fields and the
    number and date text fields added. A draft already prepared comes back unchanged."""
    spec = draft_layout or DraftLayout()
    reader = read(pdf)
    existing = signed_fields(reader)
    if any(existing.values()):
        raise DocumentRejected("Văn bản đã có chữ ký số: không thể chuẩn bị lại bản dự thảo.")
    if LEADER_FIELD in existing:
        return pdf
    writer = IncrementalPdfFileWriter(io.BytesIO(qpdf_rewrite(pdf)))
    # the leader's widget first: widgets are painted in order, and the seal must lie on top
    for name, box in ((LEADER_FIELD, spec.leader), (AGENCY_FIELD, seal_box(spec.leader))):
        append_signature_field(writer, SigFieldSpec(name, on_page=spec.signature_page, box=box.as_tuple()))
    fields = writer.root["/AcroForm"]["/Fields"]
    _add_text_field(writer, fields, NUMBER_FIELD, spec.number, spec.header_page)
    _add_text_field(writer, fields, DATE_FIELD, spec.date, spec.header_page)
    writer.update_container(fields)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _fill(writer: IncrementalPdfFileWriter, field: generic.DictionaryObject, text: str, font: Font,
          size: float) -> None:
    rect = [float(v) for v in field["/Rect"]]
    width, height = rect[2] - rect[0], rect[3] - rect[1]
    field[pdf_name("/V")] = generic.TextStringObject(text)
    stamp = field_text_style(text, width, height, font, size).create_stamp(
        writer, layout.BoxConstraints(width=width, height=height), {})
    stamp.apply_appearance(field)
    writer.update_container(field)


def fill_number(pdf: bytes, number_symbol: str, issued_on: date, place: str = "") -> bytes:
    """The clerk's step: write ``Số: <number_symbol>`` and the date line (``<place>, ngày … tháng …
    năm …``) into the prepared fields, as a form-filling update that keeps the leader's signature
    valid. Refused once the agency has signed."""
    read(pdf)
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    if signed_fields(writer.prev).get(AGENCY_FIELD):
        raise DocumentRejected("Văn bản đã có chữ ký số của cơ quan: không thể điền số và ngày nữa.")
    fields = _text_fields(writer.prev)
    if NUMBER_FIELD not in fields or DATE_FIELD not in fields:
        raise DocumentRejected("Văn bản chưa được chuẩn bị ô số, ký hiệu và ngày tháng.")
    _fill(writer, fields[NUMBER_FIELD], nfc(f"Số: {number_symbol}"), Font(TIMES_SUBSTITUTE), 13)
    _fill(writer, fields[DATE_FIELD], decree_date(issued_on, place), Font(TIMES_SUBSTITUTE_ITALIC), 13)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def number_filled(reader: PdfFileReader) -> bool:
    field = _text_fields(reader).get(NUMBER_FIELD)
    return field is not None and bool(str(field.get("/V", "")).strip())

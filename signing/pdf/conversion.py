"""The electronic copy of record of a paper document (Law on Electronic Transactions 2023 Art. 12
cl. 1; Decree 137/2024 Art. 4): the scan of the wet-signed paper (an outgoing one with its number
and date filled by the clerk; an incoming one as recognised, engine.scans.conversion), and the
agency's digital signature, whose appearance is the conversion mark ("Bản điện tử được chuyển đổi từ
văn bản giấy", the time, the converting person and agency).

A scan has no text layer to find the "Số:" line in, so the number and date go where a person placed
them (engine.registry.placement) or in the default boxes of the Decree 30 layout, and the mark in a
fixed box in the top margin of page 1 (a received paper's, laid out by its sender, in the first
margin corner its recognised words leave free: engine.scans.conversion). Everything is made before
the signature: nothing is added to the page afterwards.
"""

from __future__ import annotations

import io
from datetime import datetime

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec

from signing.errors import DocumentRejected
from signing.pades.pdfsign import Step
from signing.pdf import draft
from signing.pdf.appearance import Box, DrawingStyle, Picture, Text, display_time, nfc
from signing.pdf.draft import AGENCY_FIELD, number_filled, signed_fields
from signing.pdf.fonts import NOTO_SANS, NOTO_SANS_BOLD, Font
from signing.pdf.placeholders import Placement, placed

MARK = "Bản điện tử được chuyển đổi từ văn bản giấy"
MARK_BOX = Box(300, 772, 575, 834)  # the top margin of an A4 page 1 (Decree 30: 20–25 mm)
_SEAL = 56.0
# Decree 30 A4: the number under the agency's name, the date under the national motto
DEFAULT_PLACEMENT = placed(Box(40, 688, 285, 708), Box(300, 688, 565, 708))


def prepare_scan(pdf: bytes, placement: Placement | None = None) -> bytes:
    """The scan rewritten by qpdf with the number and date text fields added where a person
    ``placed`` them, else in the default boxes (no signature field: nobody signs the scan but the
    agency, in a field made as it signs)."""
    clean = draft.qpdf_rewrite(pdf)  # first: scanners write PDFs pyHanko cannot always read as they are
    if signed_fields(draft.read(clean)):
        raise DocumentRejected("Bản scan văn bản giấy không được có sẵn ô chữ ký số.")
    writer = IncrementalPdfFileWriter(io.BytesIO(clean))
    draft.add_number_fields(writer, placement or DEFAULT_PLACEMENT)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def corners(width: float, height: float) -> tuple[Box, ...]:
    """The boxes of a mark's size in the margins of a ``width`` × ``height`` page, in the order
    they are tried: top right (``MARK_BOX`` on A4), top left, bottom right, bottom left."""
    w, h = MARK_BOX.width, MARK_BOX.height
    top, right = height - (842 - MARK_BOX.y2), width - (595 - MARK_BOX.x2)
    left, bottom = 595 - MARK_BOX.x2, 842 - MARK_BOX.y2
    return (Box(right - w, top - h, right, top), Box(left, top - h, left + w, top),
            Box(right - w, bottom, right, bottom + h), Box(left, bottom, left + w, bottom + h))


def mark_style(converter: str, agency: str, seal: bytes, when: datetime) -> DrawingStyle:
    """The agency's seal, small, at the left; the mark, the converting person, the agency and the
    time beside it."""
    width, height = MARK_BOX.width, MARK_BOX.height
    left, room = _SEAL + 6, width - _SEAL - 8
    lines = [(MARK, Font(NOTO_SANS_BOLD), 8.0), (f"Người chuyển đổi: {converter}", Font(NOTO_SANS), 7.0),
             (f"Cơ quan: {agency}", Font(NOTO_SANS), 7.0), (f"Thời gian: {display_time(when)}", Font(NOTO_SANS), 7.0)]
    items: list[Text | Picture] = [Picture(seal, Box(0, (height - _SEAL) / 2, _SEAL, (height + _SEAL) / 2))]
    items += [Text(nfc(text), left, height - 14 - 13 * i, size, font, "left", room)
              for i, (text, font, size) in enumerate(lines)]
    return DrawingStyle(items=tuple(items))


def conversion_step(converter: str, agency: str, seal: bytes, when: datetime, *, numbered: bool = True,
                    box: Box = MARK_BOX, numbering: draft.Numbering | None = None) -> Step:
    """The agency's signature on the scan, its appearance the conversion mark in ``box`` of page 1
    (one of :func:`corners`): an outgoing paper's scan must carry the number and date the clerk
    filled (``numbered``), in this signature's own revision when ``numbering`` is given; an
    incoming paper's already shows the sender's on the paper, its own number being the register's."""

    def check(reader: PdfFileReader) -> None:
        if AGENCY_FIELD in signed_fields(reader):
            raise DocumentRejected("Cơ quan đã ký số bản chuyển đổi này.")
        if numbered and numbering is None and not number_filled(reader):
            raise DocumentRejected("Văn bản chưa được cấp số, ký hiệu và ngày tháng.")

    return Step(AGENCY_FIELD, mark_style(converter, agency, seal, when), nfc(f"{MARK}: {agency}"), when, check,
                new_field=SigFieldSpec(AGENCY_FIELD, on_page=0, box=box.as_tuple()), numbering=numbering)

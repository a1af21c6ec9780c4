"""Approval signatures on a draft before the leader signs it: each leader of a circulation chain
(Đồng Nai: "trình Lãnh đạo VPS ký số → lãnh đạo TT.KCTVPTCN ký → …") signs the draft with their own
key, as a small visible ký nháy at the foot of the last page or as an invisible signature.

Each goes in a new signature field (``KyNhay1``, ``KyNhay2``, …): adding a signature field and
signing it is a change PAdES validators allow after earlier signatures, so the chain stays valid
through the leader's and the agency's signatures that follow.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.fields import SigFieldSpec

from signing.errors import DocumentRejected
from signing.pades.pdfsign import Step
from signing.pdf.appearance import Box, DrawingStyle, Text, display_time, nfc
from signing.pdf.draft import signed_fields
from signing.pdf.fonts import TIMES_SUBSTITUTE, Font

PREFIX = "KyNhay"
Mode = Literal["initial", "invisible"]
MODES: tuple[Mode, ...] = ("initial", "invisible")
_SIZE = (120.0, 28.0)
_ORIGIN = (40.0, 18.0)  # the foot of the last page, left, below the Decree 30 bottom margin's text


def field_names(reader: PdfFileReader) -> list[str]:
    return [name for name in signed_fields(reader) if name.startswith(PREFIX)]


def _box(index: int) -> Box:
    """The ``index``-th ký nháy (from 0), side by side along the foot of the page."""
    x = _ORIGIN[0] + index * (_SIZE[0] + 6)
    return Box(x, _ORIGIN[1], x + _SIZE[0], _ORIGIN[1] + _SIZE[1])


def initial_step(reader: PdfFileReader, signer_name: str, unit: str, mode: Mode, when: datetime) -> Step:
    """The next approval signature of the draft in ``reader``, by ``signer_name`` for ``unit``."""
    index = len(field_names(reader))
    name = f"{PREFIX}{index + 1}"
    width, _ = _SIZE
    times = Font(TIMES_SUBSTITUTE)
    style = DrawingStyle(items=(Text(nfc(f"{unit}: {signer_name}"), 2, 16, 8, times, "left", width - 4),
                                Text(display_time(when), 2, 5, 7, times, "left", width - 4)))
    box = _box(index).as_tuple() if mode == "initial" else None

    def check(current: PdfFileReader) -> None:
        if name in signed_fields(current):
            raise DocumentRejected("Văn bản đã có chữ ký nháy này.")

    return Step(name, style, nfc(f"Ký nháy (duyệt dự thảo): {unit}"), when, check,
                new_field=SigFieldSpec(name, on_page=-1, box=box))

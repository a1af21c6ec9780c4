"""Copies under Decree 30 (Art. 25–27; Appendix I's copy form): sao y, sao lục, trích sao.

The copy is a document of its own: the original's pages, their signatures' appearances flattened
into the page (a copy reproduces the original; its signatures are the copying agency's), then a
page with the copy form: the agency, the words "SAO Y" / "SAO LỤC" / "TRÍCH SAO", the copy's
number in the copies series and its place and date (text fields the clerk fills at issuance, as on
any draft), the signer's block (authority, position, signature, name: the leader's signature) and
the agency's signature over it. All of it is made before the leader signs.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from pathlib import Path

from pyhanko.pdf_utils import generic, layout
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign.fields import SigFieldSpec, append_signature_field

from signing.errors import DocumentRejected
from signing.pdf import draft
from signing.pdf.appearance import Box, Drawing, DrawingStyle, Text, nfc, seal_box
from signing.pdf.draft import AGENCY_FIELD, LEADER_FIELD, DraftLayout
from signing.pdf.fonts import NOTO_SANS_BOLD, Font
from signing.pdf.placeholders import placed

TITLES = {"SY": "SAO Y", "SL": "SAO LỤC", "TrS": "TRÍCH SAO"}
_A4 = (595.0, 842.0)
_HEADING = Box(40, 735, 560, 800)  # the agency (left) and the kind of copy (right)
_NUMBER = Box(40, 712, 280, 732)
_DATE = Box(300, 712, 560, 732)
LAYOUT = DraftLayout(leader_origin=(330.0, 530.0))
# The extract of a trích sao: pages and ranges of the original, "1-2,4".
PAGES = re.compile(r"^[1-9][0-9]{0,3}(-[1-9][0-9]{0,3})?(,[1-9][0-9]{0,3}(-[1-9][0-9]{0,3})?)*$")


def _qpdf(original: bytes, *args: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="qlvb-copy-") as folder:
        source, target = Path(folder, "in.pdf"), Path(folder, "out.pdf")
        source.write_bytes(original)
        done = subprocess.run(["qpdf", str(source), *args, str(target)], capture_output=True, check=False)
        if done.returncode not in (0, 3) or not target.exists():  # 3: repaired and written
            raise DocumentRejected("Không đọc được tệp PDF của văn bản gốc (tệp hỏng hoặc có mật khẩu).")
        return target.read_bytes()


def _flattened(original: bytes) -> bytes:
    """The original's pages with every form field and signature appearance drawn into the page
    content, and no form left (qpdf)."""
    return _qpdf(original, "--flatten-annotations=all", "--generate-appearances")


def extract(original: bytes, pages: str) -> bytes:
    """Trích sao: only the chosen ``pages`` of the original ("1-2,4"), in that order."""
    if not PAGES.match(pages):
        raise DocumentRejected("Trang trích sao không hợp lệ (ví dụ: 1-2,4).")
    count = int(draft.read(original).root["/Pages"]["/Count"])
    wanted = [int(n) for part in pages.split(",") for n in part.split("-")]
    if max(wanted) > count:
        raise DocumentRejected(f"Văn bản gốc chỉ có {count} trang.")
    return _qpdf(original, "--pages", ".", pages, "--")


def _heading(kind: str, agency: str) -> DrawingStyle:
    bold = Font(NOTO_SANS_BOLD)
    half = _HEADING.width / 2
    return DrawingStyle(items=(Text(nfc(agency).upper(), half / 2, 40, 11, bold, "centre", half - 10),
                               Text(TITLES[kind], half * 1.5, 40, 13, bold, "centre", half - 10)))


def prepare_copy(original: bytes, kind: str, agency: str, pages: str | None = None) -> bytes:
    """The copy of ``original`` made by ``agency``, ready for its leader's signature; a trích
    sao (``TrS``) copies only the extract's ``pages``."""
    if kind not in TITLES:
        raise DocumentRejected("Hình thức sao không hợp lệ.")
    if (kind == "TrS") != (pages is not None):
        raise DocumentRejected("Trích sao cần các trang trích; sao y và sao lục sao toàn văn.")
    flat = _flattened(original)
    writer = IncrementalPdfFileWriter(io.BytesIO(extract(flat, pages) if pages is not None else flat))
    media = generic.ArrayObject(generic.FloatObject(v) for v in (0, 0, *_A4))
    writer.insert_page(generic.DictionaryObject({
        pdf_name("/Type"): pdf_name("/Page"), pdf_name("/MediaBox"): media,
        pdf_name("/Resources"): generic.DictionaryObject(),
        pdf_name("/Contents"): writer.add_object(generic.StreamObject(stream_data=b"")),
    }))
    page = int(writer.root["/Pages"]["/Count"]) - 1
    heading = Drawing(writer, _heading(kind, agency), layout.BoxConstraints(_HEADING.width, _HEADING.height))
    heading.apply(page, round(_HEADING.x1), round(_HEADING.y1))
    for name, box in ((LEADER_FIELD, LAYOUT.leader), (AGENCY_FIELD, seal_box(LAYOUT.leader))):
        append_signature_field(writer, SigFieldSpec(name, on_page=page, box=box.as_tuple()))
    draft.add_number_fields(writer, placed(_NUMBER, _DATE), page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()

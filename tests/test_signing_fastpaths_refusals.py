"""The faster parsing and revision walks (signing.speedups.fastparse, fastcms, fasthistory) change no
verdict: changes made after both signatures of an issued document, including a single number in
an embedded font, which is the kind of value the fast walks no longer call themselves for, are
refused as before, and the reports are the same as with pyHanko's own code."""

from __future__ import annotations

import io
from collections.abc import Callable

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import HistoricalResolver
from pyhanko.sign import general

from signing.pades.verify import SignatureReport, verify_pdf
from signing.speedups import fastcms, fasthistory, fastparse
from tests import signing_support as s


def _verify(pdf: bytes) -> list[SignatureReport]:
    return verify_pdf(pdf, [s.demo_pki().root.certificate])


def _with_pyhanko_only(monkeypatch: pytest.MonkeyPatch, pdf: bytes) -> list[SignatureReport]:
    with monkeypatch.context() as patch:
        patch.setattr(generic, "read_hex_string_from_stream", fastparse._pyhanko_hex_reader)
        patch.setattr(generic.NameObject, "read_from_stream", fastparse._pyhanko_name_reader)
        patch.setattr(general, "match_issuer_serial", fastcms._pyhanko_match)
        patch.setattr(HistoricalResolver, "_subsume_object", fasthistory._pyhanko_subsume)
        patch.setattr(HistoricalResolver, "_collect_indirect_references", fasthistory._pyhanko_collect)
        return _verify(pdf)


def _updated(pdf: bytes, change: Callable[[IncrementalPdfFileWriter], None]) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _one_font_width_changed(writer: IncrementalPdfFileWriter) -> None:
    reader = writer.prev
    refs = {ref for revision in range(reader.xrefs.total_revisions)
            for ref in reader.xrefs.explicit_refs_in_revision(revision)}
    for ref in sorted(refs, key=lambda r: r.idnum):
        obj = reader.get_object(ref)
        if isinstance(obj, generic.DictionaryObject) and obj.get("/Subtype") == "/CIDFontType2" and "/W" in obj:
            font = writer.get_object(generic.Reference(ref.idnum, ref.generation, writer))
            widths = font["/W"]
            # "c [w1 w2 …]": the widths of the glyphs from c on; one of them grows by 300 units
            runs = [v for v in widths if isinstance(v, generic.ArrayObject)]
            runs[0][0] = generic.NumberObject(int(runs[0][0]) + 300)
            writer.update_container(widths)
            writer.update_container(font)
            return
    raise AssertionError("no embedded CID font with widths in the issued document")


def _page_text_added(writer: IncrementalPdfFileWriter) -> None:
    extra = generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 600 Td (Noi dung them) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(extra))


@pytest.fixture(scope="module")
def issued() -> bytes:
    return s.fully_signed()


def test_the_issued_document_is_valid(issued: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    reports = _verify(issued)
    assert [r.valid for r in reports] == [True, True]
    assert reports == _with_pyhanko_only(monkeypatch, issued)


@pytest.mark.parametrize("change", [_one_font_width_changed, _page_text_added], ids=["font-width", "page-text"])
def test_a_change_after_both_signatures_is_refused(issued: bytes, monkeypatch: pytest.MonkeyPatch,
                                                   change: Callable[[IncrementalPdfFileWriter], None]) -> None:
    changed = _updated(issued, change)
    reports = _verify(changed)
    assert len(reports) == 2
    for report in reports:
        assert report.intact and not report.valid and report.modification_level == "other"
        assert report.reason is not None and report.reason.startswith("Văn bản đã bị sửa đổi sau khi ký")
    assert reports == _with_pyhanko_only(monkeypatch, changed)

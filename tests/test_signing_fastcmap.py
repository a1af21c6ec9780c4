"""pdfminer reads a font's ToUnicode map at once (signing.speedups.fastcmap, issue 19: a third of
finding a draft's number and date places on the leader's signing step): the same map as
pdfminer's own parser on every ToUnicode map of the test documents and on written-by-hand edge
cases, the plain ones without pdfminer's token-by-token reading of their sections, and the same
number and date places found."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pdfminer import pdffont
from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.psparser import KWD, PSKeyword
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader

from signing.pades import pdfsign
from signing.pdf import draft, placeholders
from signing.speedups import fastcmap
from tests.drafts import CORPUS, make
from tests.signing_support import (
    AGENCY,
    ISSUED_ON,
    LEADER,
    NUMBER,
    POSITION,
    demo_pki,
    p12_key,
    seal_png,
    signature_png,
)

HEAD = (b"/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n/CIDSystemInfo << /Registry (Adobe) "
        b"/Ordering (UCS) /Supplement 0 >> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        b"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
TAIL = b"\nendcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
EDGES = {
    "bfchar": b"2 beginbfchar\n<0003> <0041>\n<0004> <00A0>\nendbfchar",
    "a space and a no-break space on one code": b"2 beginbfchar\n<0005> <0020>\n<0005> <00A0>\nendbfchar",
    "bfrange to a sequence": b"1 beginbfrange\n<0010> <0013> <D835DC00>\nendbfrange",
    "bfrange to an array": b"1 beginbfrange\n<0020><0022>[<0061> <0062><0063>]\nendbfrange",
    "bfrange, array too short": b"1 beginbfrange\n<0020> <0024> [<0061> <0062>]\nendbfrange",
    "bfrange, ends of two lengths": b"1 beginbfrange\n<20> <0024> <0061>\nendbfrange",
    "ligature": b"1 beginbfchar\n<0007> <00660069>\nendbfchar",
    "two sections": b"1 beginbfchar\n<01> <0041>\nendbfchar\n1 beginbfrange\n<02> <03> <0042>\nendbfrange",
    "a comment": b"1 beginbfchar % the letter A\n<0001> <0041>\nendbfchar",
    "an odd hex string": b"1 beginbfchar\n<001> <0041>\nendbfchar",
    "a glyph name": b"1 beginbfchar\n<0001> /A\nendbfchar",
    "usecmap": b"/Adobe-Japan1-UCS2 usecmap\n1 beginbfchar\n<0001> <0041>\nendbfchar",
    "endcmap first": b"endcmap\n1 beginbfchar\n<0001> <0041>\nendbfchar",
    "begincmap again": b"1 beginbfchar\n<0001> <0041>\nendbfchar\nendcmap\nbegincmap\n1 beginbfchar\n<0002> <0042>"
                       b"\nendbfchar",
    "vertical": b"/WMode 1 def\n1 beginbfchar\n<0001> <0041>\nendbfchar",
    "long, then a comment": b"3000 beginbfchar\n" + b"<0001> <0041>\n" * 3000 + b"% the end\nendbfchar",
}


def _read(parser: type[CMapParser], data: bytes) -> FileUnicodeMap:
    found = FileUnicodeMap()
    parser(found, io.BytesIO(data)).run()
    return found


def _same(data: bytes) -> None:
    ours, theirs = _read(fastcmap.ToUnicodeParser, data), _read(CMapParser, data)
    assert (ours.cid2unichr, ours.attrs) == (theirs.cid2unichr, theirs.attrs)


def _documents() -> Iterator[bytes]:
    """Every draft of the test corpus, and one signed by the leader and issued (pyHanko's
    appearance fonts, written in bfchar and bfrange sections)."""
    for kind in CORPUS:
        yield make(kind)
    now = datetime.now(UTC).replace(microsecond=0)
    pki = demo_pki()
    signed = pdfsign.sign_leader(draft.prepare_draft(make(CORPUS[0])), p12_key(pki.leader), LEADER, POSITION, AGENCY,
                                 signature_png(), now)
    yield pdfsign.sign(signed, pdfsign.agency_step(AGENCY, seal_png(), now, draft.Numbering(NUMBER, ISSUED_ON)),
                       p12_key(pki.agency))


def _to_unicode_maps(pdf: bytes) -> list[bytes]:
    reader = PdfFileReader(io.BytesIO(pdf))
    found = []
    for revision in range(reader.xrefs.total_revisions):
        for ref in reader.xrefs.explicit_refs_in_revision(revision):
            value = reader.get_object(ref)
            if isinstance(value, generic.DictionaryObject) and "/ToUnicode" in value:
                found.append(value["/ToUnicode"].get_object().data)
    return found


@pytest.fixture
def sections_by_pdfminer(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The character sections pdfminer's own parser read token by token."""
    seen: list[str] = []
    original = CMapParser.do_keyword
    ends = (KWD(b"endbfchar"), KWD(b"endbfrange"))

    def counted(self: CMapParser, pos: int, token: PSKeyword) -> None:
        if token in ends:
            seen.append(str(token))
        original(self, pos, token)

    monkeypatch.setattr(CMapParser, "do_keyword", counted)
    return seen


def test_every_map_of_the_test_documents_is_read_at_once_and_the_same(sections_by_pdfminer: list[str]) -> None:
    maps = [data for pdf in _documents() for data in _to_unicode_maps(pdf)]
    assert len(maps) >= 2 * len(CORPUS) + 4  # the drafts' fonts, the appearances' and the number's
    for data in maps:
        sections_by_pdfminer.clear()
        assert _read(fastcmap.ToUnicodeParser, data).cid2unichr
        assert sections_by_pdfminer == []  # read at once
        _same(data)


@pytest.mark.parametrize("sections", EDGES.values(), ids=EDGES.keys())
def test_a_map_written_otherwise_reads_as_pdfminer_reads_it(sections: bytes) -> None:
    _same(HEAD + sections + TAIL)


def test_the_number_and_date_places_are_the_ones_pdfminer_alone_finds(monkeypatch: pytest.MonkeyPatch) -> None:
    assert fastcmap.installed()
    drafts = [draft.qpdf_rewrite(make(kind)) for kind in CORPUS]
    ours = [placeholders.find(pdf) for pdf in drafts]
    monkeypatch.setattr(pdffont, "CMapParser", CMapParser)
    assert ours == [placeholders.find(pdf) for pdf in drafts]
    assert sum(found is not None for found in ours) >= 4

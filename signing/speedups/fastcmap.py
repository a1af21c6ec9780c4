"""pdfminer's reading of a font's ToUnicode CMap, its character sections read at once.

Finding where a draft wants its number and date (signing.pdf.placeholders) reads page 1 with
pdfminer.six, which parses every font's ToUnicode CMap token by token through its PostScript
parser: a third of that search on a Decree 30 draft (four fonts, ~130 ``bfchar`` entries each;
~4 of 12 ms, 2026-12-08), on the leader's signing step.

:class:`ToUnicodeParser` reads the ``beginbfchar``/``beginbfrange`` sections with one regular
expression when they are written plainly (hex strings of whole bytes, arrays of them, nothing
else between the sections up to ``endcmap``) and gives each entry to the map as pdfminer's own
``CMapParser.do_keyword`` does, in the same order, with the same arithmetic. What comes before
the first section (the ``def`` lines, the code space) and after ``endcmap`` is still read by
pdfminer's parser; anything else, and every map that is not a ToUnicode map, is read by pdfminer
alone. Installed on the pdfminer.six version it was checked against (tests/test_signing_fastcmap.py
compares both on every ToUnicode map of the test documents).
"""

from __future__ import annotations

import re
import struct
from io import BytesIO

from pdfminer import pdffont
from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.utils import nunpack

# Possessive throughout: each token matches one way only, so a long map that does not fit fails in
# one pass, never by trying other splits of what it read.
_HEX = rb"<(?:[0-9A-Fa-f]{2})++>"
_END = rb"(?=[\s<\[]|\Z)"  # a keyword ends where PostScript's next token may start
_BFCHAR = rb"\d++\s++beginbfchar" + _END + rb"(?:\s*+" + _HEX + rb"\s*+" + _HEX + rb")*+\s*+endbfchar" + _END
_BFRANGE = rb"\d++\s++beginbfrange" + _END + rb"(?:\s*+" + _HEX + rb"\s*+" + _HEX + rb"\s*+(?:" + _HEX + \
    rb"|\[(?:\s*+" + _HEX + rb")*+\s*+\]))*+\s*+endbfrange" + _END
_FIRST = re.compile(rb"\d++\s++beginbf(?:char|range)" + _END)
_BODY = re.compile(rb"(?:\s*+(?:" + _BFCHAR + rb"|" + _BFRANGE + rb"))++\s*+endcmap" + _END)
_SECTION = re.compile(rb"begin(bfchar|bfrange)(.*?)end\1", re.DOTALL)
_CHAR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_RANGE = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(?:<([0-9A-Fa-f]+)>|\[([^\]]*)\])")
_ITEM = re.compile(rb"<([0-9A-Fa-f]+)>")


class ToUnicodeParser(CMapParser):
    """pdfminer's ``CMapParser``, the plainly written character sections of a ToUnicode map read
    at once (same map, same order)."""

    def run(self) -> None:
        data = self.fp.getvalue() if isinstance(self.fp, BytesIO) else None
        first = _FIRST.search(data) if data is not None and isinstance(self.cmap, FileUnicodeMap) else None
        body = _BODY.match(data, first.start()) if data is not None and first is not None else None
        if data is None or first is None or body is None or b"begincmap" in data[body.end():]:
            super().run()
            return
        head = CMapParser(self.cmap, BytesIO(data[:first.start()]))
        head.run()
        if not head._in_cmap:  # an endcmap before the sections: pdfminer ignores them
            super().run()  # (the head's ``def`` lines are set again, to the same values)
            return
        for kind, section in _SECTION.findall(data, first.start(), body.end()):
            if kind == b"bfchar":
                for cid, code in _CHAR.findall(section):
                    self.cmap.add_cid2unichr(nunpack(bytes.fromhex(cid.decode())), bytes.fromhex(code.decode()))
            else:
                for start, end, code, items in _RANGE.findall(section):
                    self._range(bytes.fromhex(start.decode()), bytes.fromhex(end.decode()),
                                bytes.fromhex(code.decode()) if code else
                                [bytes.fromhex(i.decode()) for i in _ITEM.findall(items)])
        tail = CMapParser(self.cmap, BytesIO(data[body.end():]))
        tail._in_cmap = False  # after endcmap: pdfminer reads on, and ignores what it reads
        tail.run()

    def _range(self, start_byte: bytes, end_byte: bytes, code: bytes | list[bytes]) -> None:
        """One ``bfrange`` entry, as ``CMapParser.do_keyword`` adds it."""
        if len(start_byte) != len(end_byte):
            return
        start, end = nunpack(start_byte), nunpack(end_byte)
        if isinstance(code, list):
            for cid, value in zip(range(start, end + 1), code, strict=False):
                self.cmap.add_cid2unichr(cid, value)
            return
        var, prefix = code[-4:], code[:-4]
        base, size = nunpack(var), len(var)
        for i in range(end - start + 1):
            self.cmap.add_cid2unichr(start + i, prefix + struct.pack(">L", base + i)[-size:])


def install() -> None:
    """pdfminer's fonts read their ToUnicode maps with :class:`ToUnicodeParser`. Idempotent."""
    pdffont.CMapParser = ToUnicodeParser  # type: ignore[misc]


def installed() -> bool:
    return pdffont.CMapParser is ToUnicodeParser

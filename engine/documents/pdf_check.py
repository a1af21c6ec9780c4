"""An upload is stored only if it is a real PDF and nothing more, checked by qpdf in a child
process held to a memory and time budget (as engine/documents/pdf_pages.py counts pages):

- it starts with ``%PDF-``: a file that is also an HTML page (HTML before the header, which
  PDF readers skip) is refused, so that no browser ever renders it as a page of this origin;
- qpdf parses every object (object streams included) within the budget, and none of them
  is an action or a part that runs or carries something else: JavaScript, Launch, embedded
  files, XFA forms, rich media;
- its Flate streams, inflated, are at most ``64 MiB + 20 ×`` the file's size in all: a Flate bomb
  (a 1 MB file inflating to gigabytes) is refused before anyone renders or signs it.

Each refusal says why in Vietnamese, naming the ``file`` field. The same qpdf run lists the pages:
an accepted file's page count comes with it (issue 19: a second qpdf child counted them), and the
same child reads the text of a main file for search when asked (it was a pdftotext child).
qpdf and poppler run as libraries in a child forked by engine/documents/pdf_reader.py's helper,
held to the budget prlimit held the ``qpdf`` program to."""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from engine.core.errors import InvalidData, Text
from engine.documents import filenames, pdf_reader
from engine.documents.storage import CHUNK, FileStore

_FORBIDDEN = {
    b'"/JavaScript"': Text("mã JavaScript"), b'"/JS"': Text("mã JavaScript"),
    b'"/Launch"': Text("lệnh mở chương trình (Launch)"),
    b'"/EmbeddedFiles"': Text("tệp đính kèm bên trong"), b'"/EmbeddedFile"': Text("tệp đính kèm bên trong"),
    b'"/XFA"': Text("biểu mẫu XFA"), b'"/RichMedia"': Text("nội dung đa phương tiện (RichMedia)"),
}
INFLATE_BASE = 64 * 1024 * 1024
INFLATE_RATIO = 20
_STREAM = re.compile(rb"stream\r?\n")
_HTML = (b"<html", b"<!doctype", b"<script", b"<body", b"<svg", b"<iframe")


def _refuse(reason: str, field: str | None = None) -> InvalidData:
    said = Text("Tệp PDF bị từ chối: %(reason)s.", reason=reason)
    return InvalidData(said, {"file": field or said})


def check_head(head: bytes) -> None:
    """The first kilobyte: a PDF header first, and no HTML anywhere in it."""
    if not head.startswith(b"%PDF-"):
        raise _refuse(Text("nội dung không bắt đầu bằng phần đầu của tệp PDF (%PDF-)"),
                      Text("Nội dung không phải PDF."))
    if any(tag in head.lower() for tag in _HTML):
        raise _refuse(Text("tệp chứa mã HTML"))


# qpdf's JSON of every object (object streams included) and its list of pages
QPDF_JSON = ("--json=2", "--json-key=qpdf", "--json-key=pages", "--json-stream-data=none", "--decode-level=none")


def _inflated_size_within(path: Path, limit: int) -> bool:
    """Whether the Flate data after every ``stream`` keyword of the file (object streams
    included, referenced or not) inflates to at most ``limit`` bytes in all; inflated a
    chunk at a time, so that a bomb costs no more than ``limit`` of work and no memory."""
    data = path.read_bytes()
    total = 0
    for found in _STREAM.finditer(data):
        inflater = zlib.decompressobj()
        try:
            for at in range(found.end(), len(data), CHUNK):
                pending = data[at:at + CHUNK]
                while pending and not inflater.eof:
                    total += len(inflater.decompress(pending, CHUNK))
                    if total > limit:
                        return False
                    pending = inflater.unconsumed_tail
                if inflater.eof:
                    break
        except zlib.error:
            continue  # not Flate (an image, plain text, "endstream"): nothing to inflate
    return True


@dataclass(frozen=True)
class Checked:
    pages: int | None  # None when qpdf lists none
    text: str | None  # the text asked for (None: not asked, or unreadable within its budget)


def check_file(path: Path, text_pages: int = 0) -> Checked:
    """Refuse what the module names; the file's page count, and the text of its first
    ``text_pages`` pages when asked."""
    if not _inflated_size_within(path, INFLATE_BASE + INFLATE_RATIO * path.stat().st_size):
        raise _refuse(Text("tệp giải nén ra quá lớn (nghi là bom nén)"))
    read = pdf_reader.read(path, QPDF_JSON, tuple(t.decode() for t in _FORBIDDEN), text_pages)
    if read.job is None and read.late:
        raise _refuse(Text("tệp quá phức tạp để kiểm tra"))
    if read.job is None or read.job.exit not in (0, 3):  # 3: read with warnings (a repaired table, common in scans)
        raise _refuse(Text("tệp hỏng hoặc quá phức tạp để kiểm tra"))
    # the pages' part names only objects the qpdf part holds: it adds no name the search could meet
    for token, what in _FORBIDDEN.items():
        if token.decode() in read.job.found:
            raise _refuse(Text("tệp chứa %(what)s", what=what))
    return Checked(read.job.page_count or None, read.text)


@dataclass(frozen=True)
class Stored:
    filename: str  # made safe
    sha256: str
    size: int
    pages: int | None
    text: str | None = None  # of its first ``text_pages`` pages, when asked


def store_upload(store: FileStore, filename: str, stream: IO[bytes], max_bytes: int, text_pages: int = 0) -> Stored:
    """Store an uploaded PDF after the checks: its safe name, SHA-256, size and page count, and
    the text of its first ``text_pages`` pages when asked (read by the same child)."""
    name = filenames.safe(filename)
    if not name.lower().endswith(".pdf"):
        raise InvalidData("Chỉ chấp nhận tệp PDF.", {"file": "Tệp phải có đuôi .pdf."})
    checked: list[Checked] = []
    sha, size = store.put(stream, max_bytes, check_head, lambda path: checked.append(check_file(path, text_pages)))
    return Stored(name, sha, size, checked[0].pages, checked[0].text)

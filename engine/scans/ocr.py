"""OCRmyPDF with Tesseract's Vietnamese data (Debian's ocrmypdf and tesseract-ocr-vie): a scan
becomes a two-layer PDF/A-2 (the page images as scanned, ≥ 200 dpi and 24-bit colour kept, under
an invisible text layer; Circular 05/2025/TT-BNV Ch. II). Run in a child held to a memory and
time budget, one core, its per-page log read for the progress."""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.core.errors import InvalidData, Text
from engine.documents import pdf_check
from engine.documents.pdf_pages import count

MAX_PAGES = 100  # one scan of one document; a bigger one is split by the clerk
MEMORY_BYTES = 2 * 1024 * 1024 * 1024
SECONDS_PER_PAGE = 120  # generous: a busy two-core server does a page in 5–25 s
_PAGE_DONE = re.compile(r"^\s*(\d+)\s+Grafting")
_TEXT_CHARACTERS = 40  # fewer characters on the first pages than this: no text layer worth keeping


@dataclass(frozen=True)
class Inspected:
    pages: int


def _quiet(command: list[str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(command, capture_output=True, timeout=30, check=False)


def check_head(head: bytes) -> None:
    """A scan saved as a picture (JPEG, PNG) is the commonest mistake: said plainly."""
    if not head.startswith(b"%PDF-"):
        raise InvalidData("Tệp không phải PDF: hãy quét văn bản thành tệp PDF (mỗi trang một ảnh).",
                          {"file": "Cần tệp PDF."})
    pdf_check.check_head(head)


def inspect(path: Path) -> Inspected:
    """Refuses what cannot be scanned text: not a PDF, a password, too many pages, a text layer
    already there (nothing to recognise: register it as it is)."""
    if _quiet(["qpdf", "--requires-password", str(path)]).returncode == 0:
        raise InvalidData("Tệp PDF có mật khẩu: hãy quét lại hoặc gỡ mật khẩu trước khi tải lên.",
                          {"file": "Tệp có mật khẩu."})
    pages = count(path)
    if pages is None:
        raise InvalidData("Không đọc được tệp PDF (tệp hỏng).", {"file": "Tệp hỏng."})
    if pages > MAX_PAGES:
        raise InvalidData(Text("Bản quét có %(pages)s trang, quá %(limit)s trang cho một lần nhận dạng: hãy tách "
                               "thành nhiều tệp.", pages=pages, limit=MAX_PAGES), {"file": "Quá nhiều trang."})
    text = _quiet(["pdftotext", "-f", "1", "-l", "3", str(path), "-"]).stdout.decode("utf-8", "replace")
    if len("".join(text.split())) >= _TEXT_CHARACTERS:
        raise InvalidData("Tệp đã có lớp chữ, không phải bản quét: hãy vào sổ trực tiếp với tệp này.",
                          {"file": "Tệp đã có lớp chữ."})
    return Inspected(pages)


class OcrFailed(Exception):
    """OCR did not finish; ``message`` says why, in Vietnamese."""

    def __init__(self, message: str | Text) -> None:
        super().__init__(str(message))
        self.message = message


def recognise(source: Path, target: Path, pages: int, progress: Callable[[int], None]) -> None:
    """``source`` OCRed into ``target``; ``progress`` is told each page done."""
    command = ["prlimit", f"--as={MEMORY_BYTES}", "ocrmypdf", "-l", "vie", "--output-type", "pdfa-2", "--jobs", "1",
               "--optimize", "0", "-v", "1", str(source), str(target)]
    deadline = time.monotonic() + SECONDS_PER_PAGE * pages + 60
    with subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) as child:
        assert child.stderr is not None
        tail: list[str] = []
        for raw in child.stderr:
            line = raw.decode("utf-8", "replace")
            tail = (tail + [line])[-5:]
            if (done := _PAGE_DONE.match(line)) is not None:
                progress(int(done.group(1)))
            if time.monotonic() > deadline:
                child.kill()
                raise OcrFailed("Nhận dạng quá thời gian cho phép: bản quét quá lớn hoặc máy chủ đang quá tải.")
        code = child.wait(timeout=max(1.0, deadline - time.monotonic()))
    if code != 0 or not target.is_file():
        # ocrmypdf's exit codes: 2 bad input, 7 a child (Tesseract, Ghostscript) failed, 15 other.
        raise OcrFailed("Không nhận dạng được bản quét (trang hỏng hoặc không đọc được)."
                        if code in (2, 7, 15) else "Nhận dạng bản quét không thành công.")


_READABLE = 10  # characters a page of a document has at least, once recognised


def pages_text(path: Path) -> list[str]:
    """Each page's recognised text with its layout (columns kept apart); OcrFailed naming the
    first page where nothing could be read (a blank or ruined page of the scan)."""
    out = _quiet(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"]).stdout.decode("utf-8", "replace")
    pages = out.split("\f")[:-1] if out.endswith("\f") else out.split("\f")
    for number, text in enumerate(pages, start=1):
        if len("".join(text.split())) < _READABLE:
            raise OcrFailed(Text("Trang %(page)s của bản quét không đọc được chữ nào: hãy quét lại trang này "
                                 "(rõ nét, từ 200 dpi).", page=number))
    return pages

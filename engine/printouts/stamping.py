"""A document's printout (bản in): the stored PDF with its signatures' appearances drawn into
the pages (a paper copy carries no live signature; the lookup code says where to check it) and
the mark's footer laid over every page. qpdf and pdfinfo run in children held to the budget of
engine.documents.pdf_pages: the stored file is untrusted input."""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from fpdf import FPDF

from engine.core.errors import InvalidData
from engine.documents.pdf_pages import MEMORY_BYTES, SECONDS, limited_qpdf
from engine.printouts import footer
from engine.printouts.marks import PrintMark

_FAMILY = "mark"
_POINT_MM = 25.4 / 72
_PAGE = re.compile(r"^Page\s+(\d+)\s+(size|rot):\s+(\S+)(?:\s+x\s+(\S+))?", re.MULTILINE)
_UNREADABLE = "Không in được văn bản: tệp PDF đã lưu không đọc được."


def _run(command: list[str]) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(command, capture_output=True, timeout=SECONDS * 4, check=False)
    except subprocess.TimeoutExpired as error:
        raise InvalidData(_UNREADABLE) from error


def _qpdf(*arguments: str) -> None:
    done = _run(limited_qpdf(*arguments))
    if done.returncode not in (0, 3):  # 3: written with warnings (a repaired table)
        raise InvalidData(_UNREADABLE)


def page_sizes(path: Path) -> list[tuple[float, float]]:
    """Each page's size as shown (rotation applied), in millimetres."""
    done = _run(["prlimit", f"--as={MEMORY_BYTES}", f"--cpu={SECONDS}", "pdfinfo", "-f", "1", "-l", "100000",
                 str(path)])
    if done.returncode != 0:
        raise InvalidData(_UNREADABLE)
    sizes: dict[int, tuple[float, float]] = {}
    turned: dict[int, bool] = {}
    for number, what, first, second in _PAGE.findall(done.stdout.decode("utf-8", "replace")):
        if what == "size":
            sizes[int(number)] = (float(first) * _POINT_MM, float(second) * _POINT_MM)
        else:
            turned[int(number)] = int(float(first)) % 180 == 90
    return [(h, w) if turned.get(n) else (w, h) for n, (w, h) in sorted(sizes.items())]


def _overlay(sizes: list[tuple[float, float]], mark: PrintMark, font: Path) -> bytes:
    pdf = FPDF(unit="mm")
    pdf.set_auto_page_break(False)
    pdf.add_font(_FAMILY, "", str(font))
    for width, height in sizes:
        pdf.add_page(format=(width, height), orientation="L" if width > height else "P")
        footer.draw(pdf, mark, _FAMILY, opaque=True)
    return bytes(pdf.output())


def printout(original: Path, mark: PrintMark, font: Path) -> bytes:
    """The printout of the PDF at ``original`` with ``mark`` at the foot of every page."""
    with tempfile.TemporaryDirectory(prefix="qlvb-print-") as folder:
        flat, over, out = Path(folder, "flat.pdf"), Path(folder, "mark.pdf"), Path(folder, "out.pdf")
        _qpdf("--flatten-annotations=all", "--generate-appearances", "--remove-restrictions", str(original),
              str(flat))
        sizes = page_sizes(flat)
        if not sizes:
            raise InvalidData(_UNREADABLE)
        over.write_bytes(_overlay(sizes, mark, font))
        _qpdf(str(flat), "--overlay", str(over), "--", str(out))
        return out.read_bytes()

"""Text of a PDF read by poppler (the engine of pdftotext) in a child process held to a memory and
time budget (engine/documents/pdf_reader.py): the file is untrusted input and this runs in a
request thread or the worker. Poppler in a child rather than pdfminer.six in-process: a child can
be stopped at its budget, a Python loop over a hostile PDF cannot. An upload's text is read by the
child that checks the file (engine/documents/uploads.py); :func:`extract` reads a stored file's."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.documents import pdf_reader

MAX_PAGES = 200  # a longer document is searched on its first pages
MAX_CHARS = 300_000  # about 150 pages of an official letter


@dataclass(frozen=True)
class Extracted:
    text: str
    outcome: str  # ok, empty, partial, failed


def extract(path: Path) -> Extracted:
    """The text of a stored file (the worker's pass over files stored before their text was kept)."""
    return tidy(pdf_reader.read(path, None, text_pages=MAX_PAGES).text)


def tidy(text: str | None) -> Extracted:
    """Poppler's text (None: unreadable within its budget) as it is kept for search."""
    if text is None:
        return Extracted("", "failed")
    # Form feeds separate pages; runs of spaces come from the layout.
    lines = (" ".join(line.split()) for line in text.replace("\f", "\n").splitlines())
    text = "\n".join(line for line in lines if line)
    if not text:
        return Extracted("", "empty")
    if len(text) > MAX_CHARS:
        return Extracted(text[:MAX_CHARS], "partial")
    return Extracted(text, "ok")

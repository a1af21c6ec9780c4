"""Text of a PDF read by poppler's pdftotext in a child process held to a memory and time
budget, like qpdf's in ``engine.documents.pdf_pages``: the file is untrusted input and this runs in a
request thread or the worker. pdftotext rather than pdfminer.six in-process: a child can be
stopped at its budget, a Python loop over a hostile PDF cannot."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

MEMORY_BYTES = 256 * 1024 * 1024
SECONDS = 10
MAX_PAGES = 200  # a longer document is searched on its first pages
MAX_CHARS = 300_000  # about 150 pages of an official letter


@dataclass(frozen=True)
class Extracted:
    text: str
    outcome: str  # ok, empty, partial, failed


def extract(path: Path) -> Extracted:
    command = ["prlimit", f"--as={MEMORY_BYTES}", f"--cpu={SECONDS}",
               "pdftotext", "-q", "-enc", "UTF-8", "-l", str(MAX_PAGES), str(path), "-"]
    try:
        done = subprocess.run(command, capture_output=True, timeout=SECONDS, check=False)
    except (subprocess.TimeoutExpired, OSError):
        return Extracted("", "failed")
    if done.returncode != 0:
        return Extracted("", "failed")
    # Form feeds separate pages; runs of spaces come from the layout.
    lines = (" ".join(line.split()) for line in done.stdout.decode("utf-8", "replace").replace("\f", "\n").splitlines())
    text = "\n".join(line for line in lines if line)
    if not text:
        return Extracted("", "empty")
    if len(text) > MAX_CHARS:
        return Extracted(text[:MAX_CHARS], "partial")
    return Extracted(text, "ok")

"""The number of pages of a stored PDF, counted once when it is stored, by qpdf in a child
process held to a memory and time budget: a PDF is untrusted input, and one whose page tree
sits in an object stream inflating to 512 MiB once made every records page of its agency
answer 500 when it was counted on each view. A file that cannot be counted within the
budget has no page count (None), which lists show as unknown; nothing else depends on it."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sqlalchemy import select, update

from engine.core.db import Database
from engine.documents.storage import FileStore
from engine.models import DocumentFile

MEMORY_BYTES = 256 * 1024 * 1024  # address space of the counting process
SECONDS = 5  # wall clock; the CPU limit is the same


def limited_qpdf(*arguments: str) -> list[str]:
    """The command line of qpdf held to the budget (also engine.documents.pdf_check's)."""
    # prlimit (util-linux) sets the limits in the child: no preexec_fn in a threaded server.
    return ["prlimit", f"--as={MEMORY_BYTES}", f"--cpu={SECONDS}", "qpdf", *arguments]


def count(path: Path) -> int | None:
    """Pages of the PDF at ``path``; None when qpdf cannot read it cleanly within the budget."""
    try:
        done = subprocess.run(limited_qpdf("--show-npages", str(path)), capture_output=True, timeout=SECONDS,
                              check=False)
    except subprocess.TimeoutExpired:
        return None
    text = done.stdout.decode("ascii", "replace").strip()
    # 3: qpdf read the file with warnings (a repaired cross-reference table, common in scans).
    if done.returncode not in (0, 3) or not text.isdigit() or int(text) < 1:
        return None
    return int(text)


def fill_unknown(db: Database, store: FileStore) -> tuple[int, int]:
    """Count the stored files that have no page count yet (those stored before migration
    0018): counted outside any transaction, written in one. Returns (counted, still unknown)."""
    with db.read() as session:
        digests = list(session.scalars(select(DocumentFile.sha256).where(DocumentFile.page_count.is_(None)).distinct()))
    found = {sha: count(store.path(sha)) if store.path(sha).is_file() else None for sha in digests}
    with db.write() as session:
        for sha, pages in found.items():
            if pages is not None:
                session.execute(update(DocumentFile).where(DocumentFile.sha256 == sha,
                                                           DocumentFile.page_count.is_(None)).values(page_count=pages))
    counted = sum(1 for p in found.values() if p is not None)
    return counted, len(found) - counted

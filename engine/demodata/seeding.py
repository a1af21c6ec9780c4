"""Filling a platform with the demo's documents and cases (``qlvb seed-demo``): the PDFs stored
first, the documents and cases in one transaction, then their texts read for full-text search."""

from __future__ import annotations

from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.fulltext import index as fulltext_index

from . import cases, documents


def run(platform: Platform) -> tuple[int, int]:
    """(documents made, cases started); nothing for the agencies that have documents already."""
    settings = platform.settings
    store = FileStore(settings.files_dir)
    with platform.db.read() as session:
        empty = documents.empty_agencies(session)
    if not empty:
        return 0, 0
    pdfs = documents.store_letters(store, empty, (settings.pdf_font, settings.pdf_font_bold))
    now = platform.clock.now()
    with platform.db.write() as session:
        made = documents.seed(session, pdfs, now)
        started = cases.start(session, now)
    while fulltext_index.index(platform.db, store, now, limit=500):
        pass
    return made, started

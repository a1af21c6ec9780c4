"""A record (hồ sơ) exported as one PDF: the list of its documents (Decree 30 Appendix VI columns),
then each document's main file, in date order. It is a printout (bản in) like any other paper the
platform prints (Law on Electronic Transactions 2023 Art. 12 cl. 2; Decree 137/2024 Art. 5): the
cover draws the footer with its lookup code and QR code on its own pages, and the documents get
the same footer laid over theirs (engine.printouts.stamping).

Three phases, so that no lock is held while qpdf reads untrusted files: :func:`plan` reads the
record in a short transaction, :func:`issue` records the printout and the export (audited) in a
short write transaction, :func:`make` draws and joins the PDF with none open.
"""

from __future__ import annotations

import dataclasses
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.documents import doctypes
from engine.documents.storage import FileStore
from engine.models import Agency, User
from engine.office import records
from engine.printouts import marks, stamping
from engine.reporting import pdftable
from engine.reporting.exports import Export


@dataclass(frozen=True)
class RecordPdf:
    """What a record's PDF is made of, read in a transaction."""

    record_id: int
    agency_id: int
    title: str  # what the printout's lookup names
    cover: pdftable.Sheet
    files: tuple[Path, ...]  # the documents' main files, joined after the cover
    filename: str
    document_ids: tuple[int, ...]


def plan(session: Session, store: FileStore, user: User, record_id: int, now: datetime) -> RecordPdf:
    """The record ``user`` may see, with the documents of it they may see."""
    record = records.visible_record(session, user, record_id)
    docs = records.documents_in(session, record, records.readable(session, user, now))
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    rows, sheet_no, files = [], 1, []
    for i, doc in enumerate(docs, start=1):
        pages = records.page_count(doc)
        main = next((f for f in doc.files if f.role == "main"), None)
        # A file whose pages could not be counted is one qpdf could not read within its budget:
        # it is listed, not joined.
        joined = main is not None and main.page_count is not None
        note = "Không có tệp" if main is None else "" if joined else "Tệp không đọc được, không ghép"
        rows.append([str(i), doc.number_symbol or "", records.dated(doc).strftime("%d/%m/%Y"),
                     doc.issuer_name or agency.name, f"{doctypes.DOC_TYPES.get(doc.doc_type, '')} {doc.subject}",
                     f"{sheet_no}–{sheet_no + pages - 1}" if pages and joined else "", note])
        if joined:
            assert main is not None and pages is not None
            sheet_no += pages
            files.append(store.path(main.sha256))
    code = records.code(session, record)
    cover = pdftable.Sheet(
        heading=[(agency.name.upper(), "B", 12), ("MỤC LỤC VĂN BẢN", "B", 16), (record.title, "", 12)],
        subtitle=f"Mã hồ sơ: {code} – Thời hạn bảo quản: {record.retention}",
        columns=records.COVER_COLUMNS, centred={"STT", "Ngày tháng văn bản", "Tờ số"}, rows=rows,
        running_title=f"Hồ sơ {code}", document_title=f"Hồ sơ {record.title}", author=agency.name)
    return RecordPdf(record.id, record.agency_id, f"Hồ sơ {code}: {record.title}", cover, tuple(files),
                     f"ho-so-{code}.pdf", tuple(d.id for d in docs))


def issue(session: Session, user: User, planned: RecordPdf, lookup_url: Callable[[str], str],
          now: datetime) -> marks.PrintMark:
    """The printout's mark, recorded before the PDF is drawn (a code on paper always has its
    row), with the export's audit entry."""
    audit.append(session, at=now, action="record_exported", actor_id=user.id,
                 payload={"record": planned.record_id, "format": "pdf", "documents": list(planned.document_ids)})
    return marks.issue(session, agency_id=planned.agency_id, user_id=user.id, kind="record", title=planned.title,
                       document_id=None, lookup_url=lookup_url, now=now)


def make(planned: RecordPdf, mark: marks.PrintMark, fonts: pdftable.Fonts, now: datetime) -> Export:
    """The PDF, every page with ``mark``'s footer; no transaction open."""
    cover = pdftable.render(dataclasses.replace(planned.cover, mark=mark), fonts, now)
    with tempfile.TemporaryDirectory(prefix="qlvb-record-") as work:
        cover_path, joined, out = Path(work) / "cover.pdf", Path(work) / "documents.pdf", Path(work) / "record.pdf"
        cover_path.write_bytes(cover)
        if not planned.files:
            return Export(cover, planned.filename, "application/pdf")
        subprocess.run(["qpdf", "--empty", "--pages", *map(str, planned.files), "--", str(joined)],
                       check=True, capture_output=True, timeout=600)
        stamped = Path(work) / "stamped.pdf"
        stamped.write_bytes(stamping.printout(joined, mark, fonts.regular))
        subprocess.run(["qpdf", "--empty", "--pages", str(cover_path), str(stamped), "--", str(out)],
                       check=True, capture_output=True, timeout=600)
        return Export(out.read_bytes(), planned.filename, "application/pdf")

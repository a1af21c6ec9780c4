"""Kết quả xác thực chữ ký số: every signature of every file of a document (the main file and each
appendix) verified now against the installation's and the agency's trust store, in the seven fields
of Circular 15/2025/TT-BKHCN Art. 6 (signing.pades.report), with the evidence recorded when the
platform signed; as JSON for the API and the page, and as a printable PDF page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fpdf import FPDF
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, NotFound, Text
from engine.documents.storage import FileStore
from engine.models import Document, User
from engine.org import permissions
from engine.signatures import evidence, trust_store
from signing.errors import SigningError
from signing.pades import report, verify

if TYPE_CHECKING:
    from engine.signatures.signatures import Keys


@dataclass(frozen=True)
class File:
    id: int
    role: str  # main, appendix
    filename: str
    sha256: str
    path: Path


@dataclass(frozen=True)
class Target:
    """What to verify, read in the request's session; the verification itself runs outside it."""

    document: dict[str, Any]
    files: tuple[File, ...]  # the main file first
    roots: list[bytes]
    evidence: list[dict[str, Any]]


def target(session: Session, store: FileStore, keys: Keys, user: User, document_id: int, now: datetime) -> Target:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    if not any(f.role == "main" for f in doc.files):
        raise InvalidData("Văn bản chưa có tệp chính để xác thực chữ ký số.", {"file": "Chưa có tệp chính."})
    files = sorted(doc.files, key=lambda f: f.role != "main")
    roots = trust_store.keys_for(session, keys, doc.agency_id).trust_roots()
    return Target({"id": doc.id, "number_symbol": doc.number_symbol, "subject": doc.subject},
                  tuple(File(f.id, f.role, f.filename, f.sha256, store.path(f.sha256)) for f in files), roots,
                  [evidence.describe(e) for e in evidence.of_document(session, doc.id)])


def _verify_file(file: File, roots: list[bytes], now: datetime) -> dict[str, Any]:
    try:
        reports = verify.verify_pdf(file.path.read_bytes(), roots, now)
    except SigningError as err:
        message = Text("Không đọc được tệp %(file)s để xác thực chữ ký số: %(reason)s", file=file.filename,
                       reason=err.message)
        raise InvalidData(message, {"file": message}) from None
    return {"file_id": file.id, "role": file.role, "filename": file.filename, "file_sha256": file.sha256,
            "valid": all(r.valid for r in reports),
            "signatures": [{**r.to_json(), "report": report.fields(r.to_json())} for r in reports]}


def verify_target(found: Target, now: datetime) -> dict[str, Any]:
    """``files``: the main file then each appendix, each with its signatures' reports; ``signatures``
    and ``file_sha256`` repeat the main file's, as before appendices were reported."""
    files = [_verify_file(f, found.roots, now) for f in found.files]
    main = files[0]
    return {"title": report.TITLE, "document": found.document, "file_sha256": main["file_sha256"],
            "verified_at": now.isoformat(),
            "valid": bool(main["signatures"]) and all(f["valid"] for f in files),
            "signatures": main["signatures"], "files": files, "evidence": found.evidence}


def to_pdf(result: dict[str, Any], regular: Path, bold: Path, created: datetime) -> bytes:
    """One A4 page per few signatures, in the TrueType fonts ``regular`` and ``bold``: the title,
    the document, then each file with its signatures' rows."""
    pdf = FPDF(format="A4")
    pdf.add_font("body", "", str(regular))
    pdf.add_font("body", "B", str(bold))
    pdf.set_title(report.TITLE)
    pdf.set_lang("vi")
    pdf.set_creation_date(created)
    pdf.set_margins(18, 15, 18)
    pdf.add_page()
    pdf.set_font("body", "B", 14)
    pdf.cell(0, 9, report.TITLE.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 10)
    doc = result["document"]
    pdf.multi_cell(0, 5.5, f"Văn bản: {doc['number_symbol'] or 'chưa cấp số'} – {doc['subject']}\n"
                           f"Xác thực lúc: {report.fields({'signing_time': result['verified_at']})[3]['value']}",
                   new_x="LMARGIN", new_y="NEXT")
    for file in result["files"]:
        _file_to_pdf(pdf, file)
    return bytes(pdf.output())


def _file_to_pdf(pdf: FPDF, file: dict[str, Any]) -> None:
    """One file's heading (its role, name and hash), then each of its signatures' rows."""
    pdf.ln(4)
    pdf.set_font("body", "B", 12)
    pdf.multi_cell(0, 6.5, f"{report.FILE_ROLES.get(file['role'], file['role'])}: {file['filename']}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("body", "", 9.5)
    pdf.cell(0, 5.5, f"SHA-256: {file['file_sha256']}", new_x="LMARGIN", new_y="NEXT")
    for number, signature in enumerate(file["signatures"], start=1):
        pdf.ln(2)
        pdf.set_font("body", "B", 11)
        verdict = "HỢP LỆ" if signature["valid"] else "KHÔNG HỢP LỆ"
        pdf.cell(0, 7, f"Chữ ký số {number} ({signature['field']}): {verdict}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", "", 9.5)
        with pdf.table(col_widths=(60, 114), line_height=5, padding=1) as table:
            for row in signature["report"]:
                cells = table.row()
                cells.cell(row["label"])
                cells.cell(row["value"])
    if not file["signatures"]:
        pdf.cell(0, 8, "Tệp không có chữ ký số.", new_x="LMARGIN", new_y="NEXT")

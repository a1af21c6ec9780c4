"""Kết quả xác thực chữ ký số: every signature of a document's main file verified now against
the installation's and the agency's trust store, in the seven fields of Circular 15/2025/TT-BKHCN
Art. 6 (signing.pades.report), with the evidence recorded when the platform signed; as JSON for the API
and the page, and as a printable PDF page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fpdf import FPDF
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, NotFound
from engine.documents.storage import FileStore
from engine.models import Document, User
from engine.org import permissions
from engine.signatures import evidence, trust_store
from signing.errors import SigningError
from signing.pades import report, verify

if TYPE_CHECKING:
    from engine.signatures.signatures import Keys


@dataclass(frozen=True)
class Target:
    """What to verify, read in the request's session; the verification itself runs outside it."""

    document: dict[str, Any]
    path: Path
    sha256: str
    roots: list[bytes]
    evidence: list[dict[str, Any]]


def target(session: Session, store: FileStore, keys: Keys, user: User, document_id: int, now: datetime) -> Target:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFound("Không tìm thấy văn bản.")
    permissions.ensure_can_view_document(session, user, doc, now.astimezone(VIETNAM).date())
    main = next((f for f in doc.files if f.role == "main"), None)
    if main is None:
        raise InvalidData("Văn bản chưa có tệp chính để xác thực chữ ký số.", {"file": "Chưa có tệp chính."})
    roots = trust_store.keys_for(session, keys, doc.agency_id).trust_roots()
    return Target({"id": doc.id, "number_symbol": doc.number_symbol, "subject": doc.subject}, store.path(main.sha256),
                  main.sha256, roots, [evidence.describe(e) for e in evidence.of_document(session, doc.id)])


def verify_target(found: Target, now: datetime) -> dict[str, Any]:
    try:
        reports = verify.verify_pdf(found.path.read_bytes(), found.roots, now)
    except SigningError as err:
        raise InvalidData(err.message, {"file": err.message}) from None
    return {"title": report.TITLE, "document": found.document, "file_sha256": found.sha256,
            "verified_at": now.isoformat(), "valid": bool(reports) and all(r.valid for r in reports),
            "signatures": [{**r.to_json(), "report": report.fields(r.to_json())} for r in reports],
            "evidence": found.evidence}


def to_pdf(result: dict[str, Any], regular: Path, bold: Path, created: datetime) -> bytes:
    """One A4 page per few signatures, in the TrueType fonts ``regular`` and ``bold``: the title,
    the document, then each signature's rows."""
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
                           f"Tệp (SHA-256): {result['file_sha256']}\n"
                           f"Xác thực lúc: {report.fields({'signing_time': result['verified_at']})[3]['value']}",
                   new_x="LMARGIN", new_y="NEXT")
    for number, signature in enumerate(result["signatures"], start=1):
        pdf.ln(3)
        pdf.set_font("body", "B", 11)
        verdict = "HỢP LỆ" if signature["valid"] else "KHÔNG HỢP LỆ"
        pdf.cell(0, 7, f"Chữ ký số {number} ({signature['field']}): {verdict}", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("body", "", 9.5)
        with pdf.table(col_widths=(60, 114), line_height=5, padding=1) as table:
            for row in signature["report"]:
                cells = table.row()
                cells.cell(row["label"])
                cells.cell(row["value"])
    if not result["signatures"]:
        pdf.cell(0, 8, "Tệp không có chữ ký số.", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())

"""The public lookup of a printout's code (tra cứu bản in), for anyone holding the paper: whether
what it was printed from exists, its number, date, issuer and signature status — nothing else
(no subject, no content, no people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.models import Agency, Direction, Document, DocumentStatus, Printout, SignatureStatus
from engine.printouts.marks import normalized

SIGNATURE_NAMES = {
    SignatureStatus.VALID: "Chữ ký số hợp lệ",
    SignatureStatus.INVALID: "Chữ ký số không hợp lệ",
    SignatureStatus.NONE: "Không có chữ ký số",
    SignatureStatus.PAPER: "Ký tay trên văn bản giấy",
}
KIND_NAMES = {"document": "Văn bản", "register": "Sổ đăng ký văn bản", "record": "Hồ sơ",
              "statistics": "Báo cáo thống kê"}


# Part of "does it exist": a paper of a recalled or replaced document no longer stands.
STANDING = {DocumentStatus.RECALLED: "Có trên hệ thống, đã bị thu hồi",
            DocumentStatus.REPLACED: "Có trên hệ thống, đã được thay thế",
            DocumentStatus.CORRECTED: "Có trên hệ thống, đã được đính chính"}
EXISTS = "Có trên hệ thống"
GONE = "Không còn trên hệ thống"


@dataclass(frozen=True)
class Found:
    kind: str  # the name of what was printed, in Vietnamese
    exists: bool
    standing: str
    number: str | None
    day: date | None
    issuer: str
    signature: str


def _document(session: Session, printout: Printout, agency: str) -> Found:
    doc = session.get(Document, printout.document_id)
    if doc is None or doc.voided_at is not None:
        return Found(KIND_NAMES["document"], False, GONE, None, None, "", "")
    issuer = agency if doc.direction == Direction.OUTGOING else (doc.issuer_name or "")
    return Found(KIND_NAMES["document"], True, STANDING.get(doc.status, EXISTS), doc.number_symbol,
                 doc.document_date, issuer, SIGNATURE_NAMES[doc.signature_status])


def find(session: Session, typed: str) -> Found | None:
    """What the code ``typed`` was printed from; None for a code that was never printed."""
    code = normalized(typed)
    if code is None:
        return None
    printout = session.scalars(select(Printout).where(Printout.code == code)).first()
    if printout is None:
        return None
    agency = session.scalars(select(Agency.name).where(Agency.id == printout.agency_id)).one()
    if printout.kind == "document":
        return _document(session, printout, agency)
    # A register, record or report printed: it is its own paper; its title names it.
    printed_on = printout.printed_at.astimezone(VIETNAM).date()
    return Found(KIND_NAMES[printout.kind], True, EXISTS, printout.title, printed_on, agency, "Bản in không ký số")

"""Tiếp nhận văn bản đến: what is checked before an incoming document takes its number, and
what the clerk decides when a check finds something.

- Its PDF's signatures are verified (valid when every signature is; ``none`` when unsigned).
  The check is made before the write transaction (``check_file``: after an upload, before the
  desk's registration, in a procedure's step by engine.signed_steps) and kept with the hash of
  the file it was of, so the registration does not repeat it.
- Earlier entries of the same document are looked for: the same number and symbol from the
  same issuer, or the same main file.

Neither takes a number silently: an invalid signature is registered only with a note (ghi
chú) or the document is refused (từ chối tiếp nhận); a possible duplicate only when the clerk
confirms (vẫn vào sổ). Until then ``NeedsDecision`` says what was found, and nothing is
numbered. Every path (the procedure's step, the clerk's desk, the API) registers here.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Conflict, InvalidData, Text
from engine.documents import documents
from engine.documents.storage import FileStore
from engine.models import Direction, Document, DocumentFile, DocumentStatus, SignatureStatus, User
from engine.signatures import signatures
from engine.signatures.signatures import Check as Check
from engine.signatures.signatures import check_file as check_file

NOTE_MAX = 2000


def main_sha256(doc: Document) -> str | None:
    return next((f.sha256 for f in doc.files if f.role == "main"), None)


def current_check(store: FileStore, keys: signatures.Keys, doc: Document, now: datetime,
                  made: Check | None = None) -> Check | None:
    """The check ``made`` before the transaction or the kept one when of the document's current
    main file, otherwise a new one (made here only when the caller made none in time: a script
    holding its own transaction, or a file changed meanwhile); None without a main file."""
    sha = main_sha256(doc)
    if sha is None:
        return None
    if made is not None and made.sha256 == sha:
        return made
    if doc.verified_sha256 == sha:
        return Check(sha, doc.signature_status, tuple(json.loads(doc.signatures_json or "[]")))
    return check_file(store, keys, sha, now)


def record(doc: Document, check: Check | None) -> None:
    """Keep the check on the document (shown on its page and in the lists)."""
    if check is None or check.sha256 != main_sha256(doc):
        return
    doc.signatures_json = json.dumps(list(check.reports), ensure_ascii=False)
    doc.signature_status, doc.verified_sha256 = check.status, check.sha256


def earlier_entries(session: Session, doc: Document) -> list[dict[str, Any]]:
    """Entries of the agency's incoming register that may be this same document."""
    same: list[Any] = []
    if doc.number_symbol:
        issuer = Document.issuer_organ_id == doc.issuer_organ_id if doc.issuer_organ_id else \
            Document.issuer_name == doc.issuer_name
        same.append(and_(Document.number_symbol == doc.number_symbol, issuer))
    sha = main_sha256(doc)
    if sha is not None:
        same.append(Document.id.in_(select(DocumentFile.document_id).where(DocumentFile.sha256 == sha,
                                                                         DocumentFile.role == "main")))
    if not same:
        return []
    found = session.scalars(
        select(Document).where(Document.agency_id == doc.agency_id, Document.direction == Direction.INCOMING,
                               Document.id != doc.id, Document.number.is_not(None), or_(*same))
        .order_by(Document.id)
    )
    return [entry(d) for d in found]


def entry(doc: Document) -> dict[str, Any]:
    """An earlier register entry as the clerk sees it: số đến, ngày đến, a link."""
    return {"id": doc.id, "arrival_number": doc.number, "year": doc.year,
            "arrival_date": doc.arrival_date.isoformat() if doc.arrival_date else None,
            "number_symbol": doc.number_symbol, "issuer_name": doc.issuer_name, "subject": doc.subject,
            "status": doc.status.value, "url": f"/documents/{doc.id}"}


@dataclass(frozen=True)
class Decision:
    """What the clerk said when a check found something."""

    note: str | None = None  # ghi chú: registers a document whose signature is invalid
    confirm_duplicates: bool = False  # vẫn vào sổ: registers a possible duplicate

    @classmethod
    def parse(cls, note: Any, confirm: Any) -> Decision:
        if note is not None and not isinstance(note, str):
            raise InvalidData("Ghi chú không hợp lệ.", {"note": "Cần một đoạn văn bản."})
        if len(note or "") > NOTE_MAX:
            raise InvalidData("Ghi chú quá dài.", {"note": Text("Tối đa %(n)s ký tự.", n=NOTE_MAX)})
        if confirm not in (None, True, False):
            raise InvalidData("Xác nhận vào sổ không hợp lệ.", {"confirm_duplicates": "Cần true hoặc false."})
        return cls((note or "").strip() or None, confirm is True)


class NeedsDecision(Conflict):
    """The checks found something the clerk must decide on; nothing was numbered. ``fields``
    says it beside the fields that decide (a task's form shows them there)."""

    def __init__(self, message: str, details: dict[str, Any], fields: dict[str, str]) -> None:
        super().__init__(message)
        self.details, self.fields = details, fields


def _require_draft(doc: Document) -> None:
    if doc.direction != Direction.INCOMING or doc.status != DocumentStatus.DRAFT:
        raise Conflict("Văn bản này đã vào sổ hoặc đã bị từ chối tiếp nhận.")


def register(session: Session, doc: Document, decision: Decision, check: Check | None,
             now: datetime) -> dict[str, Any]:
    """Vào sổ văn bản đến once the checks pass or the clerk has decided; returns what was
    found and decided, for the caller's audit entry."""
    _require_draft(doc)
    record(doc, check)
    earlier = earlier_entries(session, doc)
    invalid = doc.signature_status == SignatureStatus.INVALID
    fields: dict[str, str] = {}
    messages = []
    if invalid and decision.note is None:
        fields["note"] = Text("Bắt buộc khi chữ ký số không hợp lệ.")
        messages.append("Chữ ký số của văn bản không hợp lệ: nhập ghi chú để vẫn vào sổ, hoặc từ chối tiếp nhận.")
    if earlier and not decision.confirm_duplicates:
        first = earlier[0]
        said = Text("số đến %(number)s ngày %(day)s", number=first["arrival_number"], day=_day(first["arrival_date"]))
        fields["confirm_duplicates"] = Text("Có thể trùng văn bản %(said)s.", said=said)
        messages.append(f"Văn bản có thể đã vào sổ: {said}. Xác nhận \"vẫn vào sổ\" hoặc hủy.")
    found = {"signature_status": doc.signature_status.value, "signature_reasons": _reasons(doc),
             "duplicates": earlier}
    if fields:
        raise NeedsDecision(" ".join(messages), {**found, "needs": list(fields)}, fields)
    if invalid:
        doc.intake_note = decision.note
    documents.register_incoming(session, doc, now)
    return {**found, "note": doc.intake_note, "confirmed_duplicates": bool(earlier)}


def _day(iso: str | None) -> str:
    return "/".join(reversed(iso.split("-"))) if iso else "?"


def _reasons(doc: Document) -> list[str]:
    reports = json.loads(doc.signatures_json or "[]") if doc.verified_sha256 else []
    return Check("", doc.signature_status, tuple(reports)).reasons()


def refuse(session: Session, user: User, doc: Document, reason: Any, now: datetime) -> None:
    """Từ chối tiếp nhận: the document is kept, marked refused with the reason, never numbered."""
    _require_draft(doc)
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidData("Cần nêu lý do từ chối tiếp nhận.", {"reason": "Bắt buộc."})
    if len(reason) > NOTE_MAX:
        raise InvalidData("Lý do quá dài.", {"reason": Text("Tối đa %(n)s ký tự.", n=NOTE_MAX)})
    doc.status, doc.refusal_reason, doc.updated_at = DocumentStatus.REFUSED, reason.strip(), now
    audit.append(session, at=now, action="document_refused", actor_id=user.id,
                 payload={"document": doc.id, "reason": doc.refusal_reason,
                          "signature_status": doc.signature_status.value, "signature_reasons": _reasons(doc)})


def panel(session: Session, doc: Document) -> dict[str, Any] | None:
    """What the document page shows of its intake: the check and, while it waits for the
    clerk, the earlier entries; None for outgoing documents."""
    if doc.direction != Direction.INCOMING:
        return None
    waiting = doc.status == DocumentStatus.DRAFT
    return {"signature_status": doc.signature_status.value, "reasons": _reasons(doc),
            "verified": doc.verified_sha256 is not None, "note": doc.intake_note,
            "refusal_reason": doc.refusal_reason, "waiting": waiting,
            "duplicates": earlier_entries(session, doc) if waiting else []}

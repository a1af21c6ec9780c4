"""The import of a validated package, in one write transaction (tiếp nhận văn bản điện tử).

A new document (Bussiness 0) becomes an incoming entry of the agency, not yet registered, in the
clerk's list "Văn bản đến điện tử", and status 01 goes back at once. A recall (1) freezes the
copy received under that DocumentId and notifies its handlers (15 back; 16 when there is none);
an update (2) or a replacement (3) arrives as a new document, linked to the copies it corrects
or replaces, which are frozen the same way. The same package again is answered with the status
it has; other content under a DocumentId already received is refused. Files were stored, and
their signatures checked, before the transaction (:mod:`exchange.inbound`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.documents import documents
from engine.models import (
    Case,
    Direction,
    Document,
    DocumentFile,
    DocumentLink,
    DocumentStatus,
    HumanTask,
    LinkKind,
    NotificationKind,
    Partner,
    Position,
    Received,
    TaskCandidate,
    TaskStatus,
    Unit,
    Urgency,
    User,
    UserPosition,
)
from engine.office import notifications
from engine.registry import intake

from . import procedures, statuses
from .received import NEW, RECALL, REPLACE, Incoming


class Refused(Exception):
    """The package is refused (status 02) with ``reason``; nothing of it is stored."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Stored:
    role: str
    filename: str
    sha256: str
    size: int
    page_count: int | None


@dataclass(frozen=True)
class Answer:
    code: str
    description: str
    document_id: str
    duplicate: bool = False

    def as_json(self) -> dict[str, Any]:
        return {"status": self.code, "description": self.description, "document_id": self.document_id,
                "duplicate": self.duplicate}


def known(session: Session, agency_id: int, incoming: Incoming, package_sha256: str) -> Answer | None:
    """The answer to a package already received; Refused if its DocumentId came with other content."""
    row = session.scalars(select(Received).where(
        Received.agency_id == agency_id, Received.edxml_document_id == incoming.document_id,
        Received.business_type == incoming.business_type)).first()
    if row is None:
        return None
    if row.package_sha256 != package_sha256:
        raise Refused(f"Văn bản có mã {incoming.document_id} đã được nhận với nội dung khác; "
                      "gói tin gửi lại với cùng mã nhưng khác nội dung bị từ chối.")
    return Answer(row.last_status, statuses.CODES[row.last_status], row.edxml_document_id, duplicate=True)


def _clerks(session: Session, agency_id: int) -> list[int]:
    return list(session.scalars(
        select(UserPosition.user_id).join(Unit, Unit.id == UserPosition.unit_id)
        .where(Unit.agency_id == agency_id, UserPosition.position == Position.CLERK)
        .order_by(UserPosition.user_id).distinct()))


def _handlers(session: Session, doc: Document) -> set[int]:
    """The clerks, and whoever has a case of the document or one of its open tasks."""
    people = set(_clerks(session, doc.agency_id))
    people |= set(session.scalars(select(Case.initiator_id).where(Case.document_id == doc.id)))
    people |= set(session.scalars(
        select(TaskCandidate.user_id).join(HumanTask, HumanTask.id == TaskCandidate.task_id)
        .join(Case, Case.id == HumanTask.case_id)
        .where(Case.document_id == doc.id, HumanTask.status == TaskStatus.OPEN)))
    return people


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def _document(session: Session, agency_id: int, incoming: Incoming, files: list[Stored],
              check: intake.Check | None, now: datetime) -> Document:
    clerks = _clerks(session, agency_id)
    if not clerks:
        raise Refused("Cơ quan nhận chưa có văn thư để tiếp nhận văn bản.")
    # A received document has no author here; its entry is the clerks', the first one's by record.
    creator = clerks[0]
    m = incoming.metadata
    doc = Document(
        agency_id=agency_id, direction=Direction.INCOMING, status=DocumentStatus.DRAFT,
        doc_type=m.get("doc_type") or "CV", subject=str(m.get("subject") or "")[:500],
        urgency=Urgency(m.get("urgency") or Urgency.NORMAL.value), number_symbol=m.get("number_symbol"),
        document_date=_day(m.get("document_date")), issuer_name=m.get("issuer_name"),
        issuer_organ_id=m.get("issuer_organ_id") or incoming.sender_organ,
        signer_authority=m.get("signer_authority"), signer_position=m.get("signer_position"),
        signer_name=m.get("signer_name"), due_date=_day(m.get("due_date")), page_amount=m.get("page_amount"),
        description=(incoming.reason or None), created_by=creator, created_at=now, updated_at=now,
        files=[DocumentFile(role=f.role, filename=f.filename, sha256=f.sha256, size=f.size,
                            content_type="application/pdf", uploaded_by=creator, uploaded_at=now,
                            page_count=f.page_count) for f in files],
    )
    documents.refresh_search_text(doc)
    intake.record(doc, check)
    session.add(doc)
    session.flush()
    return doc


def _freeze(session: Session, row: Received, status: DocumentStatus, note: str, now: datetime) -> Document | None:
    doc = session.get(Document, row.document_id) if row.document_id else None
    if doc is None:
        return None
    doc.status, doc.updated_at, doc.description = status, now, note[:500]
    kind = {DocumentStatus.RECALLED: NotificationKind.RECALLED,
            DocumentStatus.CORRECTED: NotificationKind.CORRECTED}.get(status, NotificationKind.REPLACED)
    notifications.notify(session, _handlers(session, doc), kind, f"{doc.number_symbol} {doc.subject}", now,
                         body=note, document_id=doc.id)
    return doc


def _original(session: Session, agency_id: int, edxml_document_id: str) -> Received | None:
    return session.scalars(select(Received).where(
        Received.agency_id == agency_id, Received.edxml_document_id == edxml_document_id,
        Received.business_type != RECALL).order_by(Received.id)).first()


def apply(session: Session, agency_id: int, partner: Partner, incoming: Incoming, package_sha256: str,
          files: list[Stored], check: intake.Check | None, now: datetime) -> Answer:
    """Import the package for the agency; the caller has checked the signature and the sender."""
    earlier = known(session, agency_id, incoming, package_sha256)
    if earlier is not None:
        return earlier
    row = Received(agency_id=agency_id, partner_id=partner.id, edxml_document_id=incoming.document_id,
                   business_type=incoming.business_type, package_sha256=package_sha256, received_at=now,
                   state="applied", last_status="01")
    session.add(row)
    payload: dict[str, Any] = {"edxml_document_id": incoming.document_id, "business_type": incoming.business_type,
                               "from": incoming.sender_organ, "package_sha256": package_sha256}
    if incoming.business_type == RECALL:
        answer = _recall(session, row, agency_id, incoming, now)
    else:
        doc = _document(session, agency_id, incoming, files, check, now)
        row.document_id, row.state = doc.id, "waiting"
        statuses.answer(session, row, "01", now)
        clerk = session.get(User, doc.created_by)
        assert clerk is not None
        # A request or a reply of a liên thông procedure goes to its case; anything else to the clerks.
        handed = procedures.hand_over(session, row, doc, partner, incoming, clerk, now) \
            if incoming.business_type == NEW else None
        row.state = handed or row.state
        if handed is None:
            notifications.notify(session, _clerks(session, agency_id), NotificationKind.ISSUED_TO_UNIT,
                                 f"Văn bản điện tử đến: {doc.number_symbol} {doc.subject}", now, document_id=doc.id)
        payload.update(document=doc.id, files=[f.sha256 for f in files])
        if incoming.business_type != NEW:
            payload["superseded"] = _supersede(session, row, doc, agency_id, incoming, now)
        answer = Answer("01", statuses.CODES["01"], incoming.document_id)
    session.flush()
    audit.append(session, at=now, action="exchange_received", payload={**payload, "status": answer.code},
                 agency_id=agency_id)
    return answer


def _recall(session: Session, row: Received, agency_id: int, incoming: Incoming, now: datetime) -> Answer:
    original = _original(session, agency_id, incoming.document_id)
    reason = incoming.reason or "Cơ quan ban hành thu hồi văn bản"
    doc = _freeze(session, original, DocumentStatus.RECALLED, f"Thu hồi: {reason}", now) if original else None
    if original is None or doc is None:
        statuses.answer(session, row, "16", now, f"Không có văn bản mã {incoming.document_id} để thu hồi.")
        return Answer("16", statuses.CODES["16"], incoming.document_id)
    row.document_id, original.state = doc.id, "recalled"
    statuses.answer(session, row, "15", now, f"Đã thu hồi văn bản theo yêu cầu: {reason}")
    original.last_status = "15"
    return Answer("15", statuses.CODES["15"], incoming.document_id)


def _supersede(session: Session, row: Received, doc: Document, agency_id: int, incoming: Incoming,
               now: datetime) -> list[str]:
    """An update or replacement: link the new copy to the ones it supersedes, freeze them, and
    answer each superseded DocumentId with 15 (16 when it was never received here)."""
    replacing = incoming.business_type == REPLACE
    status = DocumentStatus.REPLACED if replacing else DocumentStatus.CORRECTED
    link = LinkKind.REPLACES if replacing else LinkKind.CORRECTS
    title = "Thay thế" if replacing else "Cập nhật"
    done = []
    for old_id in incoming.replaces:
        original = _original(session, agency_id, old_id)
        old = _freeze(session, original, status, f"{title} bởi văn bản số {doc.number_symbol}", now) \
            if original else None
        if original is None or old is None:
            statuses.answer(session, row, "16", now, f"Không có văn bản mã {old_id} để {title.lower()}.",
                            document_id=old_id)
            row.last_status = "01"
            continue
        session.add(DocumentLink(source_id=doc.id, target_id=old.id, kind=link))
        original.state, original.last_status = "superseded", "15"
        statuses.answer(session, original, "15", now, f"{title} bởi văn bản {incoming.document_id}")
        done.append(old_id)
    return done

"""After a document is numbered: the void of a register entry (hủy, its number stays used),
and the recall (thu hồi), correction (đính chính) and replacement (thay thế) of an issued
outgoing document.

A correction or a replacement is a new outgoing draft, linked to the document it corrects
or replaces, that goes through the agency's outgoing procedure; when it is issued, the old
document is frozen (``corrected`` or ``replaced``). A recall freezes it at once. Either way
the recipients hear of it: the people of the internal units it was sent to, and the clerks
of the agencies of this installation that received it, whose incoming copies are marked the
same way. Who did it and why is in the audit log."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import hooks
from engine.audit import chain as audit
from engine.core.errors import Conflict, InvalidData, Text
from engine.models import (
    Case,
    CaseFollower,
    Direction,
    Document,
    DocumentLink,
    DocumentStatus,
    LinkKind,
    NotificationKind,
    Position,
    Unit,
    User,
    UserPosition,
)
from engine.office import notifications

REASON_MAX = 2000
# What a later document does to the one it links to, and the old one's status once it is issued.
SUCCESSORS = {"correct": (LinkKind.CORRECTS, DocumentStatus.CORRECTED, "Đính chính"),
              "replace": (LinkKind.REPLACES, DocumentStatus.REPLACED, "Thay thế")}
_NOTICES = {DocumentStatus.RECALLED: NotificationKind.RECALLED, DocumentStatus.CORRECTED: NotificationKind.CORRECTED,
            DocumentStatus.REPLACED: NotificationKind.REPLACED}


def _reason(given: Any, what: str) -> str:
    if not isinstance(given, str) or not given.strip():
        raise InvalidData(Text("Cần nêu lý do %(what)s.", what=what), {"reason": "Bắt buộc."})
    if len(given) > REASON_MAX:
        raise InvalidData("Lý do quá dài.", {"reason": Text("Tối đa %(n)s ký tự.", n=REASON_MAX)})
    return given.strip()


def void(session: Session, user: User, doc: Document, reason: Any, now: datetime) -> None:
    """Hủy: the entry stays in its book with its number, printed as void with the reason."""
    if doc.number is None or doc.book_id is None:
        raise Conflict("Chỉ hủy được văn bản đã vào sổ (đã có số).")
    if doc.void_reason is not None:
        raise Conflict("Văn bản này đã bị hủy.")
    doc.void_reason, doc.voided_at, doc.voided_by, doc.updated_at = _reason(reason, Text("hủy")), now, user.id, now
    audit.append(session, at=now, action="entry_voided", actor_id=user.id,
                 payload={"document": doc.id, "book": doc.book_id, "year": doc.year, "number": doc.number,
                          "reason": doc.void_reason})


def _require_issued(doc: Document) -> None:
    if doc.direction != Direction.OUTGOING or doc.status != DocumentStatus.ISSUED:
        raise Conflict("Chỉ thu hồi, đính chính hoặc thay thế được văn bản đi đã phát hành và còn hiệu lực.")


def _received(session: Session, doc: Document) -> list[Document]:
    """The incoming entries other agencies of this installation made from ``doc``."""
    return list(session.scalars(
        select(Document).join(DocumentLink, DocumentLink.source_id == Document.id)
        .where(DocumentLink.target_id == doc.id, DocumentLink.kind == LinkKind.RECEIVED_FROM)
    ))


def _freeze(session: Session, doc: Document, status: DocumentStatus, note: str, now: datetime) -> list[Document]:
    """Freeze the document and the copies received from it; tell their people."""
    doc.status, doc.updated_at = status, now
    doc.description = note[:500]
    copies = _received(session, doc)
    kind, subject = _NOTICES[status], f"{doc.number_symbol} {doc.subject}"
    units = [r.unit_id for r in doc.recipients if r.unit_id is not None]
    if units:
        people = session.scalars(select(UserPosition.user_id).where(UserPosition.unit_id.in_(units)))
        notifications.notify(session, people, kind, subject, now, body=note, document_id=doc.id)
    for copy in copies:
        copy.status, copy.updated_at = status, now
        clerks = session.scalars(
            select(UserPosition.user_id).join(Unit, Unit.id == UserPosition.unit_id)
            .where(Unit.agency_id == copy.agency_id, UserPosition.position == Position.CLERK)
        )
        notifications.notify(session, clerks, kind, subject, now, body=note, document_id=copy.id)
    return copies


def recall(session: Session, user: User, doc: Document, reason: Any, now: datetime) -> list[Document]:
    """Thu hồi at once; returns the received copies recalled with it."""
    _require_issued(doc)
    why = _reason(reason, Text("thu hồi"))
    copies = _freeze(session, doc, DocumentStatus.RECALLED, f"Thu hồi: {why}", now)
    hooks.document_recalled(session, doc, why, now)  # the recipients of other installations
    audit.append(session, at=now, action="document_recalled", actor_id=user.id,
                 payload={"document": doc.id, "number_symbol": doc.number_symbol, "reason": why,
                          "recipients": [r.name for r in doc.recipients], "received": [c.id for c in copies]})
    return copies


def begin_successor(session: Session, user: User, doc: Document, kind: Any, reason: Any, now: datetime,
                    start: Callable[[dict[str, Any]], Case]) -> Case:
    """Đính chính or thay thế: ``start`` the agency's outgoing procedure with a new draft,
    linked to ``doc``."""
    if kind not in SUCCESSORS:
        raise InvalidData("Hình thức không hợp lệ.", {"kind": "Chọn correct (đính chính) hoặc replace (thay thế)."})
    _require_issued(doc)
    link, _, title = SUCCESSORS[kind]
    why = _reason(reason, {"correct": Text("đính chính"), "replace": Text("thay thế")}[kind])
    pending = session.scalar(select(DocumentLink.id).join(Document, Document.id == DocumentLink.source_id).where(
        DocumentLink.target_id == doc.id, DocumentLink.kind.in_([LinkKind.CORRECTS, LinkKind.REPLACES]),
        Document.status == DocumentStatus.DRAFT).limit(1))
    if pending is not None:
        raise Conflict("Văn bản đã có một dự thảo đính chính hoặc thay thế đang xử lý.")
    subject = f"{title} văn bản số {doc.number_symbol}: {doc.subject}"[:500]
    case = start({"subject": subject, "doc_type": doc.doc_type, "urgency": doc.urgency.value})
    assert case.document_id is not None
    draft = session.get(Document, case.document_id)
    assert draft is not None
    draft.description = f"{title} văn bản số {doc.number_symbol}. Lý do: {why}"[:500]
    session.add(DocumentLink(source_id=draft.id, target_id=doc.id, kind=link))
    if case.initiator_id != user.id:  # who asked for it follows the new draft
        session.add(CaseFollower(case_id=case.id, user_id=user.id, since=now))
    audit.append(session, at=now, action=f"document_{kind}_started", actor_id=user.id, case_id=case.id,
                 payload={"document": doc.id, "number_symbol": doc.number_symbol, "draft": draft.id, "reason": why})
    return case


def supersede(session: Session, user: User, doc: Document, now: datetime) -> list[int]:
    """At the issue of ``doc``: the documents it corrects or replaces are frozen and their
    recipients told. Returns their ids."""
    done = []
    for link in doc.links:
        found = next(((s, t) for k, s, t in SUCCESSORS.values() if k == link.kind), None)
        old = link.target
        if found is None or old.status != DocumentStatus.ISSUED:
            continue
        status, title = found
        note = f"{title} bởi văn bản số {doc.number_symbol}"
        copies = _freeze(session, old, status, note, now)
        audit.append(session, at=now, action="document_superseded", actor_id=user.id,
                     payload={"document": old.id, "by": doc.id, "status": status.value,
                              "number_symbol": old.number_symbol, "received": [c.id for c in copies]})
        done.append(old.id)
    return done

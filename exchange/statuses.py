"""Trạng thái văn bản liên thông (QCVN 102): what a recipient says it did with a document.

The recipient's side queues a status package to the sender (:func:`answer`); the sender's side
keeps every status each recipient sent back (:func:`record`) and shows, per recipient, the
latest and the history (:func:`of_document`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData
from engine.models import Document, OutboxItem, Partner, Received, Recipient, StatusEntry

from . import outbox
from .received import StatusIn

CODES = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận (vào sổ)",
    "04": "Đã phân công xử lý",
    "05": "Đang xử lý",
    "06": "Hoàn thành",
    "13": "Đã thu hồi",
    "15": "Đồng ý thu hồi, cập nhật",
    "16": "Từ chối thu hồi, cập nhật",
}


def answer(session: Session, received: Received, code: str, now: datetime, description: str = "",
           staff: str = "", document_id: str | None = None) -> OutboxItem:
    """Queue status ``code`` of a received package back to its sender (``document_id`` when it
    answers another DocumentId than the package's, e.g. the recalled one), audited on its own:
    a step may queue several (a milestone's 04 and the next task's 05), each one entry."""
    partner = session.get(Partner, received.partner_id)
    assert partner is not None
    received.last_status = code
    edxml_id = document_id or received.edxml_document_id
    description = description or CODES[code]
    item = outbox.enqueue(session, partner, "status", edxml_id, now, document_id=received.document_id,
                          status_code=code, details={"description": description, "staff": staff,
                                                     "at": now.isoformat()})
    audit.append(session, at=now, action="exchange_status_queued",
                 payload={"document": received.document_id, "edxml_document_id": edxml_id,
                          "organ_id": partner.organ_id, "partner": partner.name, "code": code,
                          "description": description, "outbox": item.id})
    return item


def _sent_document(session: Session, agency_id: int, edxml_document_id: str, organ_id: str) -> int | None:
    return session.scalar(
        select(OutboxItem.document_id).join(Partner, Partner.id == OutboxItem.partner_id)
        .where(OutboxItem.agency_id == agency_id, OutboxItem.kind == "edoc",
               OutboxItem.edxml_document_id == edxml_document_id, Partner.organ_id == organ_id).limit(1))


def record(session: Session, agency_id: int, status: StatusIn, now: datetime) -> bool:
    """Keep a status a recipient sent about one of our documents; False when it is one we
    already have (a retry of the same package). Refused when we never sent that document."""
    if status.code not in CODES:
        raise InvalidData(f"Mã trạng thái '{status.code}' không hợp lệ.")
    document_id = _sent_document(session, agency_id, status.document_id, status.sender_organ)
    if document_id is None:
        raise InvalidData(f"Không có văn bản '{status.document_id}' đã gửi đến cơ quan {status.sender_organ}.")
    known = session.scalar(select(StatusEntry.id).where(
        StatusEntry.document_id == document_id, StatusEntry.organ_id == status.sender_organ,
        StatusEntry.code == status.code, StatusEntry.at == status.at).limit(1))
    if known is not None:
        return False
    session.add(StatusEntry(document_id=document_id, organ_id=status.sender_organ, code=status.code,
                            description=status.description[:1000], staff=status.staff[:200], at=status.at,
                            recorded_at=now))
    audit.append(session, at=now, action="exchange_status_received",
                 payload={"document": document_id, "edxml_document_id": status.document_id,
                          "organ_id": status.sender_organ, "code": status.code, "description": status.description})
    return True


def note_own(session: Session, document_id: int, organ_ids: Iterable[str], code: str, description: str,
             now: datetime) -> None:
    """A status the sender records itself (13: it recalled the document), to the second as the
    recipients' statuses are (edXML timestamps)."""
    for organ in organ_ids:
        session.add(StatusEntry(document_id=document_id, organ_id=organ, code=code, description=description[:1000],
                                staff="", at=now.replace(microsecond=0), recorded_at=now))


def _entry(e: StatusEntry) -> dict[str, Any]:
    return {"code": e.code, "label": CODES.get(e.code, e.code), "description": e.description, "staff": e.staff,
            "at": e.at.isoformat()}


def of_document(session: Session, doc: Document) -> list[dict[str, Any]]:
    """Per electronic recipient with an organ identifier: how it was sent (the outbox) and
    every status it sent back, the latest first."""
    # By the recipient's time, to the second; within a second, in the order of the codes (01 … 16).
    entries = session.scalars(select(StatusEntry).where(StatusEntry.document_id == doc.id)
                              .order_by(StatusEntry.at.desc(), StatusEntry.code.desc())).all()
    items = session.execute(select(OutboxItem, Partner).join(Partner, Partner.id == OutboxItem.partner_id)
                            .where(OutboxItem.document_id == doc.id, OutboxItem.kind == "edoc")
                            .order_by(OutboxItem.id)).all()
    organs = [r.organ_id for r in doc.recipients if isinstance(r, Recipient) and r.organ_id]
    organs += [p.organ_id for _, p in items if p.organ_id not in organs]
    result = []
    for organ in organs:
        history = [_entry(e) for e in entries if e.organ_id == organ]
        sends = [outbox.view(i, p) for i, p in items if p.organ_id == organ]
        name = next((r.name for r in doc.recipients if r.organ_id == organ), None)
        result.append({"organ_id": organ, "name": name or (sends[0]["partner_name"] if sends else organ),
                       "latest": history[0] if history else None, "history": history, "sends": sends,
                       "in_directory": bool(sends)})
    return result


def latest(session: Session, document_ids: list[int]) -> dict[tuple[int, str], str]:
    """(document, organ) → "03 Đã tiếp nhận (vào sổ)": the newest status of each recipient."""
    if not document_ids:
        return {}
    found: dict[tuple[int, str], str] = {}
    rows = session.execute(select(StatusEntry.document_id, StatusEntry.organ_id, StatusEntry.code)
                           .where(StatusEntry.document_id.in_(document_ids))
                           .order_by(StatusEntry.at.desc(), StatusEntry.code.desc()))
    for document_id, organ, code in rows:
        found.setdefault((document_id, organ), f"{code} {CODES.get(code, '')}".strip())
    return found

"""Gửi văn bản điện tử liên thông: what the issue and the recall of an outgoing document queue.

At issue, every electronic recipient whose organ identifier is in the agency's directory gets a
package (Bussiness 0; 2 or 3 when the document corrects or replaces one sent to that recipient,
naming the DocumentIds it supersedes). At a recall, every recipient the document was sent to
gets a recall package (Bussiness 1), and the sender records 13 (đã thu hồi) for it. The rest is
the worker's (:mod:`exchange.outbox`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.models import Agency, Delivery, Document, LinkKind, OutboxItem, Partner, Secrecy

from . import directory, outbox, statuses
from .received import NEW, RECALL, REPLACE, UPDATE


def document_id(agency: Agency, doc: Document) -> str:
    """DocumentId = {sender OrganId},{yyyy/MM/dd},{number/symbol} (QCVN 102)."""
    day = doc.document_date.strftime("%Y/%m/%d") if doc.document_date else ""
    return f"{agency.identifier_code},{day},{doc.number_symbol or doc.id}"


def _sent_to(session: Session, doc_id: int) -> dict[int, str]:
    """Partner id → the DocumentId a document was sent under (its first, Bussiness 0 … 3, package)."""
    rows = session.execute(select(OutboxItem.partner_id, OutboxItem.edxml_document_id)
                           .where(OutboxItem.document_id == doc_id, OutboxItem.kind == "edoc",
                                  OutboxItem.business_type != RECALL).order_by(OutboxItem.id))
    found: dict[int, str] = {}
    for partner_id, edxml_id in rows:
        found.setdefault(partner_id, edxml_id)
    return found


def _supersedes(session: Session, doc: Document, partner: Partner) -> tuple[int, list[str]]:
    for link in doc.links:
        if link.kind in (LinkKind.REPLACES, LinkKind.CORRECTS):
            earlier = _sent_to(session, link.target_id).get(partner.id)
            if earlier:
                return (REPLACE if link.kind == LinkKind.REPLACES else UPDATE), [earlier]
    return NEW, []


def queue_issued(session: Session, doc: Document, now: datetime) -> list[dict[str, Any]]:
    """Queue a package to each electronic recipient of ``doc`` found in the directory."""
    if doc.secrecy != Secrecy.NONE:
        return []
    agency = session.get(Agency, doc.agency_id)
    assert agency is not None
    edxml_id = document_id(agency, doc)
    queued = []
    for recipient in doc.recipients:
        if recipient.delivery != Delivery.ELECTRONIC or not recipient.organ_id:
            continue
        partner = directory.for_organ(session, doc.agency_id, recipient.organ_id)
        if partner is None:
            continue
        business, replaces = _supersedes(session, doc, partner)
        item = outbox.enqueue(session, partner, "edoc", edxml_id, now, document_id=doc.id, business_type=business,
                              details={"replaces": replaces})
        queued.append({"organ_id": partner.organ_id, "outbox": item.id, "business_type": business})
    if queued:
        audit.append(session, at=now, action="exchange_queued",
                     payload={"document": doc.id, "edxml_document_id": edxml_id, "to": queued}, agency_id=doc.agency_id)
    return queued


def queue_recall(session: Session, doc: Document, reason: str, now: datetime) -> list[str]:
    """Queue a recall package to every partner the document was sent to; record 13 for each."""
    sent = _sent_to(session, doc.id)
    organs = []
    for partner_id, edxml_id in sent.items():
        partner = session.get(Partner, partner_id)
        assert partner is not None
        outbox.enqueue(session, partner, "edoc", edxml_id, now, document_id=doc.id, business_type=RECALL,
                       details={"reason": reason})
        organs.append(partner.organ_id)
    statuses.note_own(session, doc.id, organs, "13", f"Thu hồi: {reason}", now)
    if organs:
        audit.append(session, at=now, action="exchange_queued",
                     payload={"document": doc.id, "business_type": RECALL, "to": organs, "reason": reason},
                     agency_id=doc.agency_id)
    return organs

"""Liên thông procedures across installations (the Vạn Ninh 13 steps with the District and a
specialised office on two systems): a BPMN message to an agency of another installation
travels as an edXML package.

A message that starts a case of another agency (the District hands a document to its office
for advice, "giao tham mưu") goes, when that agency is in the sending agency's directory, as a
package of the case's document with SteeringType 2 (chỉ đạo); the receiving installation starts
the agency's process that a message starts (:mod:`exchange.importing`). The reply (the
office's Tờ trình, thrown with the request's ``reply_token``) goes as the package of the
replying case's document whose ResponseFor names the request's DocumentId; the requesting
installation hands it to the case that waits for it. Inside one installation nothing changes:
a message to an agency not in the directory is routed as before (engine.interagency.case_messages)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData
from engine.models import Agency, Case, Document, OutboxItem, Partner, Received

from . import directory, outbox, sending

DIRECTION = 2  # SteeringType: chỉ đạo — a direction to act on the document


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _sent(session: Session, sender: Case, name: str, partner: Partner, edxml_id: str, now: datetime) -> None:
    audit.append(session, at=now, action="message_sent", case_id=sender.id,
                 payload={"message": name, "to_agency": partner.organ_id, "remote": True,
                          "edxml_document_id": edxml_id})


def forward(session: Session, sender: Case, name: str, payload: dict[str, Any], now: datetime) -> bool:
    """Send a case-starting message to an agency of another installation; False when the
    payload's agency is not in the sender's directory (routed inside this installation)."""
    code = payload.get("agency")
    agency = session.scalars(select(Agency).where(Agency.code == code)).first() if isinstance(code, str) else None
    partner = directory.for_organ(session, sender.agency_id, agency.identifier_code) if agency else None
    if partner is None:
        return False
    doc = session.get(Document, sender.document_id) if sender.document_id else None
    if doc is None:
        raise InvalidData(f"Thông điệp liên thông '{name}' gửi sang hệ thống khác cần văn bản của hồ sơ.")
    mine = session.get(Agency, sender.agency_id)
    assert mine is not None
    edxml_id = f"{sending.document_id(mine, doc)}#{sender.id}"  # one request per case, however often forwarded
    outbox.enqueue(session, partner, "edoc", edxml_id, now, document_id=doc.id,
                   details={"message": name, "case": sender.id, "steering": DIRECTION})
    _sent(session, sender, name, partner, edxml_id, now)
    return True


def reply(session: Session, sender: Case, name: str, token: Any, now: datetime) -> bool:
    """Send a reply to a request that came from another installation; False when ``token``
    is not one of those (a local reply)."""
    if not isinstance(token, str) or len(token) > 200:
        return False
    request = session.scalars(select(Received).where(Received.agency_id == sender.agency_id,
                                                     Received.reply_token_hash == token_hash(token))).first()
    if request is None:
        return False
    partner = session.get(Partner, request.partner_id)
    doc = session.get(Document, sender.document_id) if sender.document_id else None
    if partner is None or doc is None:
        raise InvalidData(f"Trả lời liên thông '{name}' cần văn bản của hồ sơ.")
    answer = {"response_for": request.edxml_document_id, "message": name}
    # Issued to that agency in the same step, the document is queued already: that package answers.
    item = session.scalars(select(OutboxItem).where(
        OutboxItem.document_id == doc.id, OutboxItem.partner_id == partner.id, OutboxItem.kind == "edoc",
        OutboxItem.package_sha256.is_(None))).first()
    if item is None:
        mine = session.get(Agency, sender.agency_id)
        assert mine is not None
        item = outbox.enqueue(session, partner, "edoc", sending.document_id(mine, doc), now, document_id=doc.id)
    item.details_json = json.dumps({**json.loads(item.details_json), **answer}, ensure_ascii=False)
    _sent(session, sender, name, partner, item.edxml_document_id, now)
    return True

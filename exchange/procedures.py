"""The receiving side of exchange.forwarding: a received document that answers a request this
installation sent goes to the case that waits for it; one sent as a direction (SteeringType 2)
starts the agency's process that a message starts. Either way, as a message from another case
would (engine.interagency.case_messages), audited the same way, so the replay follows it."""

from __future__ import annotations

import json
import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.interagency import case_messages
from engine.models import Agency, Case, CaseStatus, Document, OutboxItem, Partner, Received, User
from engine.workflow.definitions import version_info

from .forwarding import DIRECTION, token_hash
from .received import Incoming


def _requester(session: Session, agency_id: int, incoming: Incoming) -> tuple[Case, str] | None:
    """The running case that sent the request this document answers, and the message it waits for."""
    if not incoming.response_for:
        return None
    items = session.scalars(select(OutboxItem).where(OutboxItem.agency_id == agency_id, OutboxItem.kind == "edoc",
                                                     OutboxItem.edxml_document_id.in_(incoming.response_for)))
    for item in items:
        case_id = json.loads(item.details_json).get("case")
        case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()).first() \
            if isinstance(case_id, int) else None
        if case is not None and case.status == CaseStatus.RUNNING:
            waited = case_messages.waited_messages(session, case)
            if len(waited) == 1:
                return case, waited[0]
    return None


def hand_over(session: Session, row: Received, doc: Document, partner: Partner, incoming: Incoming, clerk: User,
              now: datetime) -> str | None:
    """Deliver or start as the module says; returns the new state of ``row`` (None: the clerk's list)."""
    found = _requester(session, row.agency_id, incoming)
    if found is not None:
        case, name = found
        payload = {"document": doc.id, "sender_agency": partner.organ_id, "edxml_document_id": row.edxml_document_id}
        onward = case_messages.deliver(session, case, name, payload, clerk, now)
        case_messages.route(session, case, onward, clerk, now, 1)
        return "delivered"
    agency = session.get(Agency, row.agency_id)
    assert agency is not None
    starters = case_messages.starters(session, agency)
    if incoming.steering_type != DIRECTION or len(starters) != 1:
        return None
    name = sorted(version_info(session, starters[0]).start_messages)[0]
    token = secrets.token_urlsafe(32)
    row.reply_token_hash = token_hash(token)
    payload = {"document": doc.id, "sender_agency": partner.organ_id, "edxml_document_id": row.edxml_document_id,
               "reply_token": token}
    case, onward = case_messages.start(session, agency, name, payload, clerk, now)
    case_messages.route(session, case, onward, clerk, now, 1)
    return "started"

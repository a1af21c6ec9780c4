"""Văn bản đến điện tử: the clerk's list of documents received in edXML packages, waiting to
be registered or refused, and the two decisions.

Registering starts the agency's incoming procedure (engine.registry.incoming) on the received document
and completes its registration step as the clerk, with the same checks as any other entry
(signatures, earlier entries: a note or a confirmation may be asked for); the sender is told 03
with the incoming number. Refusing marks the document refused with the reason (engine.registry.intake)
and tells the sender 02 with that reason. Only the agency's clerks decide; its administrators
may read the list."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Conflict, Forbidden, InvalidData, NotFound
from engine.documents import documents
from engine.models import Agency, Document, DocumentStatus, HumanTask, Partner, Position, Received, TaskStatus, User
from engine.org import permissions
from engine.registry import incoming, intake
from engine.signatures import signatures
from engine.workflow import cases

from . import statuses
from .received import NEW

STATES = ("waiting", "registered", "refused", "recalled", "superseded")


def _agencies(session: Session, user: User) -> dict[int, set[str]]:
    """Agency id → the positions (clerk, admin) the user holds there that open the list."""
    found: dict[int, set[str]] = {}
    for position in (Position.CLERK, Position.ADMIN):
        for agency_id in permissions.agencies_where(session, user, position).values():
            found.setdefault(agency_id, set()).add(position.value)
    return found


def view(row: Received, doc: Document | None, partner: Partner) -> dict[str, Any]:
    return {"id": row.id, "edxml_document_id": row.edxml_document_id, "business_type": row.business_type,
            "state": row.state, "last_status": row.last_status, "last_status_label": statuses.CODES[row.last_status],
            "received_at": row.received_at.isoformat(), "from_organ_id": partner.organ_id,
            "from_name": partner.name, "document": documents.view(doc, with_links=False) if doc else None}


def listing(session: Session, user: User, state: str = "waiting") -> list[dict[str, Any]]:
    mine = _agencies(session, user)
    if not mine:
        raise Forbidden("Chỉ văn thư và quản trị của cơ quan được xem văn bản đến điện tử.")
    if state not in STATES:
        raise InvalidData("Trạng thái không hợp lệ.", {"state": "Chọn " + ", ".join(STATES) + "."})
    rows = session.execute(
        select(Received, Document, Partner).join(Partner, Partner.id == Received.partner_id)
        .outerjoin(Document, Document.id == Received.document_id)
        .where(Received.agency_id.in_(mine), Received.state == state, Received.business_type != 1)
        .order_by(Received.received_at.desc(), Received.id.desc()).limit(500)).all()
    return [view(r, d, p) for r, d, p in rows]


def _waiting(session: Session, user: User, received_id: Any) -> tuple[Received, Document, Agency]:
    row = session.get(Received, received_id) if isinstance(received_id, int) else None
    if row is None or row.agency_id not in _agencies(session, user):
        raise NotFound("Không tìm thấy văn bản đến điện tử.")
    permissions.ensure_clerk(session, user, row.agency_id)
    doc = session.get(Document, row.document_id) if row.document_id else None
    if row.state != "waiting" or doc is None or doc.status != DocumentStatus.DRAFT:
        raise Conflict("Văn bản này đã được vào sổ, từ chối hoặc thu hồi.")
    agency = session.get(Agency, row.agency_id)
    assert agency is not None
    return row, doc, agency


def _procedure(session: Session, agency: Agency, wanted: Any) -> str:
    found = [p["id"] for p in incoming.procedures(session, agency.code)]
    if not found:
        raise Conflict(incoming.MISSING)
    if wanted is None and len(found) == 1:
        return found[0]
    if wanted not in found:
        raise InvalidData("Chọn quy trình xử lý văn bản đến.", {"process": "Một trong: " + ", ".join(found)})
    return str(wanted)


def _start_data(doc: Document) -> dict[str, Any]:
    data = {"channel": "electronic", "doc_type": doc.doc_type, "subject": doc.subject,
            "number_symbol": doc.number_symbol or "", "issuer_name": doc.issuer_name or ""}
    if doc.document_date:
        data["document_date"] = doc.document_date.isoformat()
    return data


def register(session: Session, user: User, received_id: Any, body: dict[str, Any], desk: signatures.Desk,
             now: datetime) -> dict[str, Any]:
    """Vào sổ: start the incoming procedure on the document and complete its registration."""
    row, doc, agency = _waiting(session, user, received_id)
    process_id = _procedure(session, agency, body.get("process"))
    case = cases.start_case(session, user, process_id, _start_data(doc), now, received=doc)
    task = session.scalars(select(HumanTask).where(HumanTask.case_id == case.id, HumanTask.status == TaskStatus.OPEN)
                           .order_by(HumanTask.created_at, HumanTask.id)).first()
    if doc.status == DocumentStatus.DRAFT and task is not None:
        entered: dict[str, Any] = {"decision": "register"}
        entered.update((k, body[k]) for k in ("note", "confirm_duplicates") if k in body)
        cases.complete_task(session, user, task.id, entered, now, desk)
    if doc.status != DocumentStatus.REGISTERED or doc.number is None:
        raise Conflict("Quy trình đã chọn không vào sổ văn bản ở bước đầu; chọn quy trình khác.")
    row.state = "registered"
    description = f"Đã vào sổ văn bản đến số {doc.number}, ngày {doc.arrival_date:%d/%m/%Y}"
    statuses.answer(session, row, "03", now, description, staff=user.full_name)
    audit.append(session, at=now, action="exchange_registered", actor_id=user.id, case_id=case.id,
                 payload={"received": row.id, "document": doc.id, "edxml_document_id": row.edxml_document_id,
                          "number": doc.number, "process": process_id})
    return {"received": row.id, "case_id": case.id, "document_id": doc.id, "number": doc.number, "status": "03"}


def refuse(session: Session, user: User, received_id: Any, reason: Any, now: datetime) -> dict[str, Any]:
    """Từ chối tiếp nhận, with the reason the sender is told (02)."""
    row, doc, _ = _waiting(session, user, received_id)
    intake.refuse(session, user, doc, reason, now)
    row.state = "refused"
    statuses.answer(session, row, "02", now, f"Từ chối tiếp nhận: {doc.refusal_reason}", staff=user.full_name)
    audit.append(session, at=now, action="exchange_refused_by_clerk", actor_id=user.id,
                 payload={"received": row.id, "document": doc.id, "edxml_document_id": row.edxml_document_id,
                          "reason": doc.refusal_reason})
    return {"received": row.id, "document_id": doc.id, "status": "02"}


def waiting_count(session: Session, user: User) -> int:
    mine = [a for a, positions in _agencies(session, user).items() if "clerk" in positions]
    if not mine:
        return 0
    return len(list(session.scalars(select(Received.id).where(Received.agency_id.in_(mine),
                                                              Received.state == "waiting",
                                                              Received.business_type == NEW))))

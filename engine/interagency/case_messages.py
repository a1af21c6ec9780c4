"""Messages between cases of one installation (liên thông).

A message that nothing in the sending case catches leaves the workflow (SpiffWorkflow's
``get_events``) and is routed here, in the sender's transaction: a reply (its payload
carries the ``reply_token`` its request came with) to the case that sent the request,
which must be waiting for it; anything else to a new case of the process whose message
start event has that name and whose agency is the payload's ``agency``. Either way the
two agencies must be the same or have an exchange agreement (engine/interagency/agreements.py); a case
id in the payload (``reply_to_case``) is refused, since the sending diagram controls it.
The platform adds ``sender_case``, ``sender_agency``, the sender's current ``document``
and a new ``reply_token``; a document of another agency arrives as an incoming entry of
the receiving agency and becomes the receiving case's document. A delivery is audited on
both sides; a refusal rolls back and is audited on its own (engine/audit/refusals.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.event_types import CatchingEvent
from SpiffWorkflow.bpmn.util.event import BpmnEvent
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.specs.event_definitions import MessageEventDefinition
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import hooks
from engine.audit import chain as audit
from engine.audit.refusals import Refused, on_case
from engine.core.clock import FakeClock, using
from engine.core.errors import Conflict, InvalidData, Text
from engine.documents import documents
from engine.interagency import agreements as exchange
from engine.models import Agency, Case, CaseStatus, Direction, Document, Unit, User
from engine.org import permissions
from engine.workflow import sandbox, state
from engine.workflow.definitions import latest_versions, version_info
from engine.workflow.steps import persist

MAX_HOPS = 8  # a chain of messages longer than this is a modelling error, not a procedure


def event(name: str, payload: dict[str, Any]) -> BpmnEvent:
    return BpmnEvent(MessageEventDefinition(name), payload=payload)


def _waits_for(workflow: BpmnWorkflow, name: str) -> bool:
    return any(
        isinstance(t.task_spec, CatchingEvent) and getattr(t.task_spec.event_definition, "name", None) == name
        for t in workflow.get_tasks(state=TaskState.WAITING)
    )


class MessageRefused(Refused):
    action = "message_refused"


def _refused(session: Session, sender: Case, name: str, user: User, now: datetime, reason: str,
             target_case: int | None = None, target_agency: str | None = None) -> MessageRefused:
    """Audited on the case it was aimed at when there is one, with the sender's agency and case."""
    sender_agency = session.get(Agency, sender.agency_id)
    assert sender_agency is not None
    info = version_info(session, sender.process_version_id)
    err = MessageRefused(Text("Thông điệp liên thông '%(name)s' bị từ chối: %(reason)s.", name=name, reason=reason),
                         {"message": reason},
                         {"message": name, "reason": reason, "process": info.process_id, "sender_case": sender.id,
                          "sender_agency": sender_agency.code, "target_case": target_case,
                          "target_agency": target_agency})
    err.case_id, err.actor_id, err.at = target_case, user.id, now
    return err


def route(session: Session, sender: Case, events: list[BpmnEvent], user: User, now: datetime, hops: int = 0) -> None:
    if events and hops >= MAX_HOPS:
        raise Conflict("Chuỗi thông điệp liên thông quá dài (có thể sơ đồ bị lặp).")
    for sent in events:
        name = sent.event_definition.name
        payload = dict(sent.payload) if isinstance(sent.payload, dict) else {"value": sent.payload}
        if "reply_to_case" in payload:
            forged = payload["reply_to_case"]
            raise _refused(session, sender, name, user, now, "không nhận hồ sơ đích do sơ đồ chỉ định (reply_to_case); "
                           "trả lời bằng reply_token của yêu cầu", forged if isinstance(forged, int) else None)
        token = payload.pop("reply_token", None)
        sender_agency = session.get(Agency, sender.agency_id)
        assert sender_agency is not None
        payload.update(sender_case=sender.id, sender_agency=sender_agency.code, document=sender.document_id)
        if token is None:
            if not hooks.message_forwarded(session, sender, name, payload, now):  # another installation's agency
                _start(session, sender, name, payload, user, now, hops)
            continue
        if hooks.message_replied(session, sender, name, token, now):  # a request from another installation
            continue
        target = exchange.redeem(session, token, sender.agency_id)
        if target is None:
            raise _refused(session, sender, name, user, now, "mã trả lời (reply_token) không hợp lệ với cơ quan gửi")
        _deliver(session, sender, target, name, payload, user, now, hops)


def _received_document(session: Session, payload: dict[str, Any], agency_id: int, user: User,
                       now: datetime) -> Document | None:
    source = session.get(Document, payload["document"]) if payload.get("document") else None
    if source is None or source.agency_id == agency_id:
        return source
    return documents.receive(session, source, agency_id, user, now)


def _sent(session: Session, sender: Case, receiver: Case, name: str, user: User, now: datetime) -> None:
    """The sender's side of a delivery (the receiver's is its message_received or case_started)."""
    agency = session.get(Agency, receiver.agency_id)
    assert agency is not None
    audit.append(session, at=now, action="message_sent", actor_id=user.id, case_id=sender.id,
                 payload={"message": name, "to_case": receiver.id, "to_agency": agency.code})


def _deliver(session: Session, sender: Case, case_id: int, name: str, payload: dict[str, Any], user: User,
             now: datetime, hops: int) -> None:
    case = session.scalars(select(Case).where(Case.id == case_id).with_for_update()).first()
    if case is None or case.status != CaseStatus.RUNNING:
        raise InvalidData(Text("Không có hồ sơ đang chờ thông điệp '%(name)s'.", name=name))
    if not exchange.allowed(session, sender.agency_id, case.agency_id):
        raise _refused(session, sender, name, user, now, "hai cơ quan chưa có thỏa thuận liên thông", case.id)
    payload["reply_token"] = exchange.issue(session, sender, case.agency_id, name, now)
    onward = deliver(session, case, name, payload, user, now)
    _sent(session, sender, case, name, user, now)
    route(session, case, onward, user, now, hops + 1)


def deliver(session: Session, case: Case, name: str, payload: dict[str, Any], user: User,
            now: datetime) -> list[BpmnEvent]:
    """The message into ``case`` (locked, running, waiting for it): its document becomes the
    payload's, received as an incoming entry when it is another agency's; audited on the case.
    Returns the messages the case throws next, for the caller to route."""
    info = version_info(session, case.process_version_id)
    with using(FakeClock(now)), on_case(case.id, info.process_id, user.id, now), sandbox.limited():
        workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
        if not _waits_for(workflow, name):
            raise Conflict(Text("Hồ sơ %(case)s không chờ thông điệp '%(name)s'.", case=case.id, name=name))
        before = state.completed_ids(workflow)
        workflow.send_event(event(name, payload))
        sandbox.run_engine(workflow)
        onward = workflow.get_events()
    doc = _received_document(session, payload, case.agency_id, user, now)
    if doc is not None and doc.direction == Direction.INCOMING and doc.agency_id == case.agency_id:
        case.document_id = doc.id
    changes = persist(session, case, workflow, info, now, before)
    audit.append(session, at=now, action="message_received", actor_id=user.id, case_id=case.id,
                 payload={"message": name, "payload": payload, "document": case.document_id,
                          **changes.as_payload()})
    return onward


def waited_messages(session: Session, case: Case) -> list[str]:
    """The messages a running case waits for now."""
    info = version_info(session, case.process_version_id)
    workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
    return [str(t.task_spec.event_definition.name) for t in workflow.get_tasks(state=TaskState.WAITING)
            if isinstance(t.task_spec, CatchingEvent) and getattr(t.task_spec.event_definition, "name", None)]


def _start(session: Session, sender: Case, name: str, payload: dict[str, Any], user: User, now: datetime,
           hops: int) -> None:
    code = payload.get("agency")
    agency = session.scalars(select(Agency).where(Agency.code == code)).first() if isinstance(code, str) else None
    if agency is None:
        raise InvalidData("Cơ quan nhận không hợp lệ.", {"agency": Text("Không có cơ quan '%(agency)s'.", agency=code)})
    if not exchange.allowed(session, sender.agency_id, agency.id):
        raise _refused(session, sender, name, user, now, f"chưa có thỏa thuận liên thông với {agency.name}",
                       target_agency=agency.code)
    payload["reply_token"] = exchange.issue(session, sender, agency.id, name, now)
    case, onward = start(session, agency, name, payload, user, now)
    _sent(session, sender, case, name, user, now)
    route(session, case, onward, user, now, hops + 1)


def starters(session: Session, agency: Agency, name: str | None = None) -> list[int]:
    """The latest versions of the agency's processes that a message starts (``name``: that one)."""
    return [v.id for v in latest_versions(session)
            if (start_messages := version_info(session, v.id).start_messages)
            and (name is None or name in start_messages)
            and agency.code in (permissions.agency_codes(v.agency_code) or [agency.code])]


def start(session: Session, agency: Agency, name: str, payload: dict[str, Any], user: User,
          now: datetime) -> tuple[Case, list[BpmnEvent]]:
    """A new case of the agency's process that message ``name`` starts, with the payload's
    document (received as an incoming entry when it is another agency's); audited
    ``case_started`` with the message. Returns it and the messages it throws next."""
    candidates = starters(session, agency, name)
    if len(candidates) != 1:
        raise InvalidData(Text("Cơ quan %(agency)s không có quy trình nhận thông điệp '%(name)s'.",
                               agency=agency.name, name=name))
    info = version_info(session, candidates[0])
    # The case belongs to the receiving agency; its first unit stands for it until a person there acts.
    unit_id = session.scalar(select(Unit.id).where(Unit.agency_id == agency.id).order_by(Unit.id).limit(1))
    assert unit_id is not None
    with using(FakeClock(now)), on_case(None, info.process_id, user.id, now), sandbox.limited():
        workflow = state.new_workflow(info.spec, info.subprocess_specs)
        sandbox.run_engine(workflow)
        workflow.send_event(event(name, payload))
        sandbox.run_engine(workflow)
        onward = workflow.get_events()
    doc = _received_document(session, payload, agency.id, user, now)
    case = Case(
        process_version_id=info.id, agency_id=agency.id, initiator_id=user.id, initiator_unit_id=unit_id,
        title=(doc.subject if doc else info.name)[:500], status=CaseStatus.RUNNING, created_at=now, updated_at=now,
        state_json="{}", document_id=doc.id if doc else None,
    )
    session.add(case)
    session.flush()
    changes = persist(session, case, workflow, info, now, set())
    audit.append(session, at=now, action="case_started", actor_id=user.id, case_id=case.id,
                 payload={"process": info.process_id, "version": info.version, "version_id": info.id,
                          "document": case.document_id, "data": {}, "message": name, "payload": payload,
                          **changes.as_payload()})
    return case, onward

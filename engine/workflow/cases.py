"""Cases: start one, complete its tasks, fire its timers. Every function runs inside the
caller's transaction, holds the case's row lock while it moves the workflow, and writes
one audit entry for the action it performs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.audit.refusals import on_case
from engine.core.clock import VIETNAM, FakeClock, using
from engine.core.errors import Conflict, DomainError, Forbidden, InvalidData, NotFound, Text
from engine.documents import documents
from engine.interagency import case_messages
from engine.models import (
    Agency,
    Case,
    CaseFollower,
    CaseStatus,
    Direction,
    Document,
    HumanTask,
    ProcessVersion,
    Secrecy,
    TaskStatus,
    Unit,
    User,
    UserPosition,
)
from engine.org import permissions
from engine.signatures import signatures
from engine.workflow import forms, sandbox, state
from engine.workflow.actions import ACTIONS, ActionContext, ActionFailed
from engine.workflow.bpmn_check import ACTION_PROPERTY
from engine.workflow.definitions import VersionInfo, latest_version, start_form, step_properties, version_info
from engine.workflow.steps import complete_row, persist

CERTIFICATE_PROPERTY = "certificateDecisions"  # decisions only a certificate holder may take (ký số)
REFUSED_ACTION = "case_refused"  # the audit entry of a case ended by refusing its document (end_refused)

# Built once (engine/core/db.py says why).
_LOCK_CASE_OF_TASK = (select(Case).join(HumanTask, HumanTask.case_id == Case.id)
                      .where(HumanTask.id == bindparam("task_id")).with_for_update(of=Case))
_TASK_WITH_CASE = select(HumanTask, Case).join(Case, Case.id == HumanTask.case_id).where(HumanTask.id == bindparam("t"))


def _units_in(session: Session, user: User, agency_code: str | None) -> list[Unit]:
    """``user``'s units in the agencies of a process's ``agency`` property (any agency if none)."""
    query = select(Unit).join(UserPosition, UserPosition.unit_id == Unit.id).where(UserPosition.user_id == user.id)
    codes = permissions.agency_codes(agency_code)
    if codes is not None:
        query = query.join(Agency, Agency.id == Unit.agency_id).where(Agency.code.in_(codes))
    return list(session.scalars(query.order_by(UserPosition.id)).unique())


def _initiator_unit(units: list[Unit], unit_id: int | None) -> Unit:
    if unit_id is not None:
        units = [u for u in units if u.id == unit_id]
        if not units:
            raise InvalidData("Đơn vị không hợp lệ.", {"unit": "Bạn không thuộc đơn vị này."})
    if not units:
        raise InvalidData("Bạn chưa thuộc đơn vị nào của cơ quan sở hữu quy trình này.")
    return units[0]


def _latest(session: Session, process_id: str) -> ProcessVersion:
    version = latest_version(session, process_id)
    if version is None:
        raise NotFound(Text("Không có quy trình '%(process)s'.", process=process_id))
    return version


def process_detail(session: Session, user: User, process_id: str) -> dict[str, Any]:
    """A deployed process of ``user``'s agencies as a client needs it to start a case: its
    newest version, the start form (the JSON Schema ``POST /api/v1/cases`` checks ``data``
    against), and whether it is started by hand (a liên thông process starts only on a
    message). Another agency's process is not found, as its other objects are not."""
    version = _latest(session, process_id)
    try:
        permissions.ensure_can_start(session, user, version, version.agency_code)
    except Forbidden:
        raise NotFound(Text("Không có quy trình '%(process)s'.", process=process_id)) from None
    info = version_info(session, version.id)
    return {"id": version.process_id, "name": version.name, "version": version.version,
            "agency": version.agency_code, "document": version.document_kind,
            "deployed_at": version.deployed_at.isoformat(), "content_hash": version.content_hash,
            "can_start": not info.start_messages, "starts_on_message": bool(info.start_messages),
            "start_form": None if info.start_messages else start_form(info)}


def startable_version(session: Session, user: User, process_id: str) -> VersionInfo:
    """The newest version of a process ``user`` may start by hand."""
    return _startable(session, user, process_id, with_units=False)[0]


def _startable(session: Session, user: User, process_id: str, with_units: bool) -> tuple[VersionInfo, list[Unit]]:
    """:func:`startable_version`, and the person's units in its agencies: one there is the right to start."""
    version = _latest(session, process_id)
    units = _units_in(session, user, version.agency_code) if with_units else []
    if not units:
        permissions.ensure_can_start(session, user, version, version.agency_code)
    info = version_info(session, version.id)
    if info.start_messages:
        raise InvalidData(Text("Quy trình '%(process)s' chỉ bắt đầu khi nhận văn bản liên thông.", process=info.name),
                          {"process": "Không khởi tạo trực tiếp được."})
    return info, units


def start_case(session: Session, user: User, process_id: str, data: Any, now: datetime,
               unit_id: int | None = None, received: Document | None = None) -> Case:
    """``received``: a document already here (from an edXML package) the case handles, not a new one."""
    info, units = _startable(session, user, process_id, with_units=True)
    schema = start_form(info)
    clean = forms.validate(schema, data) if schema is not None else {}
    unit = _initiator_unit(units, unit_id)
    clean.update(initiator=user.username, initiator_unit=unit.code)
    document = received if received is not None else _new_document(session, user, info, unit, clean, now)

    with using(FakeClock(now)), on_case(None, info.process_id, user.id, now):
        workflow = state.new_workflow(info.spec, info.subprocess_specs)
        workflow.task_tree.data.update(clean)
        sandbox.run_engine(workflow)
        onward = workflow.get_events()
    before: set[UUID] = set()
    case = Case(process_version_id=info.id, agency_id=unit.agency_id, initiator_id=user.id, initiator_unit_id=unit.id,
                title=(document.subject if document else str(clean.get("subject") or info.name))[:500],
                status=CaseStatus.RUNNING, created_at=now, updated_at=now,  # the document held for the answer:
                document_id=document.id if document else None, document=document)  # queries.case_view
    session.add(case)
    changes = persist(session, case, workflow, info, now, before, timers_before=False)
    # Đồng gửi: the drafter follows the document through every submission.
    session.add(CaseFollower(case_id=case.id, user_id=user.id, since=now))
    audit.append(session, at=now, action="case_started", actor_id=user.id, case_id=case.id,
                 payload={"process": info.process_id, "version": info.version, "version_id": info.id,
                          "document": document.id if document else None, "data": clean, **changes.as_payload()})
    case_messages.route(session, case, onward, user, now)
    return case


def _task_uuid(task_id: str) -> UUID:
    try:
        return UUID(task_id)
    except ValueError:
        raise NotFound("Không tìm thấy công việc.") from None


def complete_task(
    session: Session, user: User, task_id: str, data: Any, now: datetime, desk: signatures.Desk | None = None
) -> Case:
    """Complete a task with its form data; ``desk`` carries what signing needs (the stored
    files, the keys, and the credentials the person gave with a ``sign`` or ``issue``)."""
    case, row = lock_task(session, task_id)
    info = version_info(session, case.process_version_id)
    on_behalf_of = permissions.acting_for(session, user, row, info.process_id, now.astimezone(VIETNAM).date())
    if row.status != TaskStatus.OPEN:
        raise Conflict("Công việc này đã được xử lý.")
    return run_completion(session, case, row, user, data, now, desk, Completion(on_behalf_of=on_behalf_of))


def lock_task(session: Session, task_id: str) -> tuple[Case, HumanTask]:
    """The task's case, locked, and the task row read after the lock."""
    _task_uuid(task_id)
    # Lock the case before reading the task's status: every change to a case's tasks and
    # timers happens under this lock, so the status read next is the settled one.
    case = session.scalars(_LOCK_CASE_OF_TASK, {"task_id": task_id}).first()
    # Read after the lock, in a statement of its own: on PostgreSQL a row joined in the locking
    # statement is the one of its snapshot, taken before the wait for the lock.
    row = session.get(HumanTask, task_id) if case is not None else None
    if case is None or row is None:
        raise NotFound("Không tìm thấy công việc.")
    return case, row


@dataclass(frozen=True)
class Completion:
    """How a completion is recorded: on whose behalf (a delegation, or the person whose refused
    step an operator retries), who records it, the people an operator chose for tasks whose
    lane names nobody, and what the audit entry adds (the incident repaired)."""

    on_behalf_of: int | None = None
    recorded_by: User | None = None
    assign: dict[str, list[int]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def run_completion(session: Session, case: Case, row: HumanTask, user: User, data: Any, now: datetime,
                   desk: signatures.Desk | None, how: Completion) -> Case:
    """Complete the open task ``row`` of the locked ``case`` as ``user`` entered ``data``."""
    info = version_info(session, case.process_version_id)
    entered = data if isinstance(data, dict) else None
    with on_case(case.id, info.process_id, user.id, now, row.id, entered):
        with using(FakeClock(now)):
            workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
            task = workflow.get_task_from_id(UUID(row.id))
            if task is None or task.state != TaskState.READY:
                raise Conflict("Công việc này không còn chờ xử lý.")
            before = state.completed_ids(workflow)
            timers_before = bool(state.waiting_timers(workflow))
            clean = forms.validate(info.forms[row.form], data) if row.form else {}
            _check_certificate(task, user, clean)
            signed = _sign_if_signing(session, case, user, task, clean, desk, now) or \
                _discard_if_returned(session, case, user, clean, desk, now)
            clean.update(_run_action(session, case, user, task, clean, desk, now))
            task.data.update(clean)
            with sandbox.limited():
                task.run()
                sandbox.run_engine(workflow)
            onward = workflow.get_events()
        actor = how.recorded_by or user
        complete_row(session, row, actor.id, how.on_behalf_of, now)
        returned = str(clean.get("note") or "") if clean.get("decision") == "return" else None
        changes = persist(session, case, workflow, info, now, before, returned, timers_before, how.assign)
    audit.append(
        session, at=now, action="task_completed", actor_id=actor.id, on_behalf_of_id=how.on_behalf_of,
        case_id=case.id, task_id=row.id,
        payload={"task": row.spec_name, "title": row.title, "data": clean, "status": case.status.value,
                 "signature": signed, **how.extra, **changes.as_payload()},
    )
    case_messages.route(session, case, onward, user, now)
    return case


def end_refused(session: Session, user: User, document_id: int, reason: str, now: datetime) -> list[int]:
    """Từ chối tiếp nhận while a procedure holds the received document: each running case of
    it ends there, its open tasks cancelled (the replay ends it at the same entry). Returns
    the cases ended."""
    ended = []
    query = select(Case).where(Case.document_id == document_id, Case.status == CaseStatus.RUNNING).with_for_update()
    for case in session.scalars(query).all():
        info = version_info(session, case.process_version_id)
        with using(FakeClock(now)):
            workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
            before = state.completed_ids(workflow)
            timers_before = bool(state.waiting_timers(workflow))
            workflow.cancel()
        changes = persist(session, case, workflow, info, now, before, None, timers_before)
        audit.append(session, at=now, action=REFUSED_ACTION, actor_id=user.id, case_id=case.id,
                     payload={"document": document_id, "reason": reason, **changes.as_payload()})
        ended.append(case.id)
    return ended


def _properties(task: Any) -> dict[str, str]:
    return {k: str(v) for k, v in task.task_spec.extensions.get("properties", {}).items()}


def _sign_if_signing(session: Session, case: Case, user: User, task: Any, clean: dict[str, Any],
                     desk: signatures.Desk | None, now: datetime) -> dict[str, Any] | None:
    """signatures.signing_kind says which completions sign."""
    props = _properties(task)
    kind = signatures.signing_kind(props, clean.get("decision"))
    if kind is None:
        return None
    doc = case.document
    if doc is None or doc.direction != Direction.OUTGOING:
        return None
    if kind == "paper":
        return signatures.record_paper_signer(session, doc, user, props)
    if desk is None:
        raise InvalidData("Bước này cần ký số.", {"signing": "Chưa có thông tin ký số."})
    if kind == "approval":
        return signatures.sign_approval(session, desk, doc, user, str(task.id), props, str(task.data.get("unit", "")),
                                        now)
    return signatures.sign_as_leader(session, desk, doc, user, str(task.id), props, now)


def _discard_if_returned(
    session: Session, case: Case, user: User, clean: dict[str, Any], desk: signatures.Desk | None, now: datetime,
) -> dict[str, Any] | None:
    """A signed draft sent back (``return``) loses its leader's signature: after a leader signs,
    the main file changes only this way."""
    if clean.get("decision") != "return":
        return None
    doc = case.document
    if doc is None or doc.direction != Direction.OUTGOING:
        return None
    return signatures.discard_leader_signature(session, desk.store if desk else None, doc, user, now)


def approval_unit(session: Session, row: HumanTask, props: dict[str, str]) -> str:
    """The unit a ký nháy's leader approves for ("" on a step without an approval signature)."""
    if signatures.APPROVAL_PROPERTY not in props:
        return ""
    case = session.get(Case, row.case_id)
    assert case is not None
    info = version_info(session, case.process_version_id)
    task = state.load(case.state_json, info.spec, info.subprocess_specs).get_task_from_id(_task_uuid(row.id))
    return str(task.data.get("unit", "")) if task is not None else ""


def signing_task(session: Session, user: User, task_id: str, now: datetime) -> tuple[HumanTask, Document,
                                                                                      dict[str, str]]:
    """The open task a leader may sign for now, its outgoing document and its step's properties."""
    row, doc, props = task_step(session, user, task_id, now)
    if doc is None or doc.direction != Direction.OUTGOING:
        raise InvalidData("Công việc này không có văn bản đi để ký.")
    return row, doc, props


Step = tuple[HumanTask, Case, str, dict[str, str]]  # a task, its case, its process and its step's properties


def find_step(session: Session, task_id: str) -> Step:
    """The task ``task_id`` with its case, read in one statement, and its step's properties."""
    found = session.execute(_TASK_WITH_CASE, {"t": task_id}).first()
    if found is None:
        raise NotFound("Không tìm thấy công việc.")
    row, case = found
    info = version_info(session, case.process_version_id)
    return row, case, info.process_id, step_properties(info, row.spec_name)


def task_step(session: Session, user: User, task_id: str, now: datetime) -> tuple[HumanTask, Document | None,
                                                                                  dict[str, str]]:
    """The open task ``user`` may act on now, its case's document and its step's properties."""
    row, case, process_id, properties = find_step(session, task_id)
    permissions.acting_for(session, user, row, process_id, now.astimezone(VIETNAM).date())
    if row.status != TaskStatus.OPEN:
        raise Conflict("Công việc này đã được xử lý.")
    doc = session.get(Document, case.document_id) if case.document_id else None
    return row, doc, properties


def _check_certificate(task: Any, user: User, data: dict[str, Any]) -> None:
    guarded = state.extension_property(task, CERTIFICATE_PROPERTY)
    if guarded and data.get("decision") in {d.strip() for d in guarded.split(",")} and not user.has_certificate:
        raise InvalidData(
            "Bạn chưa có chứng thư số nên không thể ký số.",
            {"decision": "Chỉ người có chứng thư số mới chọn được ký số."},
        )


def _new_document(
    session: Session, user: User, info: VersionInfo, unit: Unit, data: dict[str, Any], now: datetime
) -> Document | None:
    """A process whose ``document`` property is ``outgoing`` or ``incoming`` handles one
    document, created from the metadata fields of its start form; ``copy`` makes a copy
    (bản sao) of the document named in the start form."""
    kind = info.document_kind
    if kind is None:
        return None
    if kind == "copy":
        return documents.create_copy(session, user, data.get("source_document"), data.get("copy_kind"), now, unit.id,
                                     data.get("extract_pages"))
    fields = set(documents.METADATA_SCHEMA["properties"])
    doc = documents.create(session, user, unit.agency_id, Direction(kind), {k: v for k, v in data.items()
                                                                             if k in fields}, now, unit.id)
    if doc.secrecy != Secrecy.NONE:
        raise InvalidData("Văn bản mật không được xử lý trên hệ thống; văn thư chuyển bản giấy trực tiếp.",
                          {"secrecy": "Chỉ vào sổ văn bản mật (thông tin), không chuyển điện tử."})
    return doc


def _run_action(
    session: Session, case: Case, user: User, task: Any, entered: dict[str, Any], desk: signatures.Desk | None,
    now: datetime,
) -> dict[str, Any]:
    name = state.extension_property(task, ACTION_PROPERTY)
    if name is None:
        return {}
    document = case.document

    def follow_up(process_id: str, start_data: dict[str, Any], initiator: User) -> Case:
        return start_case(session, initiator, process_id, start_data, now)

    ctx = ActionContext(session, case, user, document, now, entered, {**task.data, **entered}, _properties(task),
                        follow_up, desk)
    try:
        return ACTIONS[name](ctx)
    except DomainError:
        raise
    except Exception as err:  # a bug or an outage behind the action: on record, for the incident desk
        raise ActionFailed(task.task_spec.name, name, err) from err



def open_tasks(session: Session, case_id: int) -> list[HumanTask]:
    return list(session.scalars(
        select(HumanTask).where(HumanTask.case_id == case_id, HumanTask.status == TaskStatus.OPEN)
        .order_by(HumanTask.created_at, HumanTask.id)
    ))

"""Cây công việc: the work tree of a document, who handed it to whom, when, with what
note, and how each hand-over ended. Assignments are created and closed by the actions of
the incoming procedures (a leader's direction, a unit head's assignment, a handler's
outcome) and read back as a tree for the API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, Text
from engine.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    Document,
    DocumentStatus,
    Unit,
    User,
    UserPosition,
)
from engine.office import info_items
from engine.office.people import people as office_people
from engine.workflow import deadlines, roles

RECEIVER_LANE = "head(data.unit)"  # who takes a unit's work: the lane of the per-unit part of the diagrams
(_RECEIVER,) = roles.parse(RECEIVER_LANE)

# Built once: the steps of the incoming procedures run them (engine/core/db.py says why).
_UNIT = select(Unit).where(Unit.agency_id == bindparam("agency_id"), Unit.code == bindparam("code"))
_WORKING_UNITS = (select(Unit.code).join(UserPosition, UserPosition.unit_id == Unit.id)
                  .join(User, User.id == UserPosition.user_id)
                  .where(Unit.agency_id == bindparam("agency_id"), UserPosition.position == _RECEIVER.position,
                         User.active.is_(True)))
_UNIT_ASSIGNMENT = (select(Assignment).join(Unit, Unit.id == Assignment.to_unit_id)
                    .where(Assignment.document_id == bindparam("document_id"), Unit.code == bindparam("code"),
                           Assignment.to_user_id.is_(None))
                    .order_by(Assignment.id.desc()))
_PERSON_OF_UNIT = (select(User).join(UserPosition, UserPosition.user_id == User.id)
                   .where(User.username == bindparam("username"), UserPosition.unit_id == bindparam("unit_id"),
                          User.active.is_(True)))
_HANDLER_ASSIGNMENT = select(Assignment).where(Assignment.parent_id == bindparam("parent_id"),
                                               Assignment.to_user_id == bindparam("user_id"),
                                               Assignment.status == AssignmentStatus.OPEN)
_OPEN_MAIN = (select(Assignment.id).where(Assignment.document_id == bindparam("document_id"),
                                          Assignment.role == AssignmentRole.MAIN,
                                          Assignment.status == AssignmentStatus.OPEN)
              .limit(1))
# The steps' hand-overs are written by statements, not the unit of work: nothing of a step reads
# them back as objects, and a flush of its own cost the step more than its other bookkeeping.
_ASSIGNMENTS = Assignment.metadata.tables[Assignment.__tablename__]
_HAND_OVER = insert(_ASSIGNMENTS)
_CLOSE = (update(_ASSIGNMENTS).where(_ASSIGNMENTS.c.id == bindparam("assignment_id"))
          .values(status=bindparam("new_status"), outcome=bindparam("new_outcome"),
                  outcome_note=bindparam("new_note"), finished_at=bindparam("at")))
_DOCUMENTS = Document.metadata.tables[Document.__tablename__]
_DUE = update(_DOCUMENTS).where(_DOCUMENTS.c.id == bindparam("document_id")).values(due_date=bindparam("due"))
_FINISHED = (update(_DOCUMENTS).where(_DOCUMENTS.c.id == bindparam("document_id"))
             .values(status=DocumentStatus.FINISHED, finished_at=bindparam("at")))


def _hand_over(document_id: int, case_id: int, from_user_id: int, to_unit_id: int | None, role: AssignmentRole,
               note: Any, now: datetime, to_user_id: int | None = None, parent_id: int | None = None,
               deadline: date | None = None) -> dict[str, Any]:
    """An open hand-over's row, with every column :data:`_HAND_OVER` takes (all rows of one
    statement give the same)."""
    return {"document_id": document_id, "case_id": case_id, "parent_id": parent_id, "from_user_id": from_user_id,
            "to_unit_id": to_unit_id, "to_user_id": to_user_id, "role": role, "deadline": deadline, "note": note,
            "status": AssignmentStatus.OPEN, "created_at": now}


def _unit(session: Session, agency_id: int, code: str, field: str) -> Unit:
    unit = session.scalars(_UNIT, {"agency_id": agency_id, "code": code}).first()
    if unit is None:
        raise InvalidData("Đơn vị không hợp lệ.", {field: Text("Không có đơn vị '%(unit)s'.", unit=code)})
    return unit


def _deadline(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def working_units(session: Session, agency_id: int) -> set[str]:
    """The codes of the agency's units that can be given work: those whose receiver lane names
    someone (an active head), in one query for all units; a form's choices list every unit."""
    return set(session.scalars(_WORKING_UNITS, {"agency_id": agency_id}))


def direct(
    session: Session, doc: Document, case_id: int, leader: User, data: dict[str, Any], now: datetime
) -> list[str]:
    """Bút phê / ý kiến chỉ đạo: hand the document to a main unit and co-units, each with a
    deadline, and send it for information (để biết) to units and people, who only read it;
    returns the codes of the units that work on it, main first. A unit nobody can take
    work for is refused here, before the case moves on towards it."""
    main = data.get("main_unit")
    co = list(data.get("co_units") or [])
    info = list(data.get("info_units") or [])
    if not isinstance(main, str):
        raise InvalidData("Cần chọn đơn vị xử lý chính.", {"main_unit": "Bắt buộc."})
    codes = [main, *co, *info]
    if len(set(codes)) != len(codes):
        raise InvalidData("Một đơn vị chỉ nhận một vai trò.", {"co_units": "Trùng với đơn vị khác."})
    problems = deadlines.direction_problems(data, now.astimezone(VIETNAM).date(), doc.due_date)
    if problems:
        raise InvalidData("Hạn xử lý không hợp lệ.", dict(problems))
    roles_of = [(main, AssignmentRole.MAIN), *[(c, AssignmentRole.CO) for c in co],
                *[(c, AssignmentRole.INFO) for c in info]]
    info_unit_ids: list[int] = []
    rows: list[dict[str, Any]] = []
    working = working_units(session, doc.agency_id)
    for code, role in roles_of:
        field = {AssignmentRole.MAIN: "main_unit", AssignmentRole.CO: "co_units"}.get(role, "info_units")
        unit = _unit(session, doc.agency_id, code, field)
        if role != AssignmentRole.INFO and code not in working:
            raise InvalidData(Text("Đơn vị %(unit)s chưa có lãnh đạo đơn vị để nhận và phân công xử lý.",
                                   unit=unit.name),
                              {field: Text("Đơn vị '%(unit)s' không có người nhận việc: chọn đơn vị khác, "
                                           "hoặc gửi để biết.", unit=code)})
        if role == AssignmentRole.INFO:
            info_unit_ids.append(unit.id)
        rows.append(_hand_over(doc.id, case_id, leader.id, unit.id, role, data.get("note"), now, deadline=(
            deadlines.unit_deadline(data, code) if role != AssignmentRole.INFO else None)))
    people = _info_people(session, doc, data.get("info_people"))
    rows.extend(_hand_over(doc.id, case_id, leader.id, unit_id, AssignmentRole.INFO, data.get("note"), now,
                           to_user_id=person_id) for person_id, unit_id in people)
    session.connection().execute(_HAND_OVER, rows)
    info_items.send_for_information(session, doc, case_id, leader, info_unit_ids, [p for p, _ in people],
                                    data.get("note"), now)
    due = _deadline(data.get("main_deadline"))
    if doc.due_date is None and due is not None:
        session.connection().execute(_DUE, {"document_id": doc.id, "due": due})
        set_committed_value(doc, "due_date", due)
    return [main, *co]


def _info_people(session: Session, doc: Document, usernames: Any) -> list[tuple[int, int]]:
    """The people named to receive the document for information, each with their unit."""
    found: list[tuple[int, int]] = []
    for username in usernames or []:
        person = roles.member(session, username, doc.agency_id)
        if person is None:
            raise InvalidData("Người nhận để biết không hợp lệ.",
                              {"info_people": Text("Không có người '%(username)s' trong cơ quan.", username=username)})
        unit_id = session.scalar(select(UserPosition.unit_id).join(Unit, Unit.id == UserPosition.unit_id).where(
            UserPosition.user_id == person.id, Unit.agency_id == doc.agency_id).order_by(UserPosition.id))
        assert unit_id is not None  # roles.member found them in the agency through a position
        found.append((person.id, unit_id))
    return found


def _unit_assignment(session: Session, doc: Document, unit_code: str) -> Assignment:
    found = session.scalars(_UNIT_ASSIGNMENT, {"document_id": doc.id, "code": unit_code}).first()
    if found is None:
        raise InvalidData(Text("Đơn vị %(unit)s chưa được giao văn bản này.", unit=unit_code))
    return found


def handed_units(session: Session, document_id: int, user_id: int) -> set[str]:
    """The person's units the document was handed to (as a unit): the people ``assign`` accepts
    are theirs, so the assign form offers only them."""
    return set(session.scalars(
        select(Unit.code).join(Assignment, Assignment.to_unit_id == Unit.id)
        .join(UserPosition, UserPosition.unit_id == Unit.id)
        .where(Assignment.document_id == document_id, Assignment.to_user_id.is_(None), UserPosition.user_id == user_id)
    ))


def assign(
    session: Session, doc: Document, case_id: int, head: User, unit_code: str, data: dict[str, Any], now: datetime
) -> str:
    """Phân công: the unit head hands the unit's assignment to one of its people."""
    username = data.get("assignee")
    parent = _unit_assignment(session, doc, unit_code)
    person = session.scalars(_PERSON_OF_UNIT, {"username": username, "unit_id": parent.to_unit_id}).first()
    if person is None:
        raise InvalidData("Người được giao phải thuộc đơn vị.", {"assignee": "Không có người này trong đơn vị."})
    if data.get("deadline") and (wrong := deadlines.problem(data["deadline"], now.astimezone(VIETNAM).date(),
                                                            parent.deadline or doc.due_date)) is not None:
        raise InvalidData("Hạn xử lý không hợp lệ.", {"deadline": wrong})
    session.connection().execute(_HAND_OVER, _hand_over(
        doc.id, case_id, head.id, parent.to_unit_id, parent.role, data.get("note"), now, to_user_id=person.id,
        parent_id=parent.id, deadline=_deadline(data.get("deadline")) or parent.deadline))
    return person.username


def assign_person(
    session: Session, doc: Document, case_id: int, leader: User, data: dict[str, Any], now: datetime
) -> str:
    """Giao việc: a leader hands the document straight to one official of the agency."""
    found = session.execute(
        select(User, Unit.id).join(UserPosition, UserPosition.user_id == User.id)
        .join(Unit, Unit.id == UserPosition.unit_id)
        .where(User.username == data.get("assignee"), Unit.agency_id == doc.agency_id, User.active.is_(True))
        .order_by(UserPosition.id)
    ).first()
    if found is None:
        raise InvalidData("Người được giao phải thuộc cơ quan.", {"assignee": "Không có người này trong cơ quan."})
    person, unit_id = found
    session.add(Assignment(
        document_id=doc.id, case_id=case_id, from_user_id=leader.id, to_unit_id=unit_id, to_user_id=person.id,
        role=AssignmentRole.MAIN, deadline=_deadline(data.get("deadline")), note=data.get("note"),
        status=AssignmentStatus.OPEN, created_at=now,
    ))
    if doc.due_date is None:
        doc.due_date = _deadline(data.get("deadline"))
    session.flush()
    return str(person.username)


def finish_for(session: Session, doc: Document, handler: User, outcome: str, now: datetime) -> None:
    """The handler's own open hand-overs of the document end with ``outcome``; the document
    is finished when no hand-over with the main role remains open."""
    for a in session.scalars(select(Assignment).where(
        Assignment.document_id == doc.id, Assignment.to_user_id == handler.id,
        Assignment.status == AssignmentStatus.OPEN,
    )):
        a.status, a.outcome, a.finished_at = AssignmentStatus.DONE, outcome, now
    session.flush()
    _finish_if_done(session, doc, now)


def _finish_if_done(session: Session, doc: Document, now: datetime) -> None:
    open_main = session.scalar(_OPEN_MAIN, {"document_id": doc.id})
    if open_main is None and doc.status == DocumentStatus.REGISTERED:
        session.connection().execute(_FINISHED, {"document_id": doc.id, "at": now})
        set_committed_value(doc, "status", DocumentStatus.FINISHED)
        set_committed_value(doc, "finished_at", now)


def _handler_assignment(session: Session, parent: Assignment, handler: User) -> Assignment | None:
    """The handler's open hand-over under the unit's; None when a delegate acts for them."""
    return session.scalars(_HANDLER_ASSIGNMENT, {"parent_id": parent.id, "user_id": handler.id}).first()


def close(
    session: Session, doc: Document, handler: User, unit_code: str, outcome: str, note: str | None, now: datetime
) -> None:
    """The handler's outcome: ``returned`` gives the task back to the unit head with a
    reason; anything else ends the unit's part, and the document is finished once every
    unit with the main role is done."""
    parent = _unit_assignment(session, doc, unit_code)
    mine = _handler_assignment(session, parent, handler)
    targets = [mine] if mine is not None else []
    if outcome != "returned":
        targets.append(parent)
    status = AssignmentStatus.RETURNED if outcome == "returned" else AssignmentStatus.DONE
    if targets:
        session.connection().execute(_CLOSE, [{"assignment_id": a.id, "new_status": status, "new_outcome": outcome,
                                               "new_note": note, "at": now} for a in targets])
    for a in targets:  # as the database has them now
        for name, value in (("status", status), ("outcome", outcome), ("outcome_note", note), ("finished_at", now)):
            set_committed_value(a, name, value)
    if outcome != "returned":
        _finish_if_done(session, doc, now)


def request_comment(
    session: Session, doc: Document, case_id: int, handler: User, unit_code: str, colleague: User, note: str | None,
    now: datetime,
) -> int:
    """Xin ý kiến góp ý: the handler asks a colleague for an opinion; the document stays
    theirs. Returns the request's id, which the colleague's answer closes."""
    parent = _unit_assignment(session, doc, unit_code)
    mine = _handler_assignment(session, parent, handler)
    request = Assignment(
        document_id=doc.id, case_id=case_id, parent_id=(mine or parent).id, from_user_id=handler.id,
        to_user_id=colleague.id, role=AssignmentRole.CO, note=note, status=AssignmentStatus.OPEN, created_at=now,
    )
    session.add(request)
    session.flush()
    return request.id


def answer_comment(session: Session, request_id: int, opinion: str | None, now: datetime) -> None:
    """Chuyển ý kiến đóng góp: the colleague's opinion closes the request they were sent."""
    request = session.get(Assignment, request_id)
    assert request is not None  # the id comes from the case data request_comment wrote
    request.status, request.outcome, request.outcome_note, request.finished_at = (
        AssignmentStatus.DONE, "commented", opinion, now)
    session.flush()


def forward(session: Session, doc: Document, case_id: int, chief: User, drafter: User, note: str | None,
            now: datetime) -> None:
    """Chỉ đạo soạn văn bản đi: the document is answered by an outgoing one that ``drafter``
    drafts (for units outside the agency, issued on paper); its handling ends here."""
    session.add(Assignment(
        document_id=doc.id, case_id=case_id, from_user_id=chief.id, to_user_id=drafter.id, role=AssignmentRole.MAIN,
        note=note, status=AssignmentStatus.DONE, outcome="forwarded", outcome_note=note, created_at=now,
        finished_at=now,
    ))
    if doc.status == DocumentStatus.REGISTERED:
        doc.status, doc.finished_at = DocumentStatus.FINISHED, now
    session.flush()


def tree(session: Session, document_id: int) -> list[dict[str, Any]]:
    """The work tree: top-level hand-overs with their children, in the order they were made."""
    rows = session.execute(
        select(Assignment, Unit.code, Unit.name).outerjoin(Unit, Unit.id == Assignment.to_unit_id)
        .where(Assignment.document_id == document_id).order_by(Assignment.id)
    ).all()
    named = office_people(session, {a.from_user_id for a, _, _ in rows} | {a.to_user_id for a, _, _ in rows
                                                                         if a.to_user_id})
    people = {i: p.username for i, p in named.items()}
    nodes: dict[int, dict[str, Any]] = {}
    roots: list[dict[str, Any]] = []
    for a, unit_code, unit_name in rows:
        node: dict[str, Any] = {
            "id": a.id, "from": people.get(a.from_user_id), "to_unit": unit_code, "to_unit_name": unit_name,
            "to_user": people.get(a.to_user_id) if a.to_user_id else None, "role": a.role.value,
            # the pages name people by name and position, never by username
            "from_person": named[a.from_user_id].as_dict() if a.from_user_id in named else None,
            "to_person": named[a.to_user_id].as_dict() if a.to_user_id in named else None,
            "deadline": a.deadline.isoformat() if a.deadline else None, "note": a.note, "status": a.status.value,
            "outcome": a.outcome, "outcome_note": a.outcome_note, "created_at": a.created_at.isoformat(),
            "finished_at": a.finished_at.isoformat() if a.finished_at else None, "children": [],
        }
        nodes[a.id] = node
        (nodes[a.parent_id]["children"] if a.parent_id in nodes else roots).append(node)
    return roots

"""What a person sees to act: a task with its form and the choices the form offers (the
agency's units and people), the case's document with its files, work tree and history,
the processes they may start. Each is read through the same permission checks as the API
(engine.org.permissions), so a page shows nothing its reader could not ask the API for."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import Forbidden
from engine.documents import documents, worktree
from engine.documents.doctypes import DOC_TYPES
from engine.models import Agency, Case, Document, DocumentStatus, HumanTask, Position, Secrecy, Unit, User, UserPosition
from engine.office import address_book, conversations, desk, notifications, queries
from engine.office.people import RANK
from engine.org import permissions
from engine.registry import incoming, intake
from engine.workflow.bpmn_check import ACTION_PROPERTY
from engine.workflow.cases import startable_version
from engine.workflow.definitions import (
    VersionInfo,
    latest_versions,
    start_form,
    start_form_ref,
    task_property,
    version_info,
)

URGENCY_TITLES = {"thuong": "Thường", "khan": "Khẩn", "thuong_khan": "Thượng khẩn", "hoa_toc": "Hỏa tốc"}
SECRECY_TITLES = {"thuong": "Thường", "mat": "Mật", "toi_mat": "Tối mật", "tuyet_mat": "Tuyệt mật"}
# The clerk's entry of an incoming document (vào sổ văn bản đến), from the register's own schema.
_ENTRY_FIELDS = ("doc_type", "subject", "number_symbol", "issuer_name", "issuer_organ_id", "document_date",
                 "arrival_date", "urgency", "secrecy", "due_date", "page_amount", "description")
CHANNEL = {"type": "string", "title": "Hình thức nhận", "enum": ["paper", "electronic"],
           "x-enumTitles": {"paper": "Bản giấy (trực tiếp, bưu điện)", "electronic": "Văn bản điện tử"}}
_ENUM_TITLES = {"doc_type": DOC_TYPES, "urgency": URGENCY_TITLES, "secrecy": SECRECY_TITLES}


def header(session: Session, user: User) -> dict[str, Any]:
    """What every page's header shows: who is logged in, their unread notifications and
    messages, and whether they enter documents in a register (the clerk's entry page), keep
    registers (the registers, reports and statistics), design processes, audit cases
    (kiểm tra viên) or administer their agency."""
    positions = {p.value for p in session.scalars(select(UserPosition.position).where(UserPosition.user_id == user.id))}
    return {"username": user.username, "full_name": user.full_name, "unread": notifications.unread_count(session, user),
            "messages": conversations.unread_count(session, user), "clerk": "clerk" in positions,
            "incoming_procedure": incoming.menu_procedure(session, user) if "clerk" in positions else None,
            "keeper": bool(positions & permissions.REGISTER_KEEPERS),
            "designer": Position.DESIGNER in positions, "auditor": Position.AUDITOR in positions,
            "admin": Position.ADMIN in positions,
            "operator": Position.ADMIN in positions or Position.OPERATOR in positions}


def directory(session: Session, agency_id: int) -> dict[str, list[dict[str, str]]]:
    """The agency's units (those that can be given work apart) and active people, for the
    forms' unit and person choices."""
    units = list(session.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.id)))
    people = session.execute(
        select(User.username, User.full_name, Unit.code, UserPosition.position)
        .join(UserPosition, UserPosition.user_id == User.id).join(Unit, Unit.id == UserPosition.unit_id)
        .where(Unit.agency_id == agency_id, User.active.is_(True)).order_by(Unit.id, User.full_name)
    ).all()
    seen: dict[str, dict[str, str]] = {}
    for username, full_name, unit, position in people:  # each person once, in their first unit, highest position
        known = seen.setdefault(username, {"username": username, "full_name": full_name, "unit": unit,
                                           "position": position.value})
        if RANK.index(position) < RANK.index(Position(known["position"])):
            known["position"] = position.value
    working = worktree.working_units(session, agency_id)
    return {"units": [{"code": u.code, "name": u.name} for u in units],
            "working_units": [{"code": u.code, "name": u.name} for u in units if u.code in working],
            "people": list(seen.values()), "address_book": address_book.entries(session, agency_id)}


def _today(now: datetime) -> Any:
    return now.astimezone(VIETNAM).date()


def _document(session: Session, user: User, document_id: int | None, now: datetime) -> dict[str, Any] | None:
    """The document with its work tree, and whether the reader may attach files to it now."""
    doc = session.get(Document, document_id) if document_id is not None else None
    if doc is None:
        return None
    try:
        permissions.ensure_can_view_document(session, user, doc, _today(now))
    except Forbidden:
        return None
    try:
        permissions.ensure_can_edit_document(session, user, doc, _today(now))
        editable = True
    except Forbidden:
        editable = False
    open_for_files = doc.status not in documents.FROZEN | {DocumentStatus.ISSUED} or doc.backfilled
    return {**documents.view(doc), "tree": worktree.tree(session, doc.id),
            "can_attach": editable and open_for_files and doc.secrecy == Secrecy.NONE}


def _history(session: Session, user: User, case: Case, info: VersionInfo, now: datetime) -> list[dict[str, Any]]:
    """The case's audit entries, each completed task with the title of the decision taken."""
    entries = queries.case_history(session, user, case.id, now)
    forms = dict(session.execute(select(HumanTask.id, HumanTask.form).where(HumanTask.case_id == case.id)).all())
    for entry in entries:
        decision = entry["payload"].get("data", {}).get("decision")
        form = info.forms.get(forms.get(entry["task_id"]) or "", {})
        titles = form.get("properties", {}).get("decision", {}).get("x-enumTitles", {})
        entry["decision_title"] = titles.get(decision, decision) if isinstance(decision, str) else None
    return entries


def _returned(history: list[dict[str, Any]], before: str) -> dict[str, Any] | None:
    """The return (trả lại) that opened a task created at ``before``, with its note."""
    completed = [e for e in history if e["action"] == "task_completed" and e["at"] <= before]
    last = completed[-1] if completed else None
    if last is None or last["payload"].get("data", {}).get("decision") != "return":
        return None
    return {"by": last["actor"], "note": last["payload"]["data"].get("note"), "at": last["at"]}


def task(session: Session, user: User, task_id: str, now: datetime) -> dict[str, Any]:
    """The task page: the task and its form, its case's document, tree and history."""
    view = queries.task_detail(session, user, task_id, now)
    case = session.get(Case, view["case_id"])
    assert case is not None
    info = version_info(session, case.process_version_id)
    history = _history(session, user, case, info, now)
    choices = directory(session, case.agency_id)
    if case.document_id is not None and task_property(info, view["task"], ACTION_PROPERTY) == "assign_in_unit":
        units = worktree.handed_units(session, case.document_id, user.id)  # only valid choices: the unit's people
        choices["people"] = [p for p in choices["people"] if p["unit"] in units]
    return {"task": view, "process_name": info.name, "document": _document(session, user, case.document_id, now),
            "history": history, "returned": _returned(history, view["created_at"]) if view["status"] == "open"
            else None, "directory": choices}


def case(session: Session, user: User, case_id: int, now: datetime) -> dict[str, Any]:
    """The case page: where it stands, its document, tree and history."""
    view = queries.case_detail(session, user, case_id, now)
    row = session.get(Case, case_id)
    assert row is not None
    info = version_info(session, row.process_version_id)
    mine = {t["id"] for t in view["open_tasks"] if any(a["username"] == user.username for a in t["assignees"])}
    return {"case": view, "process_name": info.name, "my_task_ids": mine,
            "document": _document(session, user, row.document_id, now),
            "history": _history(session, user, row, info, now)}


def document(session: Session, user: User, document_id: int, now: datetime) -> dict[str, Any]:
    """The document page: metadata, files (with the upload when allowed) and work tree."""
    desk.get(session, user, document_id, now)  # the permission check, with its message
    found = _document(session, user, document_id, now)
    assert found is not None
    cases = session.scalars(select(Case.id).where(Case.document_id == document_id).order_by(Case.id))
    doc = session.get(Document, document_id)
    assert doc is not None
    positions = permissions.positions_in(session, user, doc.agency_id)
    return {"document": found, "case_ids": list(cases), "intake": intake.panel(session, doc),
            "clerk": Position.CLERK in positions, "issuer": bool(positions & permissions.SECRET_READERS)}


def _agency_for(session: Session, user: User, agency_code: str | None) -> int:
    codes = permissions.agency_codes(agency_code)
    mine = permissions.agencies_of(session, user)
    if codes is not None:
        mine &= set(session.scalars(select(Agency.id).where(Agency.code.in_(codes))))
    if not mine:
        raise Forbidden("Quy trình này thuộc cơ quan khác, bạn không được khởi tạo.")
    return min(mine)


def startable(session: Session, user: User) -> list[dict[str, Any]]:
    """The processes the user may start by hand (not those only a liên thông message starts)."""
    mine = permissions.agencies_of(session, user)
    found = []
    for version in latest_versions(session):
        codes = permissions.agency_codes(version.agency_code)
        if codes is not None and not mine & set(session.scalars(select(Agency.id).where(Agency.code.in_(codes)))):
            continue
        if version_info(session, version.id).start_messages:
            continue
        found.append({"id": version.process_id, "name": version.name, "document_kind": version.document_kind})
    return found


def start(session: Session, user: User, process_id: str) -> dict[str, Any]:
    """The start page of a process: its start form and the choices for it."""
    info = startable_version(session, user, process_id)
    return {"process": {"id": info.process_id, "name": info.name, "document_kind": info.document_kind},
            "form": start_form(info), "form_ref": start_form_ref(info),
            "form_ui": info.ui.get(start_form_ref(info) or ""),
            "directory": directory(session, _agency_for(session, user, info.agency_code))}


def _entry_form() -> dict[str, Any]:
    properties = {}
    for name in _ENTRY_FIELDS:
        field = dict(documents.METADATA_SCHEMA["properties"][name])
        if name in _ENUM_TITLES:
            field["x-enumTitles"] = {v: _ENUM_TITLES[name].get(v, v) for v in field["enum"]}
        properties[name] = field
    # How it came (giấy / điện tử): the incoming procedures' start forms ask it.
    properties["channel"] = CHANNEL
    return {"title": "Vào sổ văn bản đến", "type": "object", "required": documents.METADATA_SCHEMA["required"],
            "properties": properties}


ENTRY_FORM = _entry_form()  # the form of the clerk's incoming entry, with its choices' titles


def entry(session: Session, user: User) -> dict[str, Any]:
    """The clerk's entry page: the form, for a clerk only (desk.enter checks again)."""
    if not header(session, user)["clerk"]:
        raise Forbidden("Chỉ văn thư mới vào sổ văn bản được.")
    return ENTRY_FORM

"""Read-only views of cases and tasks for the API and the UI, permission-filtered."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, bindparam, func, inspect, or_, select
from sqlalchemy.orm import Session, joinedload

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import NotFound
from engine.documents import documents, textfold
from engine.models import (
    Agency,
    Case,
    CaseFollower,
    Direction,
    Document,
    DocumentStatus,
    HumanTask,
    ProcessVersion,
    SignatureStatus,
    TaskCandidate,
    TaskStatus,
    Unit,
    User,
    UserPosition,
)
from engine.org import permissions
from engine.signatures.signatures import APPROVAL_PROPERTY
from engine.workflow.bpmn_check import TASK_KIND_PROPERTY
from engine.workflow.definitions import latest_versions, task_property, version_info


def _names(session: Session, ids: set[int]) -> dict[int, dict[str, str]]:
    if not ids:
        return {}
    rows = session.execute(select(User.id, User.username, User.full_name).where(User.id.in_(ids)))
    return {i: {"username": u, "full_name": f} for i, u, f in rows}


def _views(session: Session, rows: Any) -> list[dict[str, Any]]:
    """Task views from (HumanTask, username, full name, process version id, ...) rows, one row per
    assignee, in the rows' order."""
    views: dict[str, dict[str, Any]] = {}
    for t, username, full_name, version_id, *_ in rows:
        view = views.get(t.id)
        if view is None:
            kind = task_property(version_info(session, version_id), t.spec_name, TASK_KIND_PROPERTY)
            view = views[t.id] = {
                "id": t.id, "case_id": t.case_id, "task": t.spec_name, "title": t.title, "lane": t.lane,
                "kind": kind, "status": t.status.value, "created_at": t.created_at.isoformat(),
                "due_at": t.due_at.isoformat() if t.due_at else None, "assignees": [],
            }
        view["assignees"].append({"username": username, "full_name": full_name})
    for view in views.values():
        view["assignees"].sort(key=lambda u: u["username"])
    return list(views.values())


def _with_assignees() -> Any:
    return (select(HumanTask, User.username, User.full_name, Case.process_version_id)
            .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id).join(User, User.id == TaskCandidate.user_id)
            .join(Case, Case.id == HumanTask.case_id))


# Built once: every task completion answers with the case's view, every inbox page with
# its tasks' views (engine/core/db.py says why).
_TASKS_BY_ID = _with_assignees().where(HumanTask.id.in_(bindparam("ids", expanding=True)))
_OPEN_TASKS_OF_CASE = (
    _with_assignees().where(HumanTask.case_id == bindparam("case_id"), HumanTask.status == TaskStatus.OPEN)
    .order_by(HumanTask.created_at, HumanTask.id)
)
# The document with its few files and recipients in one query, not three.
_DOCUMENT_WITH_PARTS = (
    select(Document).where(Document.id == bindparam("document_id"))
    .options(joinedload(Document.files), joinedload(Document.recipients))
)


def task_views(session: Session, task_ids: list[str]) -> list[dict[str, Any]]:
    """Views of the given tasks, in the given order."""
    if not task_ids:
        return []
    rows = session.execute(_TASKS_BY_ID, {"ids": task_ids})
    views = {v["id"]: v for v in _views(session, rows)}
    return [views[i] for i in task_ids if i in views]


def case_view(session: Session, case: Case) -> dict[str, Any]:
    info = version_info(session, case.process_version_id)
    open_rows = session.execute(_OPEN_TASKS_OF_CASE, {"case_id": case.id})
    initiator = session.get(User, case.initiator_id)  # often the one acting, already loaded
    return {
        "id": case.id, "process": info.process_id, "version": info.version, "title": case.title,
        "status": case.status.value, "initiator": initiator.username if initiator else None,
        "created_at": case.created_at.isoformat(), "updated_at": case.updated_at.isoformat(),
        "data": json.loads(case.data_json), "open_tasks": _views(session, open_rows),
        "document": _document_view(session, case.document_id),
    }


def completion_view(session: Session, case: Case) -> dict[str, Any]:
    """What a task completion answers by default: where the case stands (its open tasks and who
    holds them, the document's state and number), not the whole case view: its data and the
    document's files and recipients cost queries and bytes the client already has or asks for."""
    open_rows = session.execute(_OPEN_TASKS_OF_CASE, {"case_id": case.id})
    doc = session.get(Document, case.document_id) if case.document_id is not None else None  # loaded, most often
    brief = None if doc is None else {"id": doc.id, "status": doc.status.value, "number": doc.number,
                                      "number_symbol": doc.number_symbol}
    return {"id": case.id, "status": case.status.value, "open_tasks": _views(session, open_rows), "document": brief}


def _document_view(session: Session, document_id: int | None) -> dict[str, Any] | None:
    if document_id is None:
        return None
    # One this transaction holds with its parts (a case's start made it) needs no query, which would not refresh it
    held = session.identity_map.get(session.identity_key(Document, document_id))
    if isinstance(held, Document) and not {"files", "recipients", "signature_evidence"} & inspect(held).unloaded:
        return documents.view(held, with_links=False)
    doc = session.scalars(_DOCUMENT_WITH_PARTS, {"document_id": document_id}).unique().first()
    return documents.view(doc, with_links=False) if doc is not None else None


def _today(now: datetime) -> Any:
    return now.astimezone(VIETNAM).date()


def _inbox(visible: ColumnElement[bool]) -> tuple[Select[Any], Select[Any]]:
    """A person's open tasks under ``visible``: a page of them (bound ``offset`` and ``limit``) with
    its total and assignees in one statement, and their count alone for a page past the end."""
    # Through the candidates' copy of the open status, which leads their user index: the cost is
    # the user's open tasks, not every task they ever had nor every open task.
    mine = (select(HumanTask.id, HumanTask.created_at).join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
            .join(Case, Case.id == HumanTask.case_id).join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .where(TaskCandidate.task_open, HumanTask.status == TaskStatus.OPEN, visible).distinct().subquery())
    listed = (select(mine.c.id, mine.c.created_at, func.count().over().label("total")).order_by(
        mine.c.created_at.desc(), mine.c.id).offset(bindparam("offset")).limit(bindparam("limit")).subquery())
    page = (_with_assignees().add_columns(listed.c.total).join(listed, listed.c.id == HumanTask.id)
            .order_by(listed.c.created_at.desc(), listed.c.id))
    return page, select(func.count()).select_from(mine)


# Built once (engine/core/db.py says why), for whoever has no delegation limited to some processes
_INBOX = _inbox(TaskCandidate.user_id.in_(bindparam("people", expanding=True)))


def my_tasks(session: Session, user: User, now: datetime, page: int, per_page: int) -> dict[str, Any]:
    grants = permissions.active_grants(session, user.id, _today(now))
    people = permissions.task_people(user, grants)
    listed, counted = _INBOX if people is not None else _inbox(permissions.visibility_of(user, grants))
    # One statement gives the page, its total and its tasks' assignees; a page past the end counts apart.
    given = {"people": people, "offset": (page - 1) * per_page, "limit": per_page}
    rows = session.execute(listed, given).all()
    total = rows[0][-1] if rows else session.scalar(counted, given) or 0
    return {"items": _views(session, rows), "page": page, "per_page": per_page, "total": total}


# A task with its case, in one statement.
_TASK_AND_CASE = select(HumanTask, Case).join(Case, Case.id == HumanTask.case_id).where(
    HumanTask.id == bindparam("task_id"))
_TASK_ASSIGNEES = _with_assignees().add_columns(User.id).where(HumanTask.id == bindparam("task_id"))


def task_detail(session: Session, user: User, task_id: str, now: datetime) -> dict[str, Any]:
    found = session.execute(_TASK_AND_CASE, {"task_id": task_id}).first()
    if found is None:
        raise NotFound("Không tìm thấy công việc.")
    task, case = found
    info = version_info(session, case.process_version_id)
    # The assignees' names for the view are its candidates for the permission: read once.
    rows = session.execute(_TASK_ASSIGNEES, {"task_id": task.id}).all()
    permissions.acting_for(session, user, task, info.process_id, _today(now), {row[-1] for row in rows})
    view = _views(session, rows)[0]
    view["form"] = info.forms.get(task.form) if task.form else None
    view["form_ref"] = task.form
    view["form_ui"] = info.ui.get(task.form) if task.form else None
    # an approval that is signed (ký nháy): the page asks for the signer's credentials as for ``sign``
    view["approval_signature"] = task_property(info, task.spec_name, APPROVAL_PROPERTY)
    view["case"] = {"id": case.id, "title": case.title, "process": info.process_id, "version": info.version,
                    "data": json.loads(case.data_json)}
    return view


def case_detail(session: Session, user: User, case_id: int, now: datetime) -> dict[str, Any]:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("Không tìm thấy hồ sơ công việc.")
    permissions.ensure_can_view(session, user, case, _today(now))
    return case_view(session, case)


def case_history(session: Session, user: User, case_id: int, now: datetime) -> list[dict[str, Any]]:
    case = session.get(Case, case_id)
    if case is None:
        raise NotFound("Không tìm thấy hồ sơ công việc.")
    permissions.ensure_can_view(session, user, case, _today(now))
    entries = audit.case_entries(session, case_id)
    names = _names(session, {i for e in entries for i in (e.actor_id, e.on_behalf_of_id) if i is not None})
    return [
        {
            "seq": e.seq, "chain": e.chain, "at": e.at.isoformat(), "action": e.action, "task_id": e.task_id,
            "actor": names.get(e.actor_id) if e.actor_id else None,
            "on_behalf_of": names.get(e.on_behalf_of_id) if e.on_behalf_of_id else None,
            "payload": json.loads(e.payload), "hash": e.hash,
        }
        for e in entries
    ]


def following(session: Session, user: User, page: int, per_page: int) -> dict[str, Any]:
    """Đang theo dõi: the cases the user follows (đồng gửi)."""
    query = select(Case).join(CaseFollower, CaseFollower.case_id == Case.id).where(CaseFollower.user_id == user.id)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Case.updated_at.desc(), Case.id.desc())
                           .offset((page - 1) * per_page).limit(per_page))
    return {"items": [case_view(session, c) for c in rows], "page": page, "per_page": per_page, "total": total}


def users(session: Session) -> list[dict[str, Any]]:
    rows = session.execute(
        select(User, Unit.code, Unit.name, Agency.code, UserPosition.position)
        .join(UserPosition, UserPosition.user_id == User.id)
        .join(Unit, Unit.id == UserPosition.unit_id)
        .join(Agency, Agency.id == Unit.agency_id)
        .order_by(User.username, UserPosition.id)
    ).all()
    found: dict[str, dict[str, Any]] = {}
    for user, unit_code, unit_name, agency_code, position in rows:
        entry = found.setdefault(user.username, {
            "username": user.username, "full_name": user.full_name, "agency": agency_code, "unit": unit_code,
            "unit_name": unit_name, "positions": [], "active": user.active, "has_certificate": user.has_certificate,
        })
        if position.value not in entry["positions"]:
            entry["positions"].append(position.value)
    return list(found.values())



def processes(session: Session) -> list[dict[str, Any]]:
    return [
        {"id": v.process_id, "name": v.name, "version": v.version, "agency": v.agency_code,
         "deployed_at": v.deployed_at.isoformat(), "content_hash": v.content_hash}
        for v in latest_versions(session)
    ]


# The staff inbox (hộp công việc): its tabs, their filters, order and pages.
INBOX_TABS = ("todo", "following", "done", "overdue")  # cần xử lý, đang theo dõi, đã xử lý, quá hạn
INBOX_SORTS = ("newest", "oldest", "due")


@dataclass(frozen=True)
class InboxFilter:
    """One process, words of the case's title or of its document (number, issuer: folded,
    so "tiem chung" finds "tiêm chủng"), and the order of the list."""

    process: str | None = None
    text: str = ""
    sort: str = "newest"


def text_match(text: str) -> ColumnElement[bool]:
    """Words of the case's title, or of its document (number, issuer: folded, so "tiem chung"
    finds "tiêm chủng"), as a filter on Case outer-joined with Document."""
    words = textfold.words(text)
    in_document = and_(*[Document.search_text.contains(w, autoescape=True) for w in words]) if words else None
    in_title = Case.title.contains(text.strip(), autoescape=True)
    return or_(in_title, in_document) if in_document is not None else in_title


def _narrowed(query: Select[Any], wanted: InboxFilter) -> Select[Any]:
    """``query`` joins Case and ProcessVersion and outer-joins Document."""
    if wanted.process:
        query = query.where(ProcessVersion.process_id == wanted.process)
    if wanted.text.strip():
        query = query.where(text_match(wanted.text))
    return query


def _task_base(*conditions: ColumnElement[bool], candidates: bool = True) -> Select[Any]:
    query = select(HumanTask.id)
    if candidates:  # "done" goes by who completed the task, whoever its candidates were
        query = query.join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
    return (
        query.join(Case, Case.id == HumanTask.case_id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .outerjoin(Document, Document.id == Case.document_id)
        .where(*conditions)
    )


def _tab_queries(session: Session, user: User, now: datetime) -> dict[str, Select[Any]]:
    visible = permissions.task_visibility(session, user, _today(now))
    is_open = HumanTask.status == TaskStatus.OPEN
    return {
        "todo": _task_base(visible, is_open),
        "overdue": _task_base(visible, is_open, HumanTask.due_at.is_not(None), HumanTask.due_at < now),
        # Đã xử lý: what the user completed, in their own name or on someone's behalf. Only a
        # completion sets completed_by (the row's status may read "cancelled" once it left the workflow).
        "done": _task_base(HumanTask.completed_by == user.id, candidates=False),
        "following": (
            select(Case.id).join(CaseFollower, CaseFollower.case_id == Case.id)
            .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
            .outerjoin(Document, Document.id == Case.document_id)
            .where(CaseFollower.user_id == user.id)
        ),
    }


def _count(session: Session, query: Select[Any]) -> int:
    return session.scalar(select(func.count()).select_from(query.distinct().subquery())) or 0


def _order(tab: str, sort: str) -> list[Any]:
    if tab == "following":
        newest: Any = Case.updated_at
        due: list[Any] = [Document.due_date.is_(None), Document.due_date]
        last: Any = Case.id
    else:
        newest = HumanTask.completed_at if tab == "done" else HumanTask.created_at
        due = [HumanTask.due_at.is_(None), HumanTask.due_at]
        last = HumanTask.id
    if sort == "oldest":
        return [newest.asc(), last]
    if sort == "due":
        return [*due, newest.desc(), last]
    return [newest.desc(), last]


def _annotations(session: Session, case_ids: set[int]) -> dict[int, dict[str, Any]]:
    """What an inbox row shows of its case: title, process and the document's urgency."""
    if not case_ids:
        return {}
    rows = session.execute(
        select(Case.id, Case.title, ProcessVersion.name, Document.urgency, Document.number_symbol,
               Document.doc_type, Document.due_date, Document.signature_status)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .outerjoin(Document, Document.id == Case.document_id).where(Case.id.in_(case_ids))
    )
    return {
        i: {"case_title": title, "process_name": name, "urgency": urgency.value if urgency else None,
            "number_symbol": number, "doc_type": doc_type, "document_due": due.isoformat() if due else None,
            "signature_status": signature.value if signature else None}
        for i, title, name, urgency, number, doc_type, due, signature in rows
    }


def tab_counts(session: Session, user: User, now: datetime,
               queries: dict[str, Select[Any]] | None = None) -> dict[str, int]:
    """How many items each tab of the inbox holds (todo, overdue, done, following), in one
    statement; ``queries``: the tabs' queries when the caller has them (they read the delegations)."""
    tabs = queries if queries is not None else _tab_queries(session, user, now)
    counts = [select(func.count()).select_from(q.distinct().subquery()).scalar_subquery() for q in tabs.values()]
    return dict(zip(tabs, session.execute(select(*counts)).one(), strict=True))


def to_sign_count(session: Session, user: User, now: datetime) -> int:
    """My open tasks on an outgoing draft not signed yet: what a leader has to approve and sign."""
    return _count(session, _task_base(
        permissions.task_visibility(session, user, _today(now)), HumanTask.status == TaskStatus.OPEN,
        Document.direction == Direction.OUTGOING, Document.status == DocumentStatus.DRAFT,
        Document.signature_status == SignatureStatus.NONE))


def inbox(
    session: Session, user: User, now: datetime, tab: str, wanted: InboxFilter, page: int, per_page: int
) -> dict[str, Any]:
    """One tab of the inbox, filtered, ordered and paged, with the count of every tab."""
    queries = _tab_queries(session, user, now)
    counts = tab_counts(session, user, now, queries)
    chosen = _narrowed(queries[tab], wanted).distinct()
    total = counts[tab] if wanted == InboxFilter(sort=wanted.sort) else _count(session, chosen)  # unfiltered: counted
    ordered: Select[Any]
    if tab == "following":  # ordered by the document's due date, hence the join
        ordered = select(Case.id).where(Case.id.in_(chosen)).outerjoin(Document, Document.id == Case.document_id)
    else:
        ordered = select(HumanTask.id).where(HumanTask.id.in_(chosen))
    ids: list[Any] = list(session.scalars(ordered.order_by(*_order(tab, wanted.sort)).offset((page - 1) * per_page)
                               .limit(per_page)))
    if tab == "following":
        items = [case_view(session, c) for c in (session.get(Case, i) for i in ids) if c is not None]
        notes = _annotations(session, {c["id"] for c in items})
        for item in items:
            item.update(notes[item["id"]])
    else:
        items = task_views(session, ids)
        notes = _annotations(session, {t["case_id"] for t in items})
        finished = dict(session.execute(
            select(HumanTask.id, HumanTask.completed_at).where(HumanTask.id.in_(ids))).all())
        for item in items:
            item.update(notes[item["case_id"]])
            done_at = finished.get(item["id"])
            item["completed_at"] = done_at.isoformat() if done_at else None
    return {"tab": tab, "counts": counts, "items": items, "page": page, "per_page": per_page, "total": total,
            "processes": [{"id": v.process_id, "name": v.name} for v in latest_versions(session)]}

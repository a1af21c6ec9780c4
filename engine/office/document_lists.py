"""Danh sách văn bản: the document lists of the commercial products' left-hand tree —
Văn bản đến (chờ vào sổ, chờ xử lý, đang xử lý, đã xử lý, để biết), Văn bản đi (dự thảo,
chờ ký, đã phát hành), Văn bản nội bộ, Để biết / Thông báo — each with its count, its
rows (số đến, ngày đến, cơ quan ban hành, số ký hiệu, trích yếu, hạn, người đang xử lý),
unread and overdue marked, filtered and paged.

Who sees which document is engine.org.permissions' rule alone (``document_visibility``, and
``task_visibility`` for "mine to handle"): every list is that rule narrowed by the list's
own condition, so a list never shows what the document page would refuse."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, not_, or_, select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.documents import textfold
from engine.models import (
    Case,
    Direction,
    Document,
    DocumentRead,
    DocumentStatus,
    HumanTask,
    InfoItem,
    InfoKind,
    ProcessVersion,
    Recipient,
    TaskCandidate,
    TaskStatus,
    Urgency,
)
from engine.office.people import people
from engine.org import permissions

ISSUED = (DocumentStatus.ISSUED, DocumentStatus.RECALLED, DocumentStatus.CORRECTED, DocumentStatus.REPLACED)
# The tree: group -> its lists, in the order the page shows them.
GROUPS: dict[str, tuple[str, ...]] = {
    "incoming": ("in_register", "in_waiting", "in_progress", "in_done", "in_info"),
    "outgoing": ("out_draft", "out_signing", "out_issued"),
    "internal": ("internal",),
    "info": ("info", "notice"),
}
LISTS = tuple(name for names in GROUPS.values() for name in names)


@dataclass(frozen=True)
class ListFilter:
    """Words of the number, subject or issuer (folded: "tiem chung" finds "tiêm chủng"), an
    urgency, only the unread ones."""

    text: str = ""
    urgency: str | None = None
    unread: bool = False


class _Scope:
    """The conditions on Document one person's lists are made of, built once per request."""

    def __init__(self, session: Session, user_id: int, visible: ColumnElement[bool],
                 mine: ColumnElement[bool]) -> None:
        self.user_id = user_id
        self.visible = visible
        self.signing = signing_forms(session)
        open_task = and_(Case.document_id == Document.id, HumanTask.case_id == Case.id,
                         HumanTask.status == TaskStatus.OPEN)
        # an open task on the document that is theirs (or their grantor's) to decide
        self.mine_open = exists().where(open_task, TaskCandidate.task_id == HumanTask.id,
                                        ProcessVersion.id == Case.process_version_id, mine)
        self.signing_open = exists().where(open_task, HumanTask.form.in_(self.signing or [""]))
        # read: opened or marked here, or its "để biết" item read in the để biết page
        self.read = or_(exists().where(DocumentRead.user_id == user_id, DocumentRead.document_id == Document.id),
                        exists().where(InfoItem.user_id == user_id, InfoItem.document_id == Document.id,
                                       InfoItem.read_at.is_not(None)))

    def item(self, kind: InfoKind) -> ColumnElement[bool]:
        return exists().where(InfoItem.user_id == self.user_id, InfoItem.document_id == Document.id,
                              InfoItem.kind == kind)


def _conditions() -> dict[str, Callable[[_Scope], ColumnElement[bool]]]:
    incoming, outgoing = Document.direction == Direction.INCOMING, Document.direction == Direction.OUTGOING
    registered = and_(incoming, Document.status == DocumentStatus.REGISTERED)
    issued = and_(outgoing, Document.status.in_(ISSUED))
    draft = and_(outgoing, Document.status == DocumentStatus.DRAFT)
    return {
        "in_register": lambda s: and_(incoming, Document.status == DocumentStatus.DRAFT),
        "in_waiting": lambda s: and_(registered, s.mine_open),
        "in_progress": lambda s: and_(registered, not_(s.mine_open)),
        "in_done": lambda s: and_(incoming, Document.status == DocumentStatus.FINISHED),
        "in_info": lambda s: and_(incoming, s.item(InfoKind.FOR_INFORMATION)),
        "out_draft": lambda s: and_(draft, not_(s.signing_open)),
        "out_signing": lambda s: and_(draft, s.signing_open),
        "out_issued": lambda s: issued,
        "internal": lambda s: and_(issued, exists().where(Recipient.document_id == Document.id,
                                                          Recipient.unit_id.is_not(None))),
        "info": lambda s: s.item(InfoKind.FOR_INFORMATION),
        "notice": lambda s: s.item(InfoKind.NOTICE),
    }


CONDITIONS = _conditions()
_signing_cache: dict[tuple[str, int], frozenset[str]] = {}


def signing_forms(session: Session) -> list[str]:
    """The forms (by name) whose decisions include signing (ký số): an open step with one of
    them puts a draft in "chờ ký". Deployed versions never change, so each is read once."""
    url = str(session.get_bind().engine.url)
    found: set[str] = set()
    for version_id, forms_json in session.execute(select(ProcessVersion.id, ProcessVersion.forms_json)):
        key = (url, version_id)
        if key not in _signing_cache:
            forms = json.loads(forms_json)
            _signing_cache[key] = frozenset(
                ref for ref, schema in forms.items()
                if "sign" in schema.get("properties", {}).get("decision", {}).get("enum", []))
        found |= _signing_cache[key]
    return sorted(found)


def _scope(session: Session, user: Any, now: datetime) -> _Scope:
    today = now.astimezone(VIETNAM).date()
    return _Scope(session, user.id, permissions.document_visibility(session, user, today),
                  permissions.task_visibility(session, user, today))


def _narrowed(scope: _Scope, name: str, wanted: ListFilter) -> Any:
    query = select(Document.id).where(scope.visible, CONDITIONS[name](scope))
    for word in textfold.words(wanted.text):
        query = query.where(Document.search_text.contains(word, autoescape=True))
    if wanted.urgency:
        query = query.where(Document.urgency == Urgency(wanted.urgency))
    if wanted.unread:
        query = query.where(not_(scope.read))
    return query


def counts(session: Session, user: Any, now: datetime) -> dict[str, int]:
    """Every list's count, unfiltered: the numbers of the tree."""
    scope = _scope(session, user, now)
    return {name: session.scalar(select(func.count()).select_from(
        select(Document.id).where(scope.visible, CONDITIONS[name](scope)).subquery())) or 0 for name in LISTS}


def listing(session: Session, user: Any, now: datetime, name: str, wanted: ListFilter, page: int,
            per_page: int) -> dict[str, Any]:
    """One list's page, newest first, with every list's count."""
    scope = _scope(session, user, now)
    chosen = _narrowed(scope, name, wanted)
    total = session.scalar(select(func.count()).select_from(chosen.subquery())) or 0
    ids = list(session.scalars(
        select(Document.id).where(Document.id.in_(chosen))
        .order_by(func.coalesce(Document.arrival_date, Document.issued_at, Document.created_at).desc(),
                  Document.id.desc())
        .offset((page - 1) * per_page).limit(per_page)))
    return {"list": name, "items": _rows(session, user.id, ids, now), "total": total, "page": page,
            "per_page": per_page, "counts": counts(session, user, now)}


def _rows(session: Session, user_id: int, ids: list[int], now: datetime) -> list[dict[str, Any]]:
    if not ids:
        return []
    docs = {d.id: d for d in session.scalars(select(Document).where(Document.id.in_(ids)))}
    read = set(session.scalars(select(DocumentRead.document_id).where(
        DocumentRead.user_id == user_id, DocumentRead.document_id.in_(ids)))) | set(session.scalars(
        select(InfoItem.document_id).where(InfoItem.user_id == user_id, InfoItem.document_id.in_(ids),
                                           InfoItem.read_at.is_not(None))))
    holders = session.execute(
        select(Case.document_id, TaskCandidate.user_id, HumanTask.due_at)
        .join(HumanTask, HumanTask.case_id == Case.id).join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
        .where(Case.document_id.in_(ids), HumanTask.status == TaskStatus.OPEN).order_by(HumanTask.created_at)
    ).all()
    named = people(session, {u for _, u, _ in holders})
    held: dict[int, list[dict[str, Any]]] = {}
    # The Hạn column: the reader's own open step's deadline (each unit of a direction may have its
    # own, engine/workflow/deadlines.py), else the earliest of the document's open steps.
    task_due: dict[int, datetime] = {}
    own_due: dict[int, datetime] = {}
    for found_id, holder, due in holders:
        if found_id is None:  # never: the query asked for these documents
            continue
        document_id = found_id
        if all(p["id"] != holder for p in held.get(document_id, [])):
            held.setdefault(document_id, []).append(named[holder].as_dict())
        for kept in (task_due, own_due) if holder == user_id else (task_due,):
            if due is not None and (document_id not in kept or due < kept[document_id]):
                kept[document_id] = due
    today = now.astimezone(VIETNAM).date()
    return [_row(docs[i], i in read, held.get(i, []), own_due.get(i) or task_due.get(i), today) for i in ids]


def _row(doc: Document, read: bool, holders: list[dict[str, Any]], task_due: datetime | None,
         today: date) -> dict[str, Any]:
    # a deadline runs to the end of its day (engine/workflow/deadlines.py): the day is the one before that instant
    due = (task_due.astimezone(VIETNAM) - timedelta(microseconds=1)).date() if task_due else doc.due_date
    finished = doc.status not in (DocumentStatus.DRAFT, DocumentStatus.REGISTERED)
    return {
        "id": doc.id, "direction": doc.direction.value, "status": doc.status.value,
        "number": doc.number if doc.direction == Direction.INCOMING else None,
        "arrival_date": doc.arrival_date.isoformat() if doc.arrival_date else None,
        "issuer_name": doc.issuer_name, "number_symbol": doc.number_symbol, "subject": doc.subject,
        "doc_type": doc.doc_type, "urgency": doc.urgency.value, "due": due.isoformat() if due else None,
        "overdue": bool(due and due < today and not finished), "holders": holders, "unread": not read,
        "issued_at": doc.issued_at.isoformat() if doc.issued_at else None,
    }


def my_signing_tasks(session: Session, user: Any, now: datetime, document_ids: list[int]) -> dict[int, str]:
    """Ký số hàng loạt: for each of the documents, the open step of the person (or their grantor)
    that signs it, if any; who may complete it is checked again when it is completed."""
    scope = _scope(session, user, now)
    rows = session.execute(
        select(Case.document_id, HumanTask.id)
        .join(HumanTask, HumanTask.case_id == Case.id).join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
        .join(ProcessVersion, ProcessVersion.id == Case.process_version_id)
        .where(Case.document_id.in_(document_ids), HumanTask.status == TaskStatus.OPEN,
               HumanTask.form.in_(scope.signing or [""]),
               permissions.task_visibility(session, user, now.astimezone(VIETNAM).date()))
        .order_by(HumanTask.created_at)
    ).all()
    found: dict[int, str] = {}
    for document_id, task_id in rows:
        if document_id is not None:
            found.setdefault(document_id, task_id)
    return found

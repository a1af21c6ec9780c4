"""Notifications: what each person should know of (a new task, a return with its note, a
deadline coming or passed, a message, a document issued to their unit), in the app and,
for those who turn it on, by e-mail. E-mail leaves through the worker, after the
transaction that made the notification has committed."""

from __future__ import annotations

import json
import smtplib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any, Protocol

from sqlalchemy import Insert, and_, bindparam, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core import jobs
from engine.core.errors import InvalidData, Text, dumped, loaded
from engine.models import (
    Case,
    Document,
    HumanTask,
    Notification,
    NotificationKind,
    TaskCandidate,
    TaskStatus,
    User,
    UserPosition,
)

SOON = timedelta(hours=24)  # "approaching" deadline

TITLES = {
    NotificationKind.TASK: "Công việc mới: {}",
    NotificationKind.COMMENT_REQUEST: "Đề nghị góp ý: {}",
    NotificationKind.RETURNED: "Văn bản bị trả lại: {}",
    NotificationKind.DEADLINE_SOON: "Sắp đến hạn: {}",
    NotificationKind.OVERDUE: "Quá hạn: {}",
    NotificationKind.MESSAGE: "Tin nhắn mới từ {}",
    NotificationKind.ISSUED_TO_UNIT: "Văn bản mới gửi đơn vị: {}",
    NotificationKind.RECALLED: "Văn bản bị thu hồi: {}",
    NotificationKind.CORRECTED: "Văn bản được đính chính: {}",
    NotificationKind.REPLACED: "Văn bản bị thay thế: {}",
    NotificationKind.ACCOUNT: "Tài khoản: {}",
    NotificationKind.ISSUED: "Văn bản bạn soạn đã phát hành: {}",
}


_INSERT = insert(Notification.metadata.tables[Notification.__tablename__])


def _add(session: Session, user_ids: Iterable[int], kind: NotificationKind, subject: str, now: datetime,
         body: str | None = None, **refs: Any) -> None:
    # Written at once, not kept for the session's flush: nothing reads them back in the
    # transaction that makes them, and the unit of work cost a task completion more than the
    # insert. What they refer to (a case, a document) has an id, so it is already written.
    title = TITLES[kind].format(subject)[:300]
    said = json.dumps({"title": dumped(subject), "body": dumped(body)}, ensure_ascii=False) \
        if isinstance(subject, Text) or isinstance(body, Text) else None
    rows = [{"user_id": uid, "kind": kind, "title": title, "body": body, "said_json": said, "created_at": now, **refs}
            for uid in dict.fromkeys(user_ids)]
    if rows:
        session.execute(_INSERT, rows)


def tasks_opened(session: Session, case: Case, opened: list[dict[str, Any]], now: datetime,
                 returned_note: str | None = None) -> None:
    """The people of each newly opened task; a task opened by a return carries its note."""
    for item in opened:
        if returned_note is not None:
            kind = NotificationKind.RETURNED
        elif item.get("kind") == "comment":
            kind = NotificationKind.COMMENT_REQUEST
        else:
            kind = NotificationKind.TASK
        _add(session, item["candidates"], kind, item.get("title") or case.title, now,
             body=returned_note if returned_note is not None else case.title, case_id=case.id, task_id=item["id"])


def document_issued(session: Session, doc: Document, now: datetime) -> None:
    """Everyone of each internal unit among the recipients, and the drafter, who learns the
    number their document went out with."""
    subject = f"{doc.number_symbol} {doc.subject}"
    units = [r.unit_id for r in doc.recipients if r.unit_id is not None]
    if units:
        people = session.scalars(select(UserPosition.user_id).where(UserPosition.unit_id.in_(units)))
        _add(session, people, NotificationKind.ISSUED_TO_UNIT, subject, now, document_id=doc.id)
    _add(session, [doc.created_by], NotificationKind.ISSUED, subject, now, document_id=doc.id)


def notify(session: Session, user_ids: Iterable[int], kind: NotificationKind, subject: str, now: datetime,
           body: str | None = None, document_id: int | None = None) -> None:
    """A notice about a document to the given people (engine.registry.lifecycle: recall, correction,
    replacement)."""
    _add(session, user_ids, kind, subject, now, body=body, document_id=document_id)


def message_posted(session: Session, recipients: Iterable[int], sender: User, text: str, now: datetime) -> None:
    _add(session, recipients, NotificationKind.MESSAGE, sender.full_name, now, body=text[:500])


def _insert_once(session: Session) -> Insert:
    """An insert that skips a row another worker wrote first (the unique person, kind and task)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    table = Notification.metadata.tables[Notification.__tablename__]
    return (dialect.insert(table).on_conflict_do_nothing(index_elements=["user_id", "kind", "task_id"])
            .returning(table.c.id))


def sweep_deadlines(session: Session, now: datetime) -> int:
    """Announce, once each, tasks whose deadline is within a day, and those past it. One worker
    sweeps at a time; should a row be written by someone else all the same, it is skipped."""
    if not jobs.claim(session, "deadline-sweep"):
        return 0
    made = 0
    statement = _insert_once(session)
    soon = and_(HumanTask.due_at > now, HumanTask.due_at <= now + SOON)
    for kind, window in ((NotificationKind.OVERDUE, HumanTask.due_at <= now), (NotificationKind.DEADLINE_SOON, soon)):
        already = exists().where(Notification.user_id == TaskCandidate.user_id, Notification.kind == kind,
                                 Notification.task_id == HumanTask.id)
        rows = session.execute(
            select(HumanTask.id, HumanTask.title, HumanTask.case_id, TaskCandidate.user_id)
            .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id)
            .where(HumanTask.status == TaskStatus.OPEN, HumanTask.due_at.is_not(None), window, ~already)
        ).all()
        title_of = TITLES[kind].format
        if rows:
            result = session.execute(statement, [
                {"user_id": uid, "kind": kind, "title": title_of(title)[:300], "body": None, "created_at": now,
                 "case_id": case_id, "task_id": task_id} for task_id, title, case_id, uid in rows])
            made += len(result.all())
    return made


def _about(n: Notification) -> str:
    """What the notification is about (a task's name, a document's subject, a person's name): its
    title without the words of its kind, which the pages say in the reader's language."""
    prefix, _, suffix = TITLES[n.kind].partition("{}")
    if n.title.startswith(prefix) and n.title.endswith(suffix):
        return n.title[len(prefix):len(n.title) - len(suffix)]
    return n.title


def view(n: Notification) -> dict[str, Any]:
    """``about`` and ``body`` are messages (engine.core.errors.Text) when the notice is in the
    platform's own words, data otherwise."""
    said = json.loads(n.said_json) if n.said_json else {}
    return {"id": n.id, "kind": n.kind.value, "title": n.title, "about": loaded(said.get("title", _about(n))),
            "body": loaded(said.get("body", n.body)),
            "case_id": n.case_id,
            "task_id": n.task_id, "document_id": n.document_id, "created_at": n.created_at.isoformat(),
            "read": n.read_at is not None}


def listing(session: Session, user: User, unread_only: bool, page: int, per_page: int) -> dict[str, Any]:
    query = select(Notification).where(Notification.user_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(query.order_by(Notification.id.desc()).offset((page - 1) * per_page).limit(per_page))
    return {"items": [view(n) for n in rows], "page": page, "per_page": per_page, "total": total,
            "unread": unread_count(session, user)}


# Built once: the header asks at every page and every few API steps (engine/core/db.py says why).
_UNREAD = select(func.count()).select_from(Notification).where(
    Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None))


def unread_count(session: Session, user: User) -> int:
    return session.scalar(_UNREAD, {"user_id": user.id}) or 0


def mark_read(session: Session, user: User, ids: Any, now: datetime) -> int:
    """Mark the given notifications of ``user`` read (all of them when ``ids`` is "all")."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if ids != "all":
        if not isinstance(ids, list) or not all(isinstance(i, int) for i in ids):
            raise InvalidData("Danh sách thông báo không hợp lệ.", {"ids": "Cần danh sách mã số, hoặc 'all'."})
        query = query.where(Notification.id.in_(ids))
    result = session.execute(query.values(read_at=now))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def set_email(session: Session, user: User, wanted: Any, now: datetime) -> None:
    """Turn the e-mail copy of my notifications on or off."""
    if not isinstance(wanted, bool):
        raise InvalidData("Giá trị không hợp lệ.", {"email_notifications": "Cần true hoặc false."})
    if wanted and not user.email:
        raise InvalidData("Tài khoản chưa có địa chỉ thư điện tử.",
                          {"email_notifications": "Chưa có địa chỉ thư điện tử để gửi thông báo."})
    user.email_notifications = wanted
    audit.append(session, at=now, action="settings_changed", actor_id=user.id, payload={"email_notifications": wanted})


class Mailer(Protocol):
    def send(self, message: EmailMessage) -> None: ...


@dataclass(frozen=True)
class SmtpMailer:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = False

    def send(self, message: EmailMessage) -> None:
        message["From"] = self.sender
        with smtplib.SMTP(self.host, self.port, timeout=30) as smtp:
            if self.starttls:
                smtp.starttls()
            if self.username:
                smtp.login(self.username, self.password or "")
            smtp.send_message(message)


def send_emails(session: Session, mailer: Mailer, now: datetime, limit: int = 200) -> int:
    """E-mail the unsent notifications of people who turned e-mail on; returns how many."""
    rows = session.execute(
        select(Notification, User.email).join(User, User.id == Notification.user_id)
        .where(Notification.emailed_at.is_(None), User.email_notifications.is_(True), User.email.is_not(None),
               User.active.is_(True))
        .order_by(Notification.id).limit(limit)
        # Another worker sending at the same time takes other notifications, never the same ones.
        .with_for_update(skip_locked=True, of=Notification)
    ).all()
    for note, address in rows:
        message = EmailMessage()
        message["To"] = address
        message["Subject"] = f"[QLVB] {note.title}"
        message.set_content(f"{note.title}\n\n{note.body or ''}\n\n— Hệ thống quản lý văn bản và điều hành")
        mailer.send(message)
        note.emailed_at = now
    return len(rows)

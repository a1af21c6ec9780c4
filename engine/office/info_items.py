"""Văn bản để biết and văn bản thông báo: documents people only need to read.

A direction sends a document "for information" (để biết) to units and people: each of
their people gets an item to read, with no task, and follows the case so that the
document opens for them. A document a handler finishes "for information" is filed as a
văn bản thông báo (seed 002, Art. 8) for the handler and their unit's people. Each item is
read or not; marking the items of a unit read closes that unit's "để biết" hand-over in
the work tree."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData
from engine.models import (
    Assignment,
    AssignmentRole,
    AssignmentStatus,
    CaseFollower,
    Document,
    InfoItem,
    InfoKind,
    Unit,
    User,
    UserPosition,
)

KIND_TITLES = {InfoKind.FOR_INFORMATION: "Văn bản để biết", InfoKind.NOTICE: "Văn bản thông báo"}


def _unit_people(session: Session, unit_ids: list[int]) -> list[tuple[int, int]]:
    if not unit_ids:
        return []
    return list(session.execute(
        select(UserPosition.user_id, UserPosition.unit_id).join(User, User.id == UserPosition.user_id)
        .where(UserPosition.unit_id.in_(unit_ids), User.active.is_(True)).order_by(UserPosition.id)
    ).all())


def _add(session: Session, kind: InfoKind, doc: Document, case_id: int | None, sender: User | None,
         people: list[tuple[int, int | None]], note: str | None, now: datetime) -> list[int]:
    """One item per person (the first unit they came through), none twice; they follow the case."""
    if not people:
        return []  # a direction with no one to inform (most): nothing to look up nor write
    existing = set(session.scalars(select(InfoItem.user_id).where(InfoItem.document_id == doc.id,
                                                                  InfoItem.kind == kind)))
    added: list[int] = []
    for user_id, unit_id in people:
        if user_id in existing:
            continue
        existing.add(user_id)
        session.add(InfoItem(user_id=user_id, kind=kind, document_id=doc.id, case_id=case_id, unit_id=unit_id,
                             from_user_id=sender.id if sender else None, note=note, created_at=now))
        if case_id is not None and session.get(CaseFollower, (case_id, user_id)) is None:
            session.add(CaseFollower(case_id=case_id, user_id=user_id, since=now))
        added.append(user_id)
    session.flush()
    return added


def send_for_information(session: Session, doc: Document, case_id: int, sender: User, unit_ids: list[int],
                         user_ids: list[int], note: str | None, now: datetime) -> list[int]:
    """Để biết: the people of ``unit_ids`` and the people ``user_ids`` get the document to read."""
    people: list[tuple[int, int | None]] = [*_unit_people(session, unit_ids), *[(u, None) for u in user_ids]]
    return _add(session, InfoKind.FOR_INFORMATION, doc, case_id, sender, people, note, now)


def file_notice(session: Session, doc: Document, case_id: int, handler: User, unit_id: int | None,
                note: str | None, now: datetime) -> list[int]:
    """Văn bản thông báo: filed for the handler who finished it, and for their unit's people."""
    people: list[tuple[int, int | None]] = [(handler.id, unit_id)]
    if unit_id is not None:
        people += _unit_people(session, [unit_id])
    return _add(session, InfoKind.NOTICE, doc, case_id, handler, people, note, now)


def _kind(value: Any) -> InfoKind | None:
    if value in (None, ""):
        return None
    try:
        return InfoKind(value)
    except ValueError:
        raise InvalidData("Loại văn bản không hợp lệ.", {"kind": "Chọn 'info' (để biết) hoặc 'notice' (thông báo)."}) \
            from None


def listing(session: Session, user: User, kind: Any, unread_only: bool, text: str | None, unit: str | None,
            page: int, per_page: int) -> dict[str, Any]:
    """My items of ``kind`` (both when None), newest first; ``text`` searches the number,
    the subject and the issuer; ``unit`` keeps those that came through that unit."""
    wanted = _kind(kind)
    query = (select(InfoItem, Document, Unit.code).join(Document, Document.id == InfoItem.document_id)
             .outerjoin(Unit, Unit.id == InfoItem.unit_id).where(InfoItem.user_id == user.id))
    if wanted is not None:
        query = query.where(InfoItem.kind == wanted)
    if unread_only:
        query = query.where(InfoItem.read_at.is_(None))
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Document.subject).like(pattern),
                                func.lower(func.coalesce(Document.number_symbol, "")).like(pattern),
                                func.lower(func.coalesce(Document.issuer_name, "")).like(pattern)))
    if unit:
        query = query.where(Unit.code == unit)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.execute(query.order_by(InfoItem.id.desc()).offset((page - 1) * per_page).limit(per_page)).all()
    senders = {uid: name for uid, name in session.execute(select(User.id, User.full_name).where(
        User.id.in_({item.from_user_id for item, _, _ in rows if item.from_user_id})))}
    items = [{
        "id": item.id, "kind": item.kind.value, "kind_title": KIND_TITLES[item.kind], "document_id": doc.id,
        "case_id": item.case_id, "number_symbol": doc.number_symbol, "subject": doc.subject,
        "issuer_name": doc.issuer_name, "unit": code, "from": senders.get(item.from_user_id or 0),
        "note": item.note, "created_at": item.created_at.isoformat(), "read": item.read_at is not None,
    } for item, doc, code in rows]
    return {"items": items, "page": page, "per_page": per_page, "total": total, "unread": unread_counts(session, user)}


def unread_counts(session: Session, user: User) -> dict[str, int]:
    found = {kind: count for kind, count in session.execute(select(InfoItem.kind, func.count()).where(
        InfoItem.user_id == user.id, InfoItem.read_at.is_(None)).group_by(InfoItem.kind))}
    return {k.value: int(found.get(k, 0)) for k in InfoKind}


def mark_read(session: Session, user: User, ids: Any, now: datetime) -> int:
    """Đã đọc: the given items of ``user`` (all when ``ids`` is "all"); the "để biết"
    hand-overs of the documents to the reader or to their unit end as read."""
    if ids != "all" and (not isinstance(ids, list) or not all(isinstance(i, int) for i in ids)):
        raise InvalidData("Danh sách văn bản không hợp lệ.", {"ids": "Cần danh sách mã số, hoặc 'all'."})
    mine = select(InfoItem).where(InfoItem.user_id == user.id, InfoItem.read_at.is_(None))
    if ids != "all":
        mine = mine.where(InfoItem.id.in_(ids))
    items = list(session.scalars(mine))
    for item in items:
        item.read_at = now
        if item.kind == InfoKind.FOR_INFORMATION:
            session.execute(update(Assignment).where(
                Assignment.document_id == item.document_id, Assignment.role == AssignmentRole.INFO,
                Assignment.status == AssignmentStatus.OPEN,
                or_(Assignment.to_user_id == user.id,
                    (Assignment.to_unit_id == item.unit_id) & Assignment.to_user_id.is_(None)),
            ).values(status=AssignmentStatus.DONE, outcome="read", finished_at=now))
    session.flush()
    if items:
        audit.append(session, at=now, action="info_read", actor_id=user.id,
                     payload={"items": [i.id for i in items], "documents": sorted({i.document_id for i in items})})
    return len(items)

"""Đã đọc / chưa đọc: which documents a person has read. Opening a document (its page, or a
task on it) reads it, as opening a letter does: not a change to the document, so not audited.
Marking documents read from a list is the person's act on several at once: checked against
engine.org.permissions one by one, audited once, and their "để biết" items read with them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, Text
from engine.models import Document, DocumentRead, InfoItem, User
from engine.office import info_items
from engine.org import permissions

MAX_BATCH = 200


def opened(session: Session, user: User, document_id: int, now: datetime) -> None:
    """The person has the document before their eyes (the caller checked they may)."""
    if session.get(DocumentRead, (user.id, document_id)) is None:
        session.add(DocumentRead(user_id=user.id, document_id=document_id, read_at=now))
        session.flush()


def mark_read(session: Session, user: User, ids: Any, now: datetime) -> int:
    """Đánh dấu đã đọc: the documents ``ids`` (each one the person may see); how many were unread."""
    if not isinstance(ids, list) or not ids or len(ids) > MAX_BATCH or not all(isinstance(i, int) for i in ids):
        raise InvalidData("Chưa chọn văn bản nào.",
                          {"ids": Text("Chọn từ 1 đến %(n)s văn bản trong danh sách.", n=MAX_BATCH)})
    today = now.astimezone(VIETNAM).date()
    found = list(session.scalars(select(Document).where(Document.id.in_(ids))))
    if len(found) != len(set(ids)):
        raise InvalidData("Có văn bản không tồn tại.", {"ids": "Chọn lại văn bản trong danh sách."})
    for doc in found:
        permissions.ensure_can_view_document(session, user, doc, today)
    already = set(session.scalars(select(DocumentRead.document_id).where(
        DocumentRead.user_id == user.id, DocumentRead.document_id.in_(ids))))
    fresh = sorted(set(ids) - already)
    for document_id in fresh:
        session.add(DocumentRead(user_id=user.id, document_id=document_id, read_at=now))
    items = list(session.scalars(select(InfoItem.id).where(
        InfoItem.user_id == user.id, InfoItem.document_id.in_(ids), InfoItem.read_at.is_(None))))
    if items:
        info_items.mark_read(session, user, items, now)
    session.flush()
    if fresh:
        audit.append(session, at=now, action="documents_read", actor_id=user.id, payload={"documents": fresh})
    return len(fresh)

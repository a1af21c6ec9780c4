"""Notifications and my account settings in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.models import User
from engine.office import notifications
from webui.api.util import authed
from webui.contract.route import api_route
from webui.contract.shapes import Body, Count, Id, Page, Paged

bp = Blueprint("notifications", __name__, url_prefix="/api/v1")

Ids = Annotated[list[Id], Field(max_length=10_000)] | Literal["all"]


class MarkRead(Body):
    messages: ClassVar[dict[str, Any]] = {"ids": _l("Cần danh sách mã số, hoặc 'all'.")}
    ids: Ids


class NotificationsQuery(Paged):
    unread: Literal["1", "true"] | None = None


class EmailSetting(Body):
    email_notifications: bool


class Me(BaseModel):
    username: str
    full_name: str
    email: str | None
    email_notifications: bool
    has_certificate: bool


class Unread(BaseModel):
    unread: Count


class Marked(Unread):
    marked: Count


@api_route(bp, "/notifications", "GET", "Thông báo của tôi", query=NotificationsQuery, response=Page)
def listing(query: NotificationsQuery) -> Any:
    """My notifications, newest first (``?unread=1`` for unread only), with the unread count."""
    unread = query.unread is not None
    return authed(False, lambda s, u, now: notifications.listing(s, u, unread, query.page, query.per_page))


@api_route(bp, "/notifications/count", "GET", "Số thông báo chưa đọc", response=Unread)
def count() -> Any:
    """The unread count shown in the header."""
    return authed(False, lambda s, u, now: {"unread": notifications.unread_count(s, u)})


@api_route(bp, "/notifications/read", "POST", "Đánh dấu đã đọc", body=MarkRead, response=Marked)
def mark_read(body: MarkRead) -> Any:
    """Mark notifications read: ``{"ids": [...]}`` or ``{"ids": "all"}``."""
    ids = body.ids

    def action(session: Session, user: User, now: datetime) -> Any:
        marked = notifications.mark_read(session, user, ids, now)
        audit.append(session, at=now, action="notifications_read", actor_id=user.id, payload={"ids": ids})
        return {"marked": marked, "unread": notifications.unread_count(session, user)}

    return authed(True, action)


@api_route(bp, "/me", "GET", "Tài khoản của tôi", response=Me)
def me() -> Any:
    """My account: name and notification settings."""
    return authed(False, lambda s, u, now: _me(u))


@api_route(bp, "/me", "PATCH", "Bật/tắt thông báo qua thư điện tử", body=EmailSetting, response=Me)
def update_me(body: EmailSetting) -> Any:
    """Turn e-mail notifications on or off: ``{"email_notifications": true}``."""
    wanted = body.email_notifications

    def action(session: Session, user: User, now: datetime) -> Any:
        notifications.set_email(session, user, wanted, now)
        return _me(user)

    return authed(True, action)


def _me(user: User) -> dict[str, Any]:
    return {"username": user.username, "full_name": user.full_name, "email": user.email,
            "email_notifications": user.email_notifications, "has_certificate": user.has_certificate}

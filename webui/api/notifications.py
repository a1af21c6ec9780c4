"""Notifications and my account settings in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, request
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.models import User
from engine.office import notifications

from .util import authed, body, page_args

bp = Blueprint("notifications", __name__, url_prefix="/api/v1")


@bp.get("/notifications")
def listing() -> Any:
    """My notifications, newest first (``?unread=1`` for unread only), with the unread count."""
    page, per_page = page_args()
    unread = request.args.get("unread") in ("1", "true")
    return authed(False, lambda s, u, now: notifications.listing(s, u, unread, page, per_page))


@bp.get("/notifications/count")
def count() -> Any:
    """The unread count shown in the header."""
    return authed(False, lambda s, u, now: {"unread": notifications.unread_count(s, u)})


@bp.post("/notifications/read")
def mark_read() -> Any:
    """Mark notifications read: ``{"ids": [...]}`` or ``{"ids": "all"}``."""
    ids = body().get("ids")

    def action(session: Session, user: User, now: datetime) -> Any:
        marked = notifications.mark_read(session, user, ids, now)
        audit.append(session, at=now, action="notifications_read", actor_id=user.id, payload={"ids": ids})
        return {"marked": marked, "unread": notifications.unread_count(session, user)}

    return authed(True, action)


@bp.get("/me")
def me() -> Any:
    """My account: name and notification settings."""
    return authed(False, lambda s, u, now: _me(u))


@bp.patch("/me")
def update_me() -> Any:
    """Turn e-mail notifications on or off: ``{"email_notifications": true}``."""
    wanted = body().get("email_notifications")

    def action(session: Session, user: User, now: datetime) -> Any:
        notifications.set_email(session, user, wanted, now)
        return _me(user)

    return authed(True, action)


def _me(user: User) -> dict[str, Any]:
    return {"username": user.username, "full_name": user.full_name, "email": user.email,
            "email_notifications": user.email_notifications, "has_certificate": user.has_certificate}

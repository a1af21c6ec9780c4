"""Văn bản để biết and văn bản thông báo in the JSON API: my list, and marking items read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, request
from sqlalchemy.orm import Session

from engine.models import User
from engine.office import info_items

from .util import authed, body, page_args

bp = Blueprint("api_info", __name__, url_prefix="/api/v1")


@bp.get("/info-items")
def listing() -> Any:
    """My documents to read: ``?kind=info`` (để biết) or ``notice`` (văn bản thông báo),
    ``unread=1``, ``q`` (number, subject, issuer), ``unit`` (the unit they came through)."""
    page, per_page = page_args()
    args = request.args
    unread = args.get("unread") in ("1", "true")
    text, unit = (args.get("q") or "").strip()[:200] or None, args.get("unit") or None
    return authed(False, lambda s, u, now: info_items.listing(s, u, args.get("kind"), unread, text, unit, page,
                                                              per_page))


@bp.post("/info-items/read")
def mark_read() -> Any:
    """Đã đọc: ``{"ids": [...]}`` or ``{"ids": "all"}``."""
    ids = body().get("ids")

    def action(session: Session, user: User, now: datetime) -> Any:
        marked = info_items.mark_read(session, user, ids, now)
        return {"marked": marked, "unread": info_items.unread_counts(session, user)}

    return authed(True, action)

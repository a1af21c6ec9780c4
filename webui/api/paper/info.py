"""Văn bản để biết and văn bản thông báo in the JSON API: my list, and marking items read."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.models import User
from engine.office import info_items
from webui.api.util import authed
from webui.api.work.notifications import MarkRead
from webui.contract.route import api_route
from webui.contract.shapes import Code, Count, Page, Paged, Text

bp = Blueprint("api_info", __name__, url_prefix="/api/v1")


class InfoQuery(Paged):
    messages: ClassVar[dict[str, Any]] = {"kind": _l("Chọn 'info' (để biết) hoặc 'notice' (thông báo).")}
    kind: Literal["info", "notice"] | None = None
    unread: Literal["1", "true"] | None = None
    q: Text | None = Field(None, description="số, trích yếu, cơ quan ban hành (200 ký tự đầu)")
    unit: Code | None = None


class InfoMarked(BaseModel):
    marked: Count
    unread: dict[str, Count]


@api_route(bp, "/info-items", "GET", "Văn bản để biết và văn bản thông báo của tôi", query=InfoQuery,
           response=Page)
def listing(query: InfoQuery) -> Any:
    """My documents to read: ``?kind=info`` (để biết) or ``notice`` (văn bản thông báo),
    ``unread=1``, ``q`` (number, subject, issuer), ``unit`` (the unit they came through)."""
    unread = query.unread is not None
    text, unit = (query.q or "").strip()[:200] or None, query.unit or None
    return authed(False, lambda s, u, now: info_items.listing(s, u, query.kind, unread, text, unit, query.page,
                                                              query.per_page))


@api_route(bp, "/info-items/read", "POST", "Đánh dấu văn bản để biết / thông báo đã đọc", body=MarkRead,
           response=InfoMarked)
def mark_read(body: MarkRead) -> Any:
    """Đã đọc: ``{"ids": [...]}`` or ``{"ids": "all"}``."""
    ids = body.ids

    def action(session: Session, user: User, now: datetime) -> Any:
        marked = info_items.mark_read(session, user, ids, now)
        return {"marked": marked, "unread": info_items.unread_counts(session, user)}

    return authed(True, action)

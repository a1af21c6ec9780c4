"""In-app notifications (thông báo): the list, and marking them read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request

from engine.audit import chain as audit
from engine.core.errors import InvalidData
from engine.office import notifications
from webui.common.pageutil import PER_PAGE, page_number, render, safe_next, staff

bp = Blueprint("notices", __name__)


@bp.get("/notifications")
def index() -> Any:
    """My notifications, newest first; ``?unread=1`` for the unread ones only."""
    page = page_number(request.args)
    unread = request.args.get("unread") == "1"
    with staff(write=False) as (db, user, _now):
        found = notifications.listing(db, user, unread, page, PER_PAGE)
        return render("notices/index.html", db, user, found=found, unread_only=unread)


@bp.post("/notifications/read")
def mark_read() -> Any:
    """Mark one notification read (``id``) or all of them (``all``), then go on to ``next``:
    the task, case or document it is about, or back to the list."""
    raw = request.form.get("id", "")
    if raw != "all" and not raw.isdigit():
        raise InvalidData("Thông báo không hợp lệ.", {"id": "Cần mã số thông báo hoặc 'all'."})
    ids: Any = "all" if raw == "all" else [int(raw)]
    with staff(write=True) as (db, user, now):
        notifications.mark_read(db, user, ids, now)
        audit.append(db, at=now, action="notifications_read", actor_id=user.id, payload={"ids": ids})
    return redirect(safe_next(request.form.get("next"), "/notifications"))

"""Văn bản để biết and văn bản thông báo: the page of my documents to read, searchable,
read or not, and marking them read."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request

from engine.core.errors import InvalidData
from engine.office import info_items
from webui.common.pageutil import PER_PAGE, page_number, render, safe_next, staff

bp = Blueprint("info", __name__)


@bp.get("/info")
def index() -> Any:
    """``?kind=info`` (để biết) or ``notice`` (văn bản thông báo), ``unread=1``, ``q``."""
    page = page_number(request.args)
    kind = request.args.get("kind") or "info"
    unread = request.args.get("unread") == "1"
    text = (request.args.get("q") or "").strip()[:200] or None
    with staff(write=False) as (db, user, _now):
        found = info_items.listing(db, user, kind, unread, text, None, page, PER_PAGE)
        return render("info/index.html", db, user, found=found, kind=kind, unread_only=unread, text=text or "")


@bp.post("/info/read")
def mark_read() -> Any:
    """Mark one item read (``id``), then go on to ``next`` (the document) or back to the list."""
    raw = request.form.get("id", "")
    if not raw.isdigit():
        raise InvalidData("Văn bản không hợp lệ.", {"id": "Cần mã số."})
    with staff(write=True) as (db, user, now):
        info_items.mark_read(db, user, [int(raw)], now)
    return redirect(safe_next(request.form.get("next"), "/info"))

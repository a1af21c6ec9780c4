"""Danh sách văn bản: the left-hand tree of document lists and one list's page, with its
filters (remembered for the session, per list), pages, and the batch action "mark read".
Thin: the lists and who sees what are engine.office.document_lists' and engine.permissions'."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import ngettext

from engine import queries
from engine.errors import InvalidData
from engine.models import Urgency
from engine.office import document_lists, reading
from engine.office.document_lists import ListFilter

from .pageutil import PER_PAGE, page_number, render, staff

bp = Blueprint("lists", __name__)
FILTERS = ("q", "urgency", "unread")


def _wanted(name: str) -> tuple[ListFilter, dict[str, str]]:
    """The filters asked for, else those this list had last in the session; "reset" clears them."""
    key = f"doclist:{name}"
    if request.args.get("reset"):
        session.pop(key, None)
    asked = {k: request.args[k].strip() for k in FILTERS if k in request.args}
    if asked or "filter" in request.args:
        session[key] = {k: v for k, v in asked.items() if v}
    given = dict(session.get(key, {}))
    text = given.get("q", "")
    if len(text) > 200:
        raise InvalidData("Từ khóa quá dài.", {"q": "Tối đa 200 ký tự."})
    urgency = given.get("urgency") or None
    if urgency is not None and urgency not in {u.value for u in Urgency}:
        raise InvalidData("Độ khẩn không hợp lệ.", {"urgency": "Chọn một độ khẩn trong danh sách."})
    return ListFilter(text=text, urgency=urgency, unread=given.get("unread") == "1"), given


@bp.get("/documents")
def index() -> Any:
    """One list of the tree (chờ xử lý first), with every list's count."""
    name = request.args.get("list", "in_waiting")
    if name not in document_lists.LISTS:
        raise InvalidData("Danh sách không hợp lệ.", {"list": "Chọn một danh sách trong cây văn bản."})
    wanted, given = _wanted(name)
    page = page_number(request.args)
    with staff(write=False) as (db, user, now):
        found = document_lists.listing(db, user, now, name, wanted, page, PER_PAGE)
        work = queries.inbox(db, user, now, "todo", queries.InboxFilter(), 1, 1)["counts"]
        return render("lists/index.html", db, user, found=found, given=given, groups=document_lists.GROUPS,
                      work=work, today=now.date().isoformat())


@bp.post("/documents/read")
def mark_read() -> Any:
    """Đánh dấu đã đọc: the documents ticked in a list."""
    raw = request.form.getlist("ids")
    back = request.form.get("list", "in_waiting")
    back = back if back in document_lists.LISTS else "in_waiting"
    if not all(v.isdigit() and len(v) < 10 for v in raw):
        raise InvalidData("Danh sách văn bản không hợp lệ.", {"ids": "Chọn lại văn bản trong danh sách."})
    with staff(write=True) as (db, user, now):
        count = reading.mark_read(db, user, [int(v) for v in raw], now)
    flash(ngettext("Đã đánh dấu đã đọc %(num)s văn bản.", "Đã đánh dấu đã đọc %(num)s văn bản.", count), "success")
    return redirect(url_for("lists.index", list=back))

"""The inbox (hộp công việc): my open tasks, the cases I follow, what I have done and what
is overdue, each tab with its count, filters, order and pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, redirect, request

from engine.core.errors import InvalidData
from engine.office import info_items, queries
from webui.common.pageutil import PER_PAGE, page_number, render, staff

bp = Blueprint("inbox", __name__)


def _filter(args: Mapping[str, str]) -> tuple[str, queries.InboxFilter]:
    tab = args.get("tab", "todo")
    sort = args.get("sort", "newest")
    text = args.get("q", "").strip()
    if tab not in queries.INBOX_TABS:
        raise InvalidData("Thẻ không hợp lệ.", {"tab": "Chọn một thẻ của hộp công việc."})
    if sort not in queries.INBOX_SORTS:
        raise InvalidData("Cách sắp xếp không hợp lệ.", {"sort": "Chọn mới nhất, cũ nhất hoặc hạn xử lý."})
    if len(text) > 200:
        raise InvalidData("Từ khóa quá dài.", {"q": "Tối đa 200 ký tự."})
    return tab, queries.InboxFilter(process=args.get("process") or None, text=text, sort=sort)


@bp.get("/")
def home() -> Any:
    """The start page is the dashboard (tổng quan), which links to the inbox."""
    return redirect("/dashboard")


@bp.get("/inbox")
def index() -> Any:
    """One tab of the inbox, with the filters and the page asked for."""
    tab, wanted = _filter(request.args)
    page = page_number(request.args)
    with staff(write=False) as (db, user, now):
        found = queries.inbox(db, user, now, tab, wanted, page, PER_PAGE)
        return render("inbox/index.html", db, user, found=found, wanted=wanted, now=now.isoformat(),
                      info_unread=info_items.unread_counts(db, user))

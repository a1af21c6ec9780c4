"""Lưu trữ in the pages: the records due for hand-over with their packages to download, the
records whose retention is over to list for destruction, and each destruction list's next step
(review, the head's approval, carrying it out) — all through engine.archives, which checks and audits."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine.archives import destruction, retention
from engine.core.errors import Conflict, InvalidData
from webui.common import exports, handover
from webui.common.pageutil import render, session_user, staff

bp = Blueprint("archive_pages", __name__)


@bp.get("/archives")
def index() -> Any:
    """Records due for hand-over and for destruction, and the agency's destruction lists."""
    with staff(write=False) as (db, user, now):
        return render("archives/index.html", db, user, due=retention.due_for(db, user, now),
                      lists=destruction.listing(db, user))


@bp.get("/archives/records/<int:record_id>/package")
def package(record_id: int) -> Any:
    """The record's hand-over package (zip), validated before it is offered."""
    return handover.download(session_user, record_id)


def _done(action: Any, message: str) -> Any:
    try:
        with staff(write=True) as (db, user, now):
            action(db, user, now)
    except (InvalidData, Conflict) as refused:
        flash(refused.message, "error")
    else:
        flash(message, "success")
    return redirect("/archives")


@bp.post("/archives/destructions")
def propose() -> Any:
    """List the ticked records for destruction, with the reason."""
    ids = [int(i) for i in request.form.getlist("record_id") if i.isdigit()]
    given = {"record_ids": ids, "reason": request.form.get("reason", "")}
    return _done(lambda db, user, now: destruction.propose(db, user, given, now),
                 gettext("Đã lập danh mục tài liệu hết giá trị."))


@bp.post("/archives/destructions/<int:list_id>/review")
def review(list_id: int) -> Any:
    given = {"agree": request.form.get("agree") == "1", "note": request.form.get("note") or None}
    return _done(lambda db, user, now: destruction.review(db, user, list_id, given, now),
                 gettext("Đã ghi ý kiến thẩm tra."))


@bp.post("/archives/destructions/<int:list_id>/approve")
def approve(list_id: int) -> Any:
    given = {"agree": request.form.get("agree") == "1"}
    return _done(lambda db, user, now: destruction.approve(db, user, list_id, given, now),
                 gettext("Đã ghi quyết định của người đứng đầu cơ quan."))


@bp.post("/archives/destructions/<int:list_id>/carry-out")
def carry_out(list_id: int) -> Any:
    given = {"backups_note": request.form.get("backups_note", "")}
    return _done(lambda db, user, now: destruction.carry_out(db, handover.store(), user, list_id, given,
                                                             exports.fonts(), now),
                 gettext("Đã hủy tài liệu và lập biên bản."))


@bp.get("/archives/destructions/<int:list_id>/minutes.pdf")
def minutes(list_id: int) -> Any:
    with staff(write=True) as (db, user, now):  # reading the minutes is audited
        return exports.send(destruction.minutes_pdf(db, handover.store(), user, list_id, now))

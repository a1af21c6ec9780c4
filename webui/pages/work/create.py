"""Starting a case: choose a process the user may start, fill its start form. An outgoing
draft then opens on its first task, where the PDF is uploaded."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData
from engine.office import workspace
from engine.workflow import cases
from webui.common.context import platform
from webui.common.pageutil import render, staff
from webui.forms import fields as formfields
from webui.forms import formui

bp = Blueprint("create", __name__)


def _ui(page: dict[str, Any]) -> dict[str, Any]:
    return formui.of(page.get("form_ui"), platform().settings.forms_dir, page.get("form_ref"))


@bp.get("/new")
def choose() -> Any:
    """The processes this user may start."""
    with staff(write=False) as (db, user, _now):
        return render("create/choose.html", db, user, processes=workspace.startable(db, user))


@bp.get("/new/<process_id>")
def start_form(process_id: str) -> Any:
    """The start form of one process."""
    with staff(write=False) as (db, user, now):
        page = workspace.start(db, user, process_id)
        form = formfields.build(page["form"], {}, {}, page["directory"], _ui(page), now.astimezone(VIETNAM).date())
        return render("create/start.html", db, user, page=page, form=form, error=None)


@bp.post("/new/<process_id>")
def start(process_id: str) -> Any:
    """Start the case; go on to the user's first task in it, or to the case."""
    data: dict[str, Any] = {}
    try:
        with staff(write=True) as (db, user, now):
            data, unreadable = formfields.parse(workspace.start(db, user, process_id)["form"], request.form)
            if unreadable:
                raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", unreadable)
            case = cases.start_case(db, user, process_id, data, now)
            mine = [t.id for t in cases.open_tasks(db, case.id) if user.id in {c.user_id for c in t.candidates}]
            case_id, title = case.id, case.title
    except InvalidData as refused:
        with staff(write=False) as (db, user, _now):
            page = workspace.start(db, user, process_id)
            form = formfields.build(page["form"], data, refused.fields, page["directory"], _ui(page))
            return render("create/start.html", db, user, 422, page=page, form=form, error=refused.message)
    flash(gettext("Đã tạo: %(title)s", title=title), "success")
    return redirect(f"/tasks/{mine[0]}" if mine else f"/cases/{case_id}")

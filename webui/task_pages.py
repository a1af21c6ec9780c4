"""The task page: the document, its PDF, files, work tree and history beside the task's
form; completing the task with one of its outcomes."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine import cases, queries, signatures, workspace
from engine.errors import InvalidData

from . import formfields
from .apiutil import signing_desk
from .pageutil import render, staff

bp = Blueprint("tasks", __name__)


@bp.get("/tasks/<task_id>")
def show(task_id: str) -> Any:
    """The task with everything needed to decide it; its form starts from the case's values."""
    with staff(write=False) as (db, user, now):
        page = workspace.task(db, user, task_id, now)
        schema = page["task"]["form"]
        values = formfields.initial_values(schema, page["task"]["case"]["data"])
        form = formfields.build(schema, values, {}, page["directory"])
        return render("tasks/task.html", db, user, page=page, form=form, error=None)


@bp.post("/tasks/<task_id>")
def complete(task_id: str) -> Any:
    """Complete the task with the posted form and the outcome button pressed. When the data
    is refused, the page comes back with each message beside its field and nothing lost."""
    data: dict[str, Any] = {}
    try:
        with staff(write=True) as (db, user, now):
            schema = queries.task_detail(db, user, task_id, now)["form"]
            data, unreadable = formfields.parse(schema, request.form)
            if unreadable:
                raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", unreadable)
            credentials = signatures.Credentials(password=request.form.get("signing_password") or None,
                                                 agency_password=request.form.get("agency_password") or None)
            case = cases.complete_task(db, user, task_id, data, now, signing_desk(credentials))
            title = case.title
    except InvalidData as refused:
        with staff(write=False) as (db, user, now):
            page = workspace.task(db, user, task_id, now)
            form = formfields.build(page["task"]["form"], data, refused.fields, page["directory"])
            return render("tasks/task.html", db, user, 422, page=page, form=form, error=refused.message)
    flash(gettext("Đã xử lý xong: %(title)s", title=title), "success")
    return redirect("/inbox")

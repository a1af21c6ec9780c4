"""Ký bằng chữ ký số từ xa on the task page, and the agency's remote signing services in Quản trị.

The task page's script (static/js/remote-sign.js) sends the decision's form to :func:`start`,
shows "Đang chờ xác nhận trên điện thoại…" with the time left and a cancel button, and asks
:func:`check` every few seconds; no request is held open while the leader decides. The flow and
its short transactions are engine.remote_signing.flow: no transaction is open around it here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, request, url_for
from flask_babel import gettext
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.models import User
from engine.office import queries
from engine.org import administration
from engine.remote_signing import flow, providers
from webui.common.context import platform, remote_signing
from webui.common.pageutil import render, staff
from webui.forms import fields as formfields

bp = Blueprint("remote_signing", __name__)


def task_choices(db: Session, user: User, task_id: str) -> dict[str, Any]:
    """What the task page offers: the services, and the account the leader used last."""
    return {"providers": providers.for_task(db, task_id), "account": flow.latest_account(db, user.id) or ""}


def _urls(task_id: str, answer: dict[str, Any]) -> dict[str, Any]:
    rid = answer["id"]
    return {**answer, "check_url": url_for("remote_signing.check", task_id=task_id, request_id=rid),
            "cancel_url": url_for("remote_signing.cancel", task_id=task_id, request_id=rid)}


def _done(answer: dict[str, Any]) -> dict[str, Any]:
    if answer["state"] == "completed":
        flash(gettext("Đã ký số và xử lý xong công việc."), "success")
        return {**answer, "redirect": url_for("inbox.index")}
    return answer


@bp.post("/tasks/<task_id>/remote-signing")
def start(task_id: str) -> Any:
    """Send the signature to the leader's phone, with the decision's form as posted."""
    with staff(write=False) as (db, user, now):
        schema = queries.task_detail(db, user, task_id, now)["form"]
        user_id = user.id
    data, unreadable = formfields.parse(schema, request.form)
    if unreadable:
        raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", unreadable)
    answer = flow.start(remote_signing(), user_id, task_id, data, request.form.get("remote_provider"),
                        request.form.get("remote_account"), request.form.get("remote_pin") or None, _now())
    return jsonify(_done(_urls(task_id, answer))), 201


def _now() -> datetime:
    return platform().clock.now()


def _me() -> int:
    with staff(write=False) as (_db, user, _now):
        return user.id


@bp.post("/tasks/<task_id>/remote-signing/<request_id>/check")
def check(task_id: str, request_id: str) -> Any:
    """Where the request stands; the service is asked first."""
    return jsonify(_done(_urls(task_id, flow.check(remote_signing(), _me(), task_id, request_id, _now()))))


@bp.post("/tasks/<task_id>/remote-signing/<request_id>/cancel")
def cancel(task_id: str, request_id: str) -> Any:
    return jsonify(_urls(task_id, flow.cancel(remote_signing(), _me(), task_id, request_id, _now())))


def _settings_page(status: int = 200, form: str = "", values: dict[str, Any] | None = None,
                   error: InvalidData | None = None) -> Any:
    keys = remote_signing().keys
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, request.values.get("agency") or None)
        rows = [providers.describe(keys, agency, p) for p in providers.of_agency(db, agency.id)]
        return render("admin/remote_signing.html", db, user, status, agency=agency, providers=rows,
                      kinds=sorted(providers.KINDS.items()), form=form, values=values or {},
                      errors=error.fields if error else {}, error=error.message if error else None)


@bp.get("/admin/remote-signing")
def settings() -> Any:
    """Dịch vụ ký số từ xa of the agency, and a new one."""
    return _settings_page()


@bp.post("/admin/remote-signing")
def create() -> Any:
    return save(None)


@bp.post("/admin/remote-signing/<int:provider_id>")
def save(provider_id: int | None) -> Any:
    """Add a service (``provider_id`` None) or change one."""
    keys = remote_signing().keys
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, request.form.get("agency") or None)
            providers.save(db, keys, user, agency, request.form, now, provider_id)
            code = agency.code
    except InvalidData as err:
        typed = {k: v for k, v in request.form.items() if k not in ("secret", "csrf_token")}
        return _settings_page(422, f"provider-{provider_id or 'new'}", typed, err)
    flash(gettext("Đã lưu dịch vụ ký số từ xa."), "success")
    return redirect(url_for("remote_signing.settings", agency=code))

"""The task page: the document, its PDF, files, work tree and history beside the task's
form; completing the task with one of its outcomes, and signing it with a USB token through
the official's local sign agent (the page's script, static/js/sign-agent.js) or on their phone
through a remote signing service (webui.remote_signing_pages, static/js/remote-sign.js)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request
from flask_babel import gettext
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.documents import documents
from engine.models import Case, Document, User
from engine.office import queries, workspace
from engine.registry import intake
from engine.signatures import signatures
from engine.workflow import cases

from ..common.context import platform, signing_desk
from ..common.pageutil import render, staff
from ..forms import fields as formfields
from .remote_signing import task_choices

bp = Blueprint("tasks", __name__)


def _agent_port() -> int:
    return platform().settings.sign_agent_port


@bp.get("/tasks/<task_id>")
def show(task_id: str) -> Any:
    """The task with everything needed to decide it; its form starts from the case's values."""
    with staff(write=False) as (db, user, now):
        page = workspace.task(db, user, task_id, now)
        schema = page["task"]["form"]
        values = formfields.initial_values(schema, page["task"]["case"]["data"])
        form = formfields.build(schema, values, {}, page["directory"])
        return render("tasks/task.html", db, user, page=page, form=form, error=None, agent_port=_agent_port(),
                      remote=task_choices(db, user, task_id))


def _complete(db: Session, user: User, task_id: str, now: datetime, credentials: signatures.Credentials,
              entered: dict[str, Any]) -> Case:
    """The task completed with the posted form, the permission checked before the form is read;
    ``entered`` receives what the form held, to show it again if it is refused."""
    schema = queries.task_detail(db, user, task_id, now)["form"]
    data, unreadable = formfields.parse(schema, request.form)
    entered.update(data)
    if unreadable:
        raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", unreadable)
    return cases.complete_task(db, user, task_id, data, now, signing_desk(credentials))


@bp.post("/tasks/<task_id>")
def complete(task_id: str) -> Any:
    """Complete the task with the posted form and the outcome button pressed. When the data
    is refused, the page comes back with each message beside its field and nothing lost."""
    data: dict[str, Any] = {}
    try:
        with staff(write=True) as (db, user, now):
            credentials = signatures.Credentials(password=request.form.get("signing_password") or None,
                                                 agency_password=request.form.get("agency_password") or None)
            title = _complete(db, user, task_id, now, credentials, data).title
    except (InvalidData, intake.NeedsDecision) as refused:  # the intake's findings beside their fields
        with staff(write=False) as (db, user, now):
            page = workspace.task(db, user, task_id, now)
            form = formfields.build(page["task"]["form"], data, refused.fields, page["directory"])
            return render("tasks/task.html", db, user, refused.status, page=page, form=form, error=refused.message,
                          agent_port=_agent_port(), remote=task_choices(db, user, task_id))
    flash(gettext("Đã xử lý xong: %(title)s", title=title), "success")
    return redirect("/inbox")


@bp.post("/tasks/<task_id>/signing-request")
def signing_request(task_id: str) -> Any:
    """Ký bằng USB token, first half: given the certificate the local sign agent read from the
    token (JSON ``{"certificate": base64 DER}``), the one-time request the agent is to sign."""
    given = request.get_json(silent=True)
    certificate = given.get("certificate") if isinstance(given, dict) else None
    with staff(write=True) as (db, user, now):
        desk = signing_desk(signatures.Credentials())
        return jsonify(cases.begin_signing(db, user, task_id, certificate, desk.store, desk.keys, now)), 201


@bp.post("/tasks/<task_id>/token-signature")
def complete_with_token(task_id: str) -> Any:
    """Ký bằng USB token, second half: complete the task with its form, the request's id and the
    token's signature; the answer shows the signed document's signatures as the server verified
    them. A refusal is JSON (the page's script shows it), with nothing signed."""
    credentials = signatures.Credentials(request_id=request.form.get("request_id") or None,
                                         signature=request.form.get("signature") or None)
    with staff(write=True) as (db, user, now):
        case = _complete(db, user, task_id, now, credentials, {})
        doc = db.get(Document, case.document_id) if case.document_id else None
        reports = documents.view(doc, with_links=False)["signatures"] if doc else []
        title = case.title
        html = render_template("tasks/signed.html", title=title, reports=reports)
    flash(gettext("Đã xử lý xong: %(title)s", title=title), "success")
    return jsonify({"html": html, "reports": reports})

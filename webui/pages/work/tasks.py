"""The task page: the document, its PDF, files, work tree and history beside the task's
form; completing the task with one of its outcomes, and signing it with a USB token through
the official's local sign agent (the page's script, static/js/sign-agent.js) or on their phone
through a remote signing service (webui.remote_signing_pages, static/js/remote-sign.js)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from flask import Blueprint, flash, jsonify, redirect, render_template, request
from flask_babel import gettext
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData
from engine.documents import documents
from engine.models import Case, Document
from engine.office import queries, reading, workspace
from engine.office.holders import now_holding
from engine.registry import intake
from engine.signatures import before_signing, signatures
from webui.common.context import complete_signing, platform, request_signing, signing_desk
from webui.common.pageutil import render, session_user, staff
from webui.forms import fields as formfields
from webui.forms import formui
from webui.pages.work.confirmations import after_decision
from webui.pages.work.remote_signing import task_choices

T = TypeVar("T")
bp = Blueprint("tasks", __name__)


def _agent_port() -> int:
    return platform().settings.sign_agent_port


def _ui(task: dict[str, Any]) -> dict[str, Any]:
    return formui.of(task.get("form_ui"), platform().settings.forms_dir, task.get("form_ref"))


def _label(form: formfields.FormView, decision: str | None) -> str | None:
    """The words of the button pressed: the decision's title, or the form's act."""
    return dict(form.decisions).get(decision or "") or form.submit_text


@bp.get("/tasks/<task_id>")
def show(task_id: str) -> Any:
    """The task with everything needed to decide it; its form starts from the case's values."""
    with staff(write=False) as (db, user, now):
        page = workspace.task(db, user, task_id, now)
        schema = page["task"]["form"]
        values = formfields.initial_values(schema, page["task"]["case"]["data"])
        form = formfields.build(schema, values, {}, page["directory"], _ui(page["task"]),
                                now.astimezone(VIETNAM).date())
        shown = render("tasks/task.html", db, user, page=page, form=form, error=None, agent_port=_agent_port(),
                       remote=task_choices(db, user, task_id))
        document_id = page["document"]["id"] if page["document"] else None
    if document_id is not None:  # after the page: a read of the document is its own small write
        with staff(write=True) as (db, user, now):
            reading.opened(db, user, document_id, now)
    return shown


def _complete(task_id: str, credentials: signatures.Credentials, entered: dict[str, Any],
              then: Callable[[Session, Case, dict[str, Any]], T]) -> T:
    """The task completed with the posted form, the permission checked before the form is read,
    its signing with no transaction open; ``entered`` receives what the form held, to show it
    again if it is refused; ``then`` reads the answer (given the task as it was shown)."""
    with staff(write=False) as (db, user, now):
        task = queries.task_detail(db, user, task_id, now)
    data, unreadable = formfields.parse(task["form"], request.form)
    entered.update(data)
    if unreadable:
        raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", unreadable)
    return complete_signing(credentials, task_id, data, session_user,
                            lambda db, _user, case, _now: then(db, case, task))


@bp.post("/tasks/<task_id>")
def complete(task_id: str) -> Any:
    """Complete the task with the posted form and the outcome button pressed. When the data
    is refused, the page comes back with each message beside its field and nothing lost."""
    data: dict[str, Any] = {}
    credentials = signatures.Credentials(password=request.form.get("signing_password") or None,
                                         agency_password=request.form.get("agency_password") or None)

    def answer(db: Session, case: Case, task: dict[str, Any]) -> tuple[str, int | None]:
        label = _label(formfields.build(task["form"], {}, {}, {}, _ui(task)), request.form.get("decision"))
        return after_decision(label, case.title, now_holding(db, case.id)), case.document_id

    try:
        message, document_id = _complete(task_id, credentials, data, answer)
    except (InvalidData, intake.NeedsDecision) as refused:  # the intake's findings beside their fields
        with staff(write=False) as (db, user, now):
            page = workspace.task(db, user, task_id, now)
            form = formfields.build(page["task"]["form"], data, refused.fields, page["directory"], _ui(page["task"]))
            return render("tasks/task.html", db, user, refused.status, page=page, form=form, error=refused.message,
                          agent_port=_agent_port(), remote=task_choices(db, user, task_id))
    flash(message, "success")
    signed = credentials.password is not None and document_id is not None
    # Who signed sees what they signed: the document's page, its signatures verified at the top.
    return redirect(f"/documents/{document_id}?signed=1" if signed else "/inbox")


@bp.route("/tasks/<task_id>/signing-status", methods=("GET", "POST"))
def signing_status(task_id: str) -> Any:
    """The signer's certificate checked as the signing step opens (OCSP, then CRL), asked by the
    page's script (static/js/signing-status.js) before a password is typed; POST ``{"certificate":
    base64 DER}``: a USB token's, as the sign agent reads it, asked (static/js/sign-agent.js) once
    the holder chooses the token, before the agent asks for the PIN. No transaction is open while
    the responders answer (engine.signatures.before_signing)."""
    given = request.get_json(silent=True) if request.method == "POST" else None
    token = given.get("certificate") if isinstance(given, dict) else None
    if request.method == "POST" and not isinstance(token, str):
        token = ""  # refused as not a certificate, once the task is known to be theirs: no hint on others' tasks
    with staff(write=False) as (_db, user, _now):
        user_id = user.id
    keys = signing_desk(signatures.Credentials()).keys
    return jsonify(before_signing.status(platform().db, keys, user_id, task_id, platform().clock.now(), token))


@bp.post("/tasks/<task_id>/signing-request")
def signing_request(task_id: str) -> Any:
    """Ký bằng USB token, first half: given the certificate the local sign agent read from the
    token (JSON ``{"certificate": base64 DER}``), the one-time request the agent is to sign."""
    given = request.get_json(silent=True)
    certificate = given.get("certificate") if isinstance(given, dict) else None
    return jsonify(request_signing(task_id, certificate, session_user)), 201


@bp.post("/tasks/<task_id>/token-signature")
def complete_with_token(task_id: str) -> Any:
    """Ký bằng USB token, second half: complete the task with its form, the request's id and the
    token's signature; the answer shows the signed document's signatures as the server verified
    them. A refusal is JSON (the page's script shows it), with nothing signed."""
    credentials = signatures.Credentials(request_id=request.form.get("request_id") or None,
                                         signature=request.form.get("signature") or None)

    def answer(db: Session, case: Case, _task: dict[str, Any]) -> tuple[str, list[Any]]:
        doc = db.get(Document, case.document_id) if case.document_id else None
        reports = documents.view(doc, with_links=False)["signatures"] if doc else []
        html = render_template("tasks/signed.html", title=case.title, reports=reports)
        flash(after_decision(gettext("Ký số"), case.title, now_holding(db, case.id)), "success")
        return html, reports

    html, reports = _complete(task_id, credentials, {}, answer)
    return jsonify({"html": html, "reports": reports})

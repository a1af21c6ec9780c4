"""The JSON API (``/api/v1``). Each view parses the request, opens one transaction, calls
one service and returns its result; the services own every rule."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, jsonify, request
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.models import User
from engine.office import conversations, queries
from engine.org import accounts
from engine.signatures import signatures
from engine.workflow import cases

from ..common.context import signing_desk
from ..common.login import log_in
from .openapi import document
from .util import authed, bearer, body, page_args

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document())


@bp.post("/v1/auth/token")
def token() -> Any:
    """Exchange a username and password for a Bearer token."""
    given = body()
    username, password = given.get("username"), given.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidData("Thiếu tên đăng nhập hoặc mật khẩu.",
                          {"username": "Bắt buộc.", "password": "Bắt buộc."})
    user, value = log_in(username, password, "api")
    return jsonify({"token": value, "username": user.username, "must_change_password": user.must_change_password})


@bp.delete("/v1/auth/token")
def revoke_token() -> Any:
    """Revoke the token of this request (log out an API client)."""
    def action(session: Session, user: User, now: datetime) -> Any:
        accounts.revoke_token(session, bearer())
        return {"revoked": True}

    return authed(True, action)


@bp.get("/v1/auth/tokens")
def list_tokens() -> Any:
    """My live page sessions and API tokens (never the tokens themselves)."""
    return authed(False, lambda s, u, now: {"items": accounts.tokens_of(s, u, bearer())})


@bp.delete("/v1/auth/tokens/<int:token_id>")
def revoke_token_id(token_id: int) -> Any:
    """Revoke one of my sessions or tokens by its id in the list."""
    def action(session: Session, user: User, now: datetime) -> Any:
        accounts.revoke_token_id(session, user, token_id, now)
        return {"revoked": True}

    return authed(True, action)


@bp.put("/v1/auth/password")
def change_password() -> Any:
    """Change my own password (``current_password``, ``new_password``); my other tokens stop working."""
    given = body()
    current, new = given.get("current_password"), given.get("new_password")
    if not isinstance(current, str) or not isinstance(new, str):
        raise InvalidData("Thiếu mật khẩu hiện tại hoặc mật khẩu mới.",
                          {"current_password": "Bắt buộc.", "new_password": "Bắt buộc."})

    def action(session: Session, user: User, now: datetime) -> Any:
        accounts.change_own_password(session, user, current, new, bearer(), now)
        return {"changed": True}

    return authed(True, action)


@bp.get("/v1/processes")
def processes() -> Any:
    """The deployed processes, newest version of each."""
    return authed(False, lambda s, u, now: {"items": queries.processes(s)})


@bp.get("/v1/processes/<process_id>")
def process(process_id: str) -> Any:
    """One process, with the start form a new case's ``data`` must satisfy."""
    return authed(False, lambda s, u, now: cases.process_detail(s, u, process_id))


@bp.post("/v1/cases")
def start_case() -> Any:
    """Start a case of a process; returns the case with its open tasks."""
    given = body()
    process, unit = given.get("process"), given.get("unit_id")
    if not isinstance(process, str):
        raise InvalidData("Thiếu mã quy trình.", {"process": "Bắt buộc."})
    if unit is not None and not isinstance(unit, int):
        raise InvalidData("Đơn vị không hợp lệ.", {"unit_id": "Cần số nguyên."})

    def action(session: Session, user: User, now: datetime) -> Any:
        case = cases.start_case(session, user, process, given.get("data", {}), now, unit)
        return queries.case_view(session, case)

    return authed(True, action, 201)


@bp.get("/v1/cases")
def list_cases() -> Any:
    """Cases I follow (đồng gửi): ``?view=following``."""
    if request.args.get("view", "following") != "following":
        raise InvalidData("Chỉ hỗ trợ view=following.", {"view": "Giá trị không hợp lệ."})
    page, per_page = page_args()
    return authed(False, lambda s, u, now: queries.following(s, u, page, per_page))


@bp.get("/v1/cases/<int:case_id>")
def get_case(case_id: int) -> Any:
    """One case, with its open tasks and current data."""
    return authed(False, lambda s, u, now: queries.case_detail(s, u, case_id, now))


@bp.get("/v1/cases/<int:case_id>/history")
def case_history(case_id: int) -> Any:
    """The case's audit entries in order."""
    return authed(False, lambda s, u, now: {"items": queries.case_history(s, u, case_id, now)})


@bp.get("/v1/cases/<int:case_id>/messages")
def case_messages(case_id: int) -> Any:
    """The messages linking the case, from the conversations I belong to."""
    return authed(False, lambda s, u, now: {"items": conversations.about_case(s, u, case_id, now)})


@bp.get("/v1/tasks")
def my_tasks() -> Any:
    """My open tasks, newest first, including those delegated to me."""
    page, per_page = page_args()
    return authed(False, lambda s, u, now: queries.my_tasks(s, u, now, page, per_page))


@bp.get("/v1/tasks/<task_id>")
def get_task(task_id: str) -> Any:
    """One of my tasks, with its form's JSON Schema."""
    return authed(False, lambda s, u, now: queries.task_detail(s, u, task_id, now))


@bp.post("/v1/tasks/<task_id>/complete")
def complete_task(task_id: str) -> Any:
    """Complete a task with its form data (and, to sign or issue, ``signing``: the password of
    the signer's key, the agency key's password, or a split-signing request id and the
    token's signature); returns the case as it now stands."""
    given = body()
    desk = signing_desk(signatures.Credentials.parse(given.get("signing")))

    def action(session: Session, user: User, now: datetime) -> Any:
        return queries.case_view(session, cases.complete_task(session, user, task_id, given.get("data", {}), now,
                                                               desk))

    return authed(True, action)


@bp.post("/v1/tasks/<task_id>/signing-request")
def signing_request(task_id: str) -> Any:
    """Split signing: given the certificate of the signer's token (base64 DER, as the sign agent
    gives it), the request the agent signs; then complete the task with its id and signature."""
    certificate = body().get("certificate")
    desk = signing_desk(signatures.Credentials())
    return authed(True, lambda s, u, now: cases.begin_signing(s, u, task_id, certificate, desk.store, desk.keys,
                                                               now), 201)

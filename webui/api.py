"""The JSON API (``/api/v1``). Each view parses the request, opens one transaction, calls
one service and returns its result; the services own every rule."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.orm import Session

from engine import accounts, cases, queries
from engine.errors import InvalidData, Unauthorized
from engine.models import User
from engine.platform import Platform

from .openapi import document

bp = Blueprint("api", __name__, url_prefix="/api")


def _platform() -> Platform:
    platform: Platform = current_app.extensions["qlvb"]
    return platform


@contextmanager
def _transaction(write: bool) -> Iterator[tuple[Session, datetime]]:
    platform = _platform()
    with platform.db.write() if write else platform.db.read() as session:
        yield session, platform.clock.now()


def _user(session: Session, now: datetime) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Cần đăng nhập (thiếu mã truy cập Bearer).")
    return accounts.user_for_token(session, token.strip(), now)


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidData("Nội dung yêu cầu phải là một đối tượng JSON.", {"_": "Cần JSON."})
    return body


def _page() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", "1"))
        per_page = int(request.args.get("per_page", "20"))
    except ValueError:
        raise InvalidData("Tham số phân trang không hợp lệ.", {"page": "Cần số nguyên."}) from None
    if page < 1 or not 1 <= per_page <= 100:
        raise InvalidData("Tham số phân trang không hợp lệ.", {"per_page": "Từ 1 đến 100."})
    return page, per_page


def _authed(write: bool, action: Callable[[Session, User, datetime], Any], status: int = 200) -> Any:
    with _transaction(write) as (session, now):
        result = action(session, _user(session, now), now)
        return jsonify(result), status


@bp.get("/openapi.json")
def openapi() -> Any:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(document())


@bp.post("/v1/auth/token")
def token() -> Any:
    """Exchange a username and password for a Bearer token."""
    body = _body()
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        raise InvalidData("Thiếu tên đăng nhập hoặc mật khẩu.",
                          {"username": "Bắt buộc.", "password": "Bắt buộc."})
    with _transaction(write=True) as (session, now):
        user, value = accounts.issue_token(session, username, password, now, _platform().settings.token_ttl)
        return jsonify({"token": value, "username": user.username})


@bp.get("/v1/processes")
def processes() -> Any:
    """The deployed processes, newest version of each."""
    return _authed(False, lambda s, u, now: {"items": queries.processes(s)})


@bp.post("/v1/cases")
def start_case() -> Any:
    """Start a case of a process; returns the case with its open tasks."""
    body = _body()
    process, unit = body.get("process"), body.get("unit_id")
    if not isinstance(process, str):
        raise InvalidData("Thiếu mã quy trình.", {"process": "Bắt buộc."})
    if unit is not None and not isinstance(unit, int):
        raise InvalidData("Đơn vị không hợp lệ.", {"unit_id": "Cần số nguyên."})

    def action(session: Session, user: User, now: datetime) -> Any:
        case = cases.start_case(session, user, process, body.get("data", {}), now, unit)
        return queries.case_view(session, case)

    return _authed(True, action, 201)


@bp.get("/v1/cases")
def list_cases() -> Any:
    """Cases I follow (đồng gửi): ``?view=following``."""
    if request.args.get("view", "following") != "following":
        raise InvalidData("Chỉ hỗ trợ view=following.", {"view": "Giá trị không hợp lệ."})
    page, per_page = _page()
    return _authed(False, lambda s, u, now: queries.following(s, u, page, per_page))


@bp.get("/v1/cases/<int:case_id>")
def get_case(case_id: int) -> Any:
    """One case, with its open tasks and current data."""
    return _authed(False, lambda s, u, now: queries.case_detail(s, u, case_id, now))


@bp.get("/v1/cases/<int:case_id>/history")
def case_history(case_id: int) -> Any:
    """The case's audit entries in order."""
    return _authed(False, lambda s, u, now: {"items": queries.case_history(s, u, case_id, now)})


@bp.get("/v1/tasks")
def my_tasks() -> Any:
    """My open tasks, newest first, including those delegated to me."""
    page, per_page = _page()
    return _authed(False, lambda s, u, now: queries.my_tasks(s, u, now, page, per_page))


@bp.get("/v1/tasks/<task_id>")
def get_task(task_id: str) -> Any:
    """One of my tasks, with its form's JSON Schema."""
    return _authed(False, lambda s, u, now: queries.task_detail(s, u, task_id, now))


@bp.post("/v1/tasks/<task_id>/complete")
def complete_task(task_id: str) -> Any:
    """Complete a task with its form data; returns the case as it now stands."""
    data = _body().get("data", {})

    def action(session: Session, user: User, now: datetime) -> Any:
        return queries.case_view(session, cases.complete_task(session, user, task_id, data, now))

    return _authed(True, action)

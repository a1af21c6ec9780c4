"""What every API view shares: the Bearer user, the JSON body, paging, and one transaction
around a service call."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import jsonify, request
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData, Unauthorized
from engine.models import User
from engine.org import accounts

from ..common.context import MAX_PAGE, caller, transaction
from . import boundary


def current_user(session: Session, now: datetime) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Cần đăng nhập (thiếu mã truy cập Bearer).")
    user = caller(session, token.strip(), now)
    if request.path != "/api/v1/auth/password":
        accounts.ensure_password_chosen(user)
    return user


def bearer() -> str:
    """The request's Bearer token (current_user has checked it)."""
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


def body() -> dict[str, Any]:
    """The JSON object sent, checked at the boundary (webui/api/boundary.py)."""
    return boundary.json_object()


def page_args() -> tuple[int, int]:
    try:
        page = int(request.args.get("page", "1"))
        per_page = int(request.args.get("per_page", "20"))
    except ValueError:
        raise InvalidData("Tham số phân trang không hợp lệ.", {"page": "Cần số nguyên."}) from None
    if not 1 <= page <= MAX_PAGE:
        raise InvalidData("Tham số phân trang không hợp lệ.", {"page": f"Từ 1 đến {MAX_PAGE}."})
    if not 1 <= per_page <= 100:
        raise InvalidData("Tham số phân trang không hợp lệ.", {"per_page": "Từ 1 đến 100."})
    return page, per_page


def authed(write: bool, action: Callable[[Session, User, datetime], Any], status: int = 200) -> Any:
    with transaction(write) as (session, now):
        result = action(session, current_user(session, now), now)
        return jsonify(result), status

"""What every API view shares: the Bearer user, and one transaction around a service call
(its request already checked against its shapes, ``webui.contract``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import jsonify, request
from sqlalchemy.orm import Session

from engine.core.errors import Unauthorized
from engine.models import User
from engine.org import accounts

from ..common.context import caller, transaction, write_as


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


@contextmanager
def asking(write: bool) -> Iterator[tuple[Session, User, datetime]]:
    """A transaction with the Bearer user, for a service that opens more than one; a write's token
    is checked as ``authed`` checks it (``write_as``)."""
    if write:
        with write_as(current_user) as found:
            yield found
        return
    with transaction(False) as (session, now):
        yield session, current_user(session, now), now


def authed(write: bool, action: Callable[[Session, User, datetime], Any], status: int = 200) -> Any:
    """``action`` in the request's one transaction with the Bearer user; a write's token is checked
    before its transaction (``write_as``)."""
    if write:
        with write_as(current_user) as (session, user, now):
            return jsonify(action(session, user, now)), status
    with transaction(False) as (session, now):
        return jsonify(action(session, current_user(session, now), now)), status

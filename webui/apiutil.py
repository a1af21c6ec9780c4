"""What every API view shares: the transaction, the Bearer user, JSON body and paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import current_app, jsonify, request
from sqlalchemy.orm import Session

from engine import accounts, signatures
from engine.errors import InvalidData, Unauthorized
from engine.models import User
from engine.platform import Platform
from engine.storage import FileStore

from . import apiinput


def platform() -> Platform:
    found: Platform = current_app.extensions["qlvb"]
    return found


@contextmanager
def transaction(write: bool) -> Iterator[tuple[Session, datetime]]:
    """One transaction per request: committed when the view returns, rolled back on error."""
    p = platform()
    with p.db.write() if write else p.db.read() as session:
        yield session, p.clock.now()


def current_user(session: Session, now: datetime) -> User:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Cần đăng nhập (thiếu mã truy cập Bearer).")
    return accounts.user_for_token(session, token.strip(), now)


def body() -> dict[str, Any]:
    """The JSON object sent, checked at the boundary (webui/apiinput.py)."""
    return apiinput.json_object()


MAX_PAGE = 100_000  # of a list, API and pages alike: page × per_page is an SQL OFFSET (a bigint)


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




def signing_desk(credentials: signatures.Credentials) -> signatures.Desk:
    """What signing needs in a request: the stored files, the server's keys and trust roots,
    and what the signer gave (never stored)."""
    settings = platform().settings
    return signatures.Desk(FileStore(settings.files_dir),
                           signatures.Keys(settings.pki_dir, tuple(settings.trust_roots)), credentials)

"""What every API view shares: the transaction, the Bearer user, JSON body and paging."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from flask import Flask, Response, current_app, g, jsonify, request
from sqlalchemy.orm import Session

from engine import accounts, signatures
from engine.errors import InvalidData, Unauthorized
from engine.models import User
from engine.platform import Platform
from engine.remote_signing import flow
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


def caller(db: Session, token: str, now: datetime) -> User:
    """The token's person (Unauthorized if expired, idle or revoked). Its last use is written
    after the request, at most once a minute, in a short transaction of its own: the
    request's may be a read."""
    user, stale = accounts.user_for_token(db, token, now, platform().settings.token_idle)
    if stale:
        g.qlvb_touch = token
    return user


def _touch(response: Response) -> Response:
    token = g.pop("qlvb_touch", None)
    if token is not None:
        with transaction(write=True) as (db, now):
            accounts.touch(db, token, now)
    return response


def init_app(app: Flask) -> None:
    app.after_request(_touch)


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




def remote_signing() -> flow.Remote:
    """Ký số từ xa: the flow opens its own short transactions, none may be open around it."""
    p = platform()
    return flow.Remote(p.db, FileStore(p.settings.files_dir),
                       signatures.Keys(p.settings.pki_dir, tuple(p.settings.trust_roots)))


def signing_desk(credentials: signatures.Credentials) -> signatures.Desk:
    """What signing needs in a request: the stored files, the server's keys and trust roots,
    and what the signer gave (never stored)."""
    settings = platform().settings
    return signatures.Desk(FileStore(settings.files_dir),
                           signatures.Keys(settings.pki_dir, tuple(settings.trust_roots)), credentials)

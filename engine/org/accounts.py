"""Accounts: password hashing and access tokens (the API's Bearer tokens and the pages' sessions).

A token stops working at its expiry, when it was left unused longer than its kind's idle
limit (a page session 30 minutes by default, an API token 8 hours), or when revoked: by a
logout, by its owner (``DELETE /api/v1/auth/token``), or by a password change, which ends
every other session of the person."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Forbidden, InvalidData, NotFound, Unauthorized
from engine.models import ApiToken, User
from engine.org import passwords

_SCRYPT = {"n": 2**14, "r": 8, "p": 1}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, dklen=32, **_SCRYPT)
    return "scrypt$" + base64.b64encode(salt).decode() + "$" + base64.b64encode(digest).decode()


def check_password(stored: str, password: str) -> bool:
    try:
        scheme, salt_b64, digest_b64 = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(password.encode(), salt=base64.b64decode(salt_b64), dklen=32, **_SCRYPT)
    return hmac.compare_digest(digest, base64.b64decode(digest_b64))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# Touched at most once a minute: the idle check needs no more, and a request is not a write.
TOUCH_EVERY = timedelta(minutes=1)


def issue_token(session: Session, username: str, password: str, now: datetime, ttl: timedelta,
                kind: str = "api") -> tuple[User, str]:
    user = session.scalars(select(User).where(User.username == username)).first()
    # Hash even for an unknown user, so the response time does not reveal which names exist.
    ok = check_password(user.password_hash if user else "scrypt$AAAA$AAAA", password)
    if user is None or not ok or not user.active:
        raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu.")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), created_at=now, expires_at=now + ttl,
                         kind=kind, last_used_at=now))
    return user, token


# Every API request runs this: a statement built once (engine/core/db.py says why).
_TOKEN_USER = (
    select(User, ApiToken.expires_at, ApiToken.kind, ApiToken.last_used_at, ApiToken.created_at)
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def user_for_token(session: Session, token: str, now: datetime, idle: Mapping[str, timedelta]) -> tuple[User, bool]:
    """The token's person, and whether its last use should be brought up to date (``touch``);
    Unauthorized once expired, idle beyond ``idle[kind]``, revoked or the account disabled."""
    row = session.execute(_TOKEN_USER, {"token_hash": _token_hash(token)}).first()
    if row is None or row[1] <= now or not row[0].active:
        raise Unauthorized("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")
    last = row[3] or row[4]
    if last + idle.get(row[2], idle["api"]) <= now:
        raise Unauthorized("Phiên đăng nhập đã hết hạn do không hoạt động; vui lòng đăng nhập lại.")
    return row[0], last + TOUCH_EVERY <= now


def person_again(session: Session, user_id: int) -> User:
    """The person a token check of this request found (in its read transaction), in the request's
    write transaction: a primary-key read, so that the token's lookup and its checks are not made
    while SQLite's write lock is held; Unauthorized if the account was disabled meanwhile."""
    user = session.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")
    return user


def touch(session: Session, token: str, now: datetime) -> None:
    """Record a use of the token, in a transaction of its own (the request's may be a read)."""
    session.execute(update(ApiToken).where(ApiToken.token_hash == _token_hash(token)).values(last_used_at=now))


def revoke_token(session: Session, token: str) -> None:
    """Log out: the token stops working at once, even if a copy of it was kept."""
    session.execute(delete(ApiToken).where(ApiToken.token_hash == _token_hash(token)))


def tokens_of(session: Session, user: User, current: str | None) -> list[dict[str, Any]]:
    """The person's live sessions and API tokens (never the tokens themselves)."""
    mine = _token_hash(current) if current else None
    rows = session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    return [{"id": t.id, "kind": t.kind, "created_at": t.created_at.isoformat(),
             "expires_at": t.expires_at.isoformat(),
             "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
             "current": t.token_hash == mine} for t in rows]


def revoke_token_id(session: Session, user: User, token_id: int, now: datetime) -> None:
    """One of the person's own tokens, by its id in ``tokens_of``; another's is not found."""
    found = session.get(ApiToken, token_id)
    if found is None or found.user_id != user.id:
        raise NotFound("Không có mã truy cập này.")
    session.delete(found)
    audit.append(session, at=now, action="token_revoked", actor_id=user.id, payload={"token_id": token_id})


def change_own_password(session: Session, user: User, current: str, new: str, keep: str | None,
                        now: datetime) -> None:
    """The person's own change: their current password, then the policy (engine/org/passwords.py);
    every other session and token ends, ``keep`` (the one in use) stays."""
    errors: dict[str, str] = {}
    if not check_password(user.password_hash, current):
        errors["current_password"] = "Mật khẩu hiện tại không đúng."  # noqa: S105 - a message
    problem = "Bắt buộc." if not new else passwords.problem(new, user.username)
    if problem:
        errors["new_password"] = problem
    elif check_password(user.password_hash, new):
        errors["new_password"] = "Mật khẩu mới cần khác mật khẩu hiện tại."  # noqa: S105 - a message
    if errors:
        raise InvalidData("Chưa đổi được mật khẩu, vui lòng kiểm tra lại.", errors)
    user.password_hash = hash_password(new)
    user.must_change_password = False
    others = delete(ApiToken).where(ApiToken.user_id == user.id)
    if keep:
        others = others.where(ApiToken.token_hash != _token_hash(keep))
    session.execute(others)
    audit.append(session, at=now, action="password_changed", actor_id=user.id, payload={"user_id": user.id})


def ensure_password_chosen(user: User) -> None:
    """After an administrator set the password, nothing but choosing one's own."""
    if user.must_change_password:
        raise Forbidden("Bạn cần đổi mật khẩu do quản trị đặt trước khi tiếp tục (PUT /api/v1/auth/password).")


def end_sessions(session: Session, user_id: int) -> None:
    """Every token of the person stops working at once: their pages and API clients."""
    session.execute(delete(ApiToken).where(ApiToken.user_id == user_id))

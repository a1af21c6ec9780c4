"""Accounts: password hashing and access tokens (the API's Bearer tokens and the pages' sessions)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from sqlalchemy import bindparam, delete, select
from sqlalchemy.orm import Session

from .errors import Unauthorized
from .models import ApiToken, User

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


def issue_token(session: Session, username: str, password: str, now: datetime, ttl: timedelta) -> tuple[User, str]:
    user = session.scalars(select(User).where(User.username == username)).first()
    # Hash even for an unknown user, so the response time does not reveal which names exist.
    ok = check_password(user.password_hash if user else "scrypt$AAAA$AAAA", password)
    if user is None or not ok or not user.active:
        raise Unauthorized("Sai tên đăng nhập hoặc mật khẩu.")
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), created_at=now, expires_at=now + ttl))
    return user, token


# Every API request runs this: a statement built once (engine/db.py says why).
_TOKEN_USER = (
    select(User, ApiToken.expires_at).join(ApiToken, ApiToken.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("token_hash"))
)


def user_for_token(session: Session, token: str, now: datetime) -> User:
    row = session.execute(_TOKEN_USER, {"token_hash": _token_hash(token)}).first()
    if row is None or row[1] <= now or not row[0].active:
        raise Unauthorized("Phiên đăng nhập không hợp lệ hoặc đã hết hạn.")
    return row[0]


def revoke_token(session: Session, token: str) -> None:
    """Log out: the token stops working at once, even if a copy of it was kept."""
    session.execute(delete(ApiToken).where(ApiToken.token_hash == _token_hash(token)))

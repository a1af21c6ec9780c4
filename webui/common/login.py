"""Logging in, for the pages and the API alike. A login is throttled
(engine/org/login_throttle.py): refused while the account or the address is held back, and a
wrong password is counted in a transaction of its own, since the login's is rolled back.
"""

from __future__ import annotations

from flask import request

from engine.core.errors import Unauthorized
from engine.models import User
from engine.org import accounts, login_throttle

from .context import platform, transaction


def log_in(username: str, password: str, kind: str) -> tuple[User, str]:
    """A new token of ``kind`` ("page" or "api"); Unauthorized, or TooManyAttempts while held back."""
    keys = login_throttle.keys(username, request.remote_addr)
    try:
        with transaction(write=True) as (db, now):
            login_throttle.refuse_if_held(db, keys, now)
            user, token = accounts.issue_token(db, username, password, now, platform().settings.token_ttl, kind)
            login_throttle.succeeded(db, keys)
            return user, token
    except Unauthorized:
        with transaction(write=True) as (db, now):
            login_throttle.failed(db, keys, now)
        raise

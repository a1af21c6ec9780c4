"""Login throttling: wrong passwords are counted per account and per address; past a few in a
row, every login of that account (or from that address) is refused, the right password too,
for a time that doubles with each further failure (exponential back-off), with a notice
saying until when. A success clears the account's count; an address's count lapses after an
hour without failures, so a password guesser cannot clear it by logging into their own account."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import Text, TooManyAttempts
from engine.models import LoginThrottle

ACCOUNT_FREE = 5  # wrong passwords of one account before it is held back
ADDRESS_FREE = 20  # from one address, all accounts together (an office behind one gateway)
FIRST_WAIT = timedelta(seconds=30)
LONGEST_WAIT = timedelta(hours=1)
FORGET_AFTER = timedelta(hours=1)


def keys(username: str, address: str | None) -> list[str]:
    return [f"user:{username.strip().lower()[:150]}", f"addr:{address or '?'}"]


def _free(key: str) -> int:
    return ACCOUNT_FREE if key.startswith("user:") else ADDRESS_FREE


def refuse_if_held(session: Session, keys: list[str], now: datetime) -> None:
    """Before the password is even checked: TooManyAttempts while any of the keys is held."""
    held = [row.locked_until for row in session.scalars(select(LoginThrottle).where(LoginThrottle.key.in_(keys)))
            if row.locked_until is not None and row.locked_until > now]
    if held:
        until = max(held).astimezone(VIETNAM)
        raise TooManyAttempts(Text("Đăng nhập sai quá nhiều lần. Tạm khóa đăng nhập đến %(time)s ngày %(day)s; "
                                   "vui lòng thử lại sau hoặc liên hệ quản trị hệ thống.",
                                   time=f"{until:%H:%M:%S}", day=f"{until:%d/%m/%Y}"))


def failed(session: Session, keys: list[str], now: datetime) -> None:
    """One more wrong password: counted, and held back once past the free attempts (audited).
    Counts that have lapsed are dropped, so names sprayed at random do not pile up."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.last_failure_at < now - FORGET_AFTER - LONGEST_WAIT))
    for key in keys:
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0, last_failure_at=now)
            session.add(row)
        elif row.last_failure_at + FORGET_AFTER <= now:
            row.failures = 0
        row.failures += 1
        row.last_failure_at = now
        beyond = row.failures - _free(key)
        if beyond >= 0:
            row.locked_until = now + min(FIRST_WAIT * 2 ** min(beyond, 20), LONGEST_WAIT)
            audit.append(session, at=now, action="login_held", actor_id=None,
                         payload={"key": key, "failures": row.failures, "until": row.locked_until.isoformat()})


def succeeded(session: Session, keys: list[str]) -> None:
    """The right password, while not held back: the account's count starts again."""
    session.execute(delete(LoginThrottle).where(LoginThrottle.key == keys[0]))

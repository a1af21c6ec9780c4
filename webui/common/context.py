"""What every request shares, API and pages alike: the platform, the request's one
transaction, the token's person, the signing desk, and the paging bound."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session

from engine.core.errors import Unauthorized
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import User
from engine.org import accounts
from engine.remote_signing import flow
from engine.signatures import signatures
from engine.signed_steps import completion

T = TypeVar("T")
MAX_PAGE = 100_000  # of a list, API and pages alike: page × per_page is an SQL OFFSET (a bigint)


def platform() -> Platform:
    found: Platform = current_app.extensions["qlvb"]
    return found


@contextmanager
def transaction(write: bool) -> Iterator[tuple[Session, datetime]]:
    """One transaction per request: committed when the view returns, rolled back on error."""
    p = platform()
    with p.db.write() if write else p.db.read() as session:
        yield session, p.clock.now()


@contextmanager
def write_as(resolve: Callable[[Session, datetime], User],
             gone: Callable[[Unauthorized], Exception] = lambda err: err) -> Iterator[tuple[Session, User, datetime]]:
    """A write transaction with the request's person. On SQLite, whose write transaction holds the
    database's one write lock from its start, ``resolve`` checks the token in a read transaction
    before it, and the write reads the person again by id (issue 19); ``gone`` says what to raise
    when the account was disabled between the two. On PostgreSQL a read locks nothing, and a
    transaction more per request would only cost: the token is checked inside the write."""
    if not platform().db.is_sqlite:
        with transaction(True) as (db, now):
            yield db, resolve(db, now), now
        return
    with transaction(False) as (db, now):
        user_id = resolve(db, now).id
    with write_by(user_id, gone) as found:
        yield found


@contextmanager
def write_by(user_id: int, gone: Callable[[Unauthorized], Exception] = lambda err: err
             ) -> Iterator[tuple[Session, User, datetime]]:
    """A write transaction with the person whose token this request checked already (in a read
    transaction of its own): read again by id, on SQLite and PostgreSQL alike."""
    with transaction(True) as (db, now):
        try:
            user = accounts.person_again(db, user_id)
        except Unauthorized as err:
            raise gone(err) from None
        yield db, user, now


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


def signing_desk(credentials: signatures.Credentials) -> signatures.Desk:
    """What signing needs in a request: the stored files, the server's keys and trust roots,
    and what the signer gave (never stored)."""
    settings = platform().settings
    return signatures.Desk(FileStore(settings.files_dir),
                           signatures.Keys(settings.pki_dir, tuple(settings.trust_roots)), credentials)


def complete_signing(credentials: signatures.Credentials, task_id: str, data: Any, who: completion.Who,
                     then: completion.Then[T]) -> T:
    """A task completion whose signing runs with no transaction open (engine.signed_steps); ``who``
    the request's person, ``then`` what the answer reads in the completion's transaction."""
    p = platform()
    return completion.complete(p.db, signing_desk(credentials), task_id, data, p.clock.now, who, then)


def request_signing(task_id: str, certificate: Any, who: completion.Who) -> dict[str, Any]:
    """Split signing's first half, its PDF prepared with no transaction open (engine.signed_steps)."""
    p = platform()
    desk = signing_desk(signatures.Credentials())
    return completion.request_signature(p.db, desk.store, desk.keys, task_id, certificate, p.clock.now, who)


def remote_signing() -> flow.Remote:
    """Ký số từ xa: the flow opens its own short transactions, none may be open around it."""
    p = platform()
    return flow.Remote(p.db, FileStore(p.settings.files_dir),
                       signatures.Keys(p.settings.pki_dir, tuple(p.settings.trust_roots)))

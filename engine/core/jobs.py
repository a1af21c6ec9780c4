"""Jobs that every worker runs (the deadline sweep, the daily backup), claimed by one worker at a
time so that any number of ``qlvb worker`` processes can run side by side.

A short job runs inside one write transaction and claims it with :func:`claim`: a transaction
advisory lock on PostgreSQL, released at commit or rollback; SQLite's write lock (every write
transaction begins IMMEDIATE) already keeps other writers out. A long job (a backup) must not
hold a write transaction, so :func:`exclusive` holds a session advisory lock on its own
connection on PostgreSQL, and a file lock beside the database on SQLite; both go away with the
process that held them, so a worker killed mid-job never blocks the others.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from engine.core.db import Database


def _key(job: str) -> int:
    """A stable signed 64-bit lock key per job name (advisory locks take a bigint)."""
    return int.from_bytes(hashlib.sha256(f"qlvb:{job}".encode()).digest()[:8], "big", signed=True)


def claim(session: Session, job: str) -> bool:
    """Whether this write transaction may run ``job``; False while another worker runs it."""
    if session.get_bind().dialect.name != "postgresql":
        return True
    return bool(session.execute(text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": _key(job)}).scalar())


@contextmanager
def exclusive(db: Database, job: str) -> Iterator[bool]:
    """Yields whether this process holds ``job`` (outside any transaction) for the block."""
    if db.is_sqlite:
        path = f"{make_url(db.url).database}.{job}.lock"
        with open(path, "a") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    with db.engine.connect() as conn:
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": _key(job)}).scalar())
        conn.commit()  # the lock belongs to the connection, not to a transaction left open
        try:
            yield got
        finally:
            if got:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _key(job)})
                conn.commit()

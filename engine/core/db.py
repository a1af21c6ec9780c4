"""Database engines and the unit of work.

A state change is one transaction opened at the edge (request, CLI command, worker loop)
with :meth:`Database.write`; services receive the session and never commit.

SQLite: every write transaction starts with ``BEGIN IMMEDIATE`` so two writers queue on
the database lock instead of failing half-way with "database is locked" on upgrade from
a read lock, and before it passes the write gate (``write_gate``: writers wait on a lock and
are woken in turn, not by SQLite's sleep-and-retry); reads use a second engine with deferred
transactions so they never wait for a writer (WAL mode). PostgreSQL's reads run without
BEGIN and COMMIT on connections that cannot write (``_postgresql_reader``).

The statements of the hottest paths (a request's token, a task completion, its answer) are
built once, at import, with ``bindparam`` for their values: SQLAlchemy spends 80–180 µs
building a statement object and computing its cache key at every call, against 40 µs to
run a prebuilt one on SQLite, and a task completion runs about fifteen.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.orm import Session, sessionmaker

from engine.audit import refusals
from engine.core import write_gate

log = logging.getLogger(__name__)

# The largest integer an id or a number column holds on both databases: INTEGER is 4 bytes on
# PostgreSQL (a larger one is a DataError there, and past 2^63 an OverflowError on SQLite).
MAX_INT = 2**31 - 1
BIGINT = 2**63 - 1  # the largest a JSON value of a case's data may be (SQLite's and PostgreSQL's JSON)


BUSY_SECONDS = 60  # how long a writer waits for the one before it


def _sqlite_engine(url: str, immediate: bool) -> Engine:
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's begin event, not the driver, decide how a transaction starts.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=60000")
        # 64 MiB of pages per connection instead of SQLite's 2 MiB: with a million documents,
        # one person's inbox or own documents touch pages all over the task and case indexes,
        # and reading them again from the OS at every request cost a search 30 ms.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.close()

    if not immediate:
        @event.listens_for(engine, "begin")
        def _on_read(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    queue = write_gate.gate(engine.url.database)

    # The write lock is taken at the transaction's first statement, not when the block opens, and
    # through the gate: waiters are woken when the writer before them returns its connection.
    @event.listens_for(engine, "begin")
    def _on_write(conn: Any) -> None:
        queue.acquire(BUSY_SECONDS)
        conn.info[_GATED] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    @event.listens_for(engine, "checkin")
    def _on_checkin(_dbapi_connection: Any, record: Any) -> None:
        if record.info.pop(_GATED, False):
            queue.release()

    return engine


_GATED = "qlvb_write_gate"


# A pooled PostgreSQL connection left unused longer than this is checked before it is used again
# (an empty query); one used more recently is not: a server restart, an idle timeout or a dropped
# link strike the idle ones, and a connection that answered a moment ago is no likelier to be
# dead than one that answers the check. SQLAlchemy's pre-ping checked at every transaction, a round
# trip in every request (issue 19). A connection that dies within this bound fails the request
# that uses it, as a request running at that moment would; SQLAlchemy then renews the pool.
CHECK_IDLE_AFTER = 2.0  # seconds
_LAST_USE = "qlvb_last_use"


def _postgresql_engine(url: str, **options: Any) -> Engine:
    engine = create_engine(url, pool_size=10, max_overflow=20, **options)

    @event.listens_for(engine, "checkin")
    def _used(_dbapi_connection: Any, record: Any) -> None:
        record.info[_LAST_USE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        last = record.info.get(_LAST_USE)  # None: opened just now
        if last is None or time.monotonic() - last <= CHECK_IDLE_AFTER:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as err:  # the pool replaces the connection and checks out again
            raise exc.DisconnectionError(f"idle connection lost: {err}") from err

    return engine


def _postgresql_reader(url: str) -> Engine:
    """PostgreSQL's engine for reads: each statement in a transaction of its own (autocommit), on
    connections that refuse to write. In READ COMMITTED every statement of a transaction sees a
    snapshot of its own anyway, so a read gains no consistency from BEGIN and COMMIT, and they were
    two of a read request's five or six round trips to the server (issue 19). A read that needs one
    snapshot throughout asks for it (``isolation_level="REPEATABLE READ"`` on its connection)."""
    engine = _postgresql_engine(url, isolation_level="AUTOCOMMIT")

    @event.listens_for(engine, "connect")
    def _read_only(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.autocommit = True
        dbapi_connection.execute("SET default_transaction_read_only = on")

    return engine


_AFTER_COMMIT = "qlvb_after_commit"


def after_commit(session: Session, work: Callable[[Database], object]) -> None:
    """Run ``work`` once the write transaction of ``session`` (from ``Database.write``) is
    committed, outside it: long work a change calls for (reading a PDF's text) never holds the
    transaction. Nothing runs if it rolls back, nor for a session from elsewhere (a test's);
    a failure is logged, and the worker's sweep does that work later."""
    pending = session.info.get(_AFTER_COMMIT)
    if pending is not None:
        pending.append(work)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, immediate=True)
            self._read_engine = _sqlite_engine(url, immediate=False)
        else:
            self.engine = _postgresql_engine(url)
            self._read_engine = _postgresql_reader(url)
        # No autoflush: services flush where a query must see their pending rows, which
        # saves a flush check before every one of the dozen queries of a task completion.
        self._write_sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False, autoflush=False)

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any exception; a
        refusal that must be on record is then audited in a transaction of its own."""
        after: list[Callable[[Database], object]] = []
        try:
            with self._write_sessions.begin() as session:
                session.info[_AFTER_COMMIT] = after
                yield session
        except refusals.Refused as err:
            if err.at is not None:
                refusals.record(self, err)
            raise
        for work in after:
            try:
                work(self)
            except Exception:  # the transaction is committed: its follow-up is retried elsewhere
                log.exception("work after commit failed")

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        with self._read_sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()
        if self._read_engine is not self.engine:
            self._read_engine.dispose()

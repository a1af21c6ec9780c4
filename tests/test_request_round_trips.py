"""What a person's every step costs the database (issue 19 item 4): the read paths (the inbox,
a task's view, the unread count) run a fixed number of statements, and on PostgreSQL a read
sends no BEGIN and COMMIT (its statements run on connections that refuse to write), so that a
read request is its statements and the pool's liveness check, nothing more."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from engine.core import db
from engine.core.platform import Platform
from tests.conftest import Api
from tests.flows import only_task
from tests.test_request_costs import REGISTER, _incoming, statements
from tests.test_ui_inbox import _login, _rows
from webui import create_app

INBOX = "/api/v1/tasks?per_page=20"
COUNT = "/api/v1/notifications/count"


def _waiting(api: Api, count: int, first: int = 0) -> str:
    """``count`` more documents registered for the director; one of the director's tasks."""
    for number in range(first, first + count):
        api.complete("btl_clerk", only_task(_incoming(api, number))["id"], REGISTER)
    return str(api.get("btl_director", INBOX).get_json()["items"][0]["id"])


def test_the_read_paths_take_the_same_few_statements_for_few_tasks_or_many(api: Api, platform: Platform) -> None:
    """The token's person, then: the inbox its delegations and one statement for the page, its
    total and its tasks' assignees; a task's view the task with its case and its assignees (who
    are also the candidates its permission check needs); the unread count its count."""
    seen: dict[int, dict[str, int]] = {}
    for waiting in (2, 5):
        task = _waiting(api, 2) if not seen else _waiting(api, 3, first=2)
        reads: dict[str, str] = {"inbox": INBOX, "task": f"/api/v1/tasks/{task}", "count": COUNT}
        seen[waiting] = {}
        for kind, url in reads.items():
            with statements(platform) as ran:
                r = api.get("btl_director", url)
            assert r.status_code == 200, r.get_json()
            seen[waiting][kind] = len([s for s in ran if s.lstrip().upper().startswith("SELECT")])
        assert api.get("btl_director", INBOX).get_json()["total"] == waiting
    assert seen[2] == seen[5] == {"inbox": 3, "task": 3, "count": 2}, seen


def test_the_inbox_page_counts_its_tabs_in_one_statement(api: Api, platform: Platform) -> None:
    """Its four tabs' counts in one statement, not four, and the open tab's total is its count
    unless a filter narrows it: 12 statements (16 before), whatever the number of tasks."""
    client = create_app(platform).test_client()
    _login(client, "btl_director")
    seen = []
    for first, count in ((0, 2), (2, 3)):
        _waiting(api, count, first)
        with statements(platform) as ran:
            page = client.get("/inbox")
        assert page.status_code == 200
        seen.append(len([s for s in ran if s.lstrip().upper().startswith("SELECT")]))
        assert len(_rows(page.get_data(as_text=True))) == first + count
    assert seen == [12, 12], seen
    filtered = client.get("/inbox?q=zzz-none")
    assert filtered.status_code == 200 and _rows(filtered.get_data(as_text=True)) == []


@contextmanager
def messages(platform: Platform) -> Iterator[Callable[[], list[str]]]:
    """The messages libpq sends to PostgreSQL (its protocol trace), on every connection the
    platform opens inside the block: ``Query`` (a simple statement) and ``Sync`` (the end of an
    extended one) each cost a round trip."""
    platform.db.dispose()
    descriptor, path = tempfile.mkstemp(suffix=".trace")
    engines = {platform.db.engine, platform.db._read_engine}  # noqa: SLF001 - both are watched

    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.pgconn.trace(descriptor)

    for engine in engines:
        event.listen(engine, "connect", on_connect)

    def sent() -> list[str]:
        with open(path, encoding="utf-8", errors="replace") as trace:
            lines = [line.split("\t") for line in trace.read().splitlines()]
        return [" ".join(f.strip() for f in fields[3:5])[:40] for fields in lines
                if len(fields) > 3 and fields[1] == "F" and fields[3] in ("Query", "Sync")]

    try:
        yield sent
    finally:
        for engine in engines:
            event.remove(engine, "connect", on_connect)
        platform.db.dispose()
        os.close(descriptor)
        os.unlink(path)


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_read_on_postgresql_is_its_statements_without_begin_and_commit(api: Api, platform: Platform,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A read's round trips are its statements: no BEGIN and COMMIT, and no liveness check of a
    connection used a moment ago (a loaded machine's moment: a minute here)."""
    monkeypatch.setattr(db, "CHECK_IDLE_AFTER", 60.0)
    task = _waiting(api, 2)
    pages = create_app(platform).test_client()
    _login(pages, "btl_director")
    reads: dict[str, Callable[[], Any]] = {
        "inbox": lambda: api.get("btl_director", INBOX),
        "task": lambda: api.get("btl_director", f"/api/v1/tasks/{task}"),
        "count": lambda: api.get("btl_director", COUNT), "inbox page": lambda: pages.get("/inbox")}
    with messages(platform) as sent:
        # The pools' connections opened, and the statements prepared (psycopg prepares a statement
        # on its fifth run on a connection, in a round trip of its own: once per connection).
        for _ in range(6):
            assert all(read().status_code == 200 for read in reads.values())
        trips = {}
        for kind, read in reads.items():
            before = len(sent())
            assert read().status_code == 200
            trips[kind] = sent()[before:]
        assert {kind: len(found) for kind, found in trips.items()} == {
            "inbox": 3, "task": 3, "count": 2, "inbox page": 12}, trips
        assert {m for found in trips.values() for m in found} == {"Sync"}, trips  # extended-protocol statements

        before = len(sent())  # a write is one transaction, its token checked inside it
        r = api.post("btl_director", "/api/v1/notifications/read", {"ids": "all"})
        assert r.status_code == 200, r.get_json()
        write = sent()[before:]
        assert write[0] == 'Query "BEGIN"' and write[-1] == 'Query "COMMIT"', write


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_read_on_postgresql_cannot_write(platform: Platform) -> None:
    """Without a transaction of its own a write slipping into a read would be committed at once:
    the read's connections refuse it, and the next read on the same connection still works."""
    with pytest.raises(DBAPIError, match="read-only transaction"), platform.db.read() as session:
        session.execute(text("UPDATE users SET full_name = 'x'"))
    with platform.db.read() as session:
        assert session.execute(text("SELECT count(*) FROM users WHERE full_name = 'x'")).scalar() == 0
        alone = [session.execute(text("SELECT now()")).scalar() for _ in range(2)]
        assert alone[0] != alone[1]  # each statement a transaction of its own: now() moves
    with platform.db.read() as session:  # a read that needs one snapshot throughout still has one (audit verify)
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        first = session.execute(text("SELECT now()")).scalar()
        assert session.execute(text("SELECT now()")).scalar() == first  # one transaction: one now()
    with platform.db.write() as session:
        session.execute(text("UPDATE users SET full_name = full_name"))


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_connection_lost_while_idle_is_replaced_before_a_request_uses_it(api: Api, platform: Platform,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``CHECK_IDLE_AFTER`` unused, a pooled connection is checked before use: one the
    server ended meanwhile (a restart, an idle timeout) is replaced, and the request never sees it."""
    assert api.get("btl_director", COUNT).status_code == 200
    with platform.db.read() as session:
        reader = session.execute(text("SELECT pg_backend_pid()")).scalar()
    with platform.db.write() as session:
        writer = session.execute(text("SELECT pg_backend_pid()")).scalar()
    outside = create_engine(platform.settings.database_url, poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with outside.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:a), pg_terminate_backend(:b)"), {"a": reader, "b": writer})
        deadline = time.monotonic() + 120
        while other.execute(text("SELECT count(*) FROM pg_stat_activity WHERE pid IN (:a, :b)"),
                            {"a": reader, "b": writer}).scalar():
            assert time.monotonic() < deadline, "the backends did not end"
            time.sleep(0.05)
    outside.dispose()
    monkeypatch.setattr(db, "CHECK_IDLE_AFTER", 0.0)  # every pooled connection counts as idle
    assert api.get("btl_director", COUNT).status_code == 200
    r = api.post("btl_director", "/api/v1/notifications/read", {"ids": "all"})
    assert r.status_code == 200, r.get_json()
    with platform.db.read() as session:
        assert session.execute(text("SELECT pg_backend_pid()")).scalar() != reader

"""What a request costs the server (issue 19 item 4): a completion answers with where the case
stands, the whole case on request; the read paths run a bounded number of statements whatever
the sizes behind them; SQLite's writers queue on the write gate, not on SQLite's sleep-and-retry."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select, text

from engine.core.db import Database
from engine.core.platform import Platform
from engine.models import Agency, RegisterBook
from engine.office import workspace
from engine.registry import registers
from tests.conftest import ROOT, Api
from tests.flows import only_task
from tests.test_btl_incoming import INCOMING
from tests.test_ui_inbox import _login
from webui import create_app

REGISTER = {"decision": "register", "leader": "director"}


@contextmanager
def statements(platform: Platform) -> Iterator[list[str]]:
    """The SQL statements run on the platform's databases inside the block."""
    seen: list[str] = []

    def on_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    engines = {platform.db.engine, platform.db._read_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", on_execute)


def _incoming(api: Api, number: int) -> dict[str, Any]:
    data = {**INCOMING, "number_symbol": f"{number}/SYT-NVY"}
    r = api.post("btl_clerk", "/api/v1/cases", {"process": "btl_incoming", "data": data})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    return case


def test_a_completion_answers_where_the_case_stands_and_the_whole_case_on_request(api: Api) -> None:
    first, second = _incoming(api, 1), _incoming(api, 2)
    url = f"/api/v1/tasks/{only_task(first)['id']}/complete"
    lean = api.post("btl_clerk", url, {"data": REGISTER})
    assert lean.status_code == 200, lean.get_json()
    answer = lean.get_json()
    assert set(answer) == {"id", "status", "open_tasks", "document"}  # no data, no files, recipients, links
    assert answer["document"] == {"id": first["document"]["id"], "status": "registered", "number": 1,
                                  "number_symbol": answer["document"]["number_symbol"]}
    assert [(t["task"], [a["username"] for a in t["assignees"]]) for t in answer["open_tasks"]] == [
        ("direct_director", ["btl_director"])]

    full = api.post("btl_clerk", f"/api/v1/tasks/{only_task(second)['id']}/complete?view=full", {"data": REGISTER})
    assert full.status_code == 200
    case = full.get_json()
    assert case["data"]["decision"] == "register" and case["document"]["files"] == []
    assert set(case) == set(api.get("btl_clerk", f"/api/v1/cases/{second['id']}").get_json())
    assert len(lean.get_data()) * 2 < len(full.get_data())

    refused = api.post("btl_clerk", f"/api/v1/tasks/{only_task(case)['id']}/complete?view=all", {"data": {}})
    assert refused.status_code == 422 and "view" in refused.get_json()["fields"]


def test_the_openapi_document_describes_both_answers_of_a_completion(api: Api) -> None:
    spec = api.client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/tasks/{task_id}/complete"]["post"]
    view = next(p for p in operation["parameters"] if p["name"] == "view")
    assert view["schema"]["enum"] == ["lean", "full"] and view["schema"]["default"] == "lean"
    answer = json.dumps(operation["responses"]["200"])
    assert "Completion" in answer and "Case" in answer


def test_the_inbox_page_reads_the_persons_delegations_once(api: Api, platform: Platform) -> None:
    for number in range(3):
        api.complete("btl_clerk", only_task(_incoming(api, number))["id"], REGISTER)
    client = create_app(platform).test_client()
    _login(client, "btl_director")
    with statements(platform) as seen:
        assert client.get("/inbox").status_code == 200
    assert len([s for s in seen if "FROM delegations" in s]) == 1


def test_the_unit_choices_of_a_form_take_the_same_statements_for_few_units_or_many(platform: Platform) -> None:
    """Which units can be given work (a head who takes it) was two statements per unit."""
    with platform.db.read() as session:
        counts = {}
        for code in ("vanninh_xa", "btl"):  # two units, five units
            agency_id = session.scalar(select(Agency.id).where(Agency.code == code))
            with statements(platform) as seen:
                found = workspace.directory(session, agency_id)
            counts[code] = len(seen)
            assert found["working_units"]  # which ones: tests/test_ui_direction.py, test_info_items.py
    assert counts["vanninh_xa"] == counts["btl"], counts


_OTHER_PROCESS = """
import json
import sys
from engine.core.db import Database
from engine.registry import registers
from sqlalchemy import event
db = Database(sys.argv[1])
@event.listens_for(db.engine, "connect")
def _no_busy_handler(dbapi_connection, _record):
    dbapi_connection.execute("PRAGMA busy_timeout=0")
print("ready", flush=True)
taken = []
for _ in range(int(sys.argv[3])):
    with db.write() as session:
        taken.append(registers.take_number(session, int(sys.argv[2]), 2026))
print(json.dumps(taken), flush=True)
"""


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_sqlite_writers_queue_on_the_gate_without_sqlites_busy_handler(platform: Platform) -> None:
    """With SQLite's busy handler off (busy_timeout 0), eight threads and another process writing
    at once never meet "database is locked": each waits its turn at the gate and is woken when
    the writer before it ends. The database is in WAL mode, its readers never waiting."""
    url = platform.settings.database_url
    with platform.db.read() as session:
        book_id = session.scalar(select(RegisterBook.id).join(Agency, Agency.id == RegisterBook.agency_id)
                                 .where(Agency.code == "btl", RegisterBook.code == "incoming"))
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
    db = Database(url)

    @event.listens_for(db.engine, "connect")
    def _no_busy_handler(dbapi_connection: Any, _record: Any) -> None:  # after the platform's own PRAGMAs
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    other = subprocess.Popen([sys.executable, "-c", _OTHER_PROCESS, url, str(book_id), "150"], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert other.stdout is not None and other.stdout.readline().strip() == "ready"
    taken: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(8, timeout=300)

    def work() -> None:
        barrier.wait()
        try:
            for _ in range(25):
                with db.write() as session:
                    taken.append(registers.take_number(session, book_id, 2026))
        except BaseException as err:  # reported below
            errors.append(err)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out, err = other.communicate(timeout=300)
    db.dispose()
    assert errors == [] and other.returncode == 0, (errors, err[-2000:])
    assert sorted(taken + json.loads(out)) == list(range(1, 8 * 25 + 150 + 1))

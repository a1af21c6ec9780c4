"""What a task step costs the engine (issue 19 item 4, "CPU per step"): the statements a plain
completion and a case's start run, counted by table, on SQLite and PostgreSQL. Each count here
was higher before: a step that signs and checks nothing read its task, case, candidates and
document before its transaction only to find so; the step's document was read again by the
answer; a form without metadata rebuilt the document's search words; a new case was inserted
empty and then updated with its state, and its start read every process's newest version with
its diagram. The plain step's read before its transaction was the task with its whole case (its
saved workflow); its case's and task's rows went through the unit of work, and each action of the
incoming procedure flushed its rows apart from the step's; a direction read the agency's working
units once per unit it named, and the people to inform when it named none."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.exc import StaleDataError

from engine.core.errors import Conflict
from engine.core.platform import Platform
from engine.models import Assignment, AuditEntry, HumanTask, TaskStatus, User
from engine.signed_steps import completion
from engine.workflow import cases, steps
from tests.conftest import Api
from tests.flows import only_task
from tests.test_btl_incoming import INCOMING
from tests.test_request_costs import REGISTER, statements
from tests.test_signing_outside_transactions import _completed_at_once

DIRECT = {"main_unit": "KSDB", "main_deadline": "2026-03-06", "note": "Khoa KSDB chủ trì"}


def _reading(seen: list[str], table: str) -> int:
    """The SELECTs of ``table`` (by its FROM or JOIN)."""
    return len([s for s in seen if s.lstrip().startswith("SELECT") and
                (f"FROM {table}" in s or f"JOIN {table} " in s)])


def _reading_from(seen: list[str], table: str) -> int:
    """The SELECTs whose FROM clause starts with ``table`` (not those that join it to another)."""
    return len([s for s in seen if s.lstrip().startswith("SELECT") and re.search(rf"\bFROM {table}\b", s)])


def _writing(seen: list[str], verb: str, table: str) -> int:
    return len([s for s in seen if s.lstrip().startswith(f"{verb} {table}") or
                s.lstrip().startswith(f"{verb} INTO {table}")])


def _started(api: Api, platform: Platform, number: int) -> tuple[dict[str, Any], list[str]]:
    data = {**INCOMING, "channel": "paper", "number_symbol": f"{number}/SYT-NVY"}
    with statements(platform) as seen:
        r = api.post("btl_clerk", "/api/v1/cases", {"process": "btl_incoming", "data": data})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    return case, seen


def _completed(api: Api, platform: Platform, user: str, case: dict[str, Any],
               data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    with statements(platform) as seen:
        r = api.post(user, f"/api/v1/tasks/{only_task(case)['id']}/complete", {"data": data})
    assert r.status_code == 200, r.get_json()
    answer: dict[str, Any] = r.get_json()
    return answer, seen


def test_a_case_is_inserted_with_its_state_after_reading_one_process_version(api: Api, platform: Platform) -> None:
    _started(api, platform, 1)  # the version parsed, the tokens made
    case, seen = _started(api, platform, 2)
    assert [t["task"] for t in case["open_tasks"]] == ["register"]
    # The person's units in the process's agency, read once: having one there is the right to start.
    assert _reading_from(seen, "units") == 1 and _reading_from(seen, "agencies") == 0
    versions = [s for s in seen if "FROM process_versions" in s]
    assert len(versions) == 1 and "bpmn_xml" not in versions[0] and "GROUP BY" not in versions[0]
    assert _writing(seen, "INSERT", "cases") == 1 and _writing(seen, "UPDATE", "cases") == 0
    # The new case has no task yet to look up before its first one is inserted.
    assert _reading(seen, "human_tasks") == 1  # the answer's open tasks (engine.office.queries.case_view)
    assert _writing(seen, "INSERT", "human_tasks") == 1 and _writing(seen, "INSERT", "case_followers") == 1


def test_a_registration_reads_its_document_once_in_each_transaction(api: Api, platform: Platform) -> None:
    case, _ = _started(api, platform, 1)
    answer, seen = _completed(api, platform, "btl_clerk", case, REGISTER)
    assert answer["document"]["number"] == 1 and [t["task"] for t in answer["open_tasks"]] == ["direct_director"]
    # Read before the write (its main file is checked there, engine.signed_steps.completion) and in
    # it; the third is the register's look for an earlier entry of the same document.
    assert _reading(seen, "documents") == 3
    assert _reading(seen, "document_texts") == 0  # the form has no metadata: the search words stand
    assert _reading_from(seen, "cases") == 1  # locked; before the write, read with its task


def test_a_step_that_signs_and_checks_nothing_reads_only_its_task_before_the_write(
        api: Api, platform: Platform) -> None:
    case, _ = _started(api, platform, 1)
    registered, _ = _completed(api, platform, "btl_clerk", case, REGISTER)
    api.token("btl_director")
    answer, seen = _completed(api, platform, "btl_director", registered, DIRECT)
    assert [t["task"] for t in answer["open_tasks"]] == ["unit_assign"]
    assert _reading_from(seen, "task_candidates") == 1  # the permission, checked once: in the write
    assert _reading(seen, "documents") == 1  # by the direction (bút phê); the answer's is the same
    assert _reading_from(seen, "cases") == 1


def test_a_refused_or_unknown_task_or_start_is_refused_as_before(api: Api, platform: Platform) -> None:
    elsewhere = api.post("vn_clerk", "/api/v1/cases", {"process": "btl_incoming", "data": INCOMING})
    assert elsewhere.status_code == 403  # a person of another agency
    no_unit = api.post("btl_clerk", "/api/v1/cases", {"process": "btl_incoming", "data": INCOMING, "unit_id": 999})
    assert no_unit.status_code == 422 and "unit" in no_unit.get_json()["fields"]
    case, _ = _started(api, platform, 1)
    task = only_task(case)["id"]
    other = api.post("btl_director", f"/api/v1/tasks/{task}/complete", {"data": REGISTER})
    assert other.status_code == 403
    unknown = api.post("btl_clerk", "/api/v1/tasks/not-a-task/complete", {"data": REGISTER})
    assert unknown.status_code == 404
    assert api.post("btl_clerk", f"/api/v1/tasks/{task}/complete", {"data": REGISTER}).status_code == 200
    again = api.post("btl_clerk", f"/api/v1/tasks/{task}/complete", {"data": REGISTER})
    assert again.status_code == 409


@contextmanager
def flushes() -> Iterator[list[list[str]]]:
    """The unit of work's flushes that had something to write, each as the classes of its objects."""
    seen: list[list[str]] = []

    def before_flush(session: Session, _context: Any, _instances: Any) -> None:
        seen.append(sorted({type(o).__name__ for o in (*session.new, *session.dirty, *session.deleted)}))

    event.listen(Session, "before_flush", before_flush)
    try:
        yield seen
    finally:
        event.remove(Session, "before_flush", before_flush)


def _held_by(answer: dict[str, Any], user: str) -> dict[str, Any]:
    (task,) = [t for t in answer["open_tasks"] if user in [a["username"] for a in t["assignees"]]]
    return task


def _step(api: Api, platform: Platform, user: str, task: dict[str, Any],
          data: dict[str, Any]) -> tuple[dict[str, Any], list[str], list[list[str]]]:
    api.token(user)
    with flushes() as flushed, statements(platform) as seen:
        r = api.post(user, f"/api/v1/tasks/{task['id']}/complete", {"data": data})
    assert r.status_code == 200, r.get_json()
    answer: dict[str, Any] = r.get_json()
    return answer, seen, flushed


def test_a_plain_step_reads_its_case_once_and_writes_its_rows_by_statements(api: Api, platform: Platform) -> None:
    case, _ = _started(api, platform, 1)
    registered, _ = _completed(api, platform, "btl_clerk", case, REGISTER)
    answer, seen, flushed = _step(api, platform, "btl_director", only_task(registered),
                                  {**DIRECT, "co_units": ["TYT1"], "co_deadline": "2026-03-05"})
    assert sorted(t["task"] for t in answer["open_tasks"]) == ["unit_assign", "unit_assign"]
    # Before the write, the step's properties (two columns), not the task with its case's workflow.
    assert len([s for s in seen if "cases.state_json" in s]) == 1  # the lock's
    # The agency's working units read once for the two units named; nobody to inform: no look.
    assert len([s for s in seen if " ".join(s.split()).startswith("SELECT units.code FROM units JOIN user_positions")
                ]) == 1
    assert _reading(seen, "info_items") == 0
    # The hand-overs (two, in one statement), the document's deadline, the case and the task are
    # written by statements, the task only while it is open: the unit of work has nothing to flush.
    assert flushed == [] and _writing(seen, "INSERT", "assignments") == 1
    (done,) = [s for s in seen if s.lstrip().startswith("UPDATE human_tasks")]
    assert "human_tasks.status = " in done.split("WHERE")[1]
    (saved,) = [s for s in seen if s.lstrip().startswith("UPDATE cases")]
    assert "cases.revision = " in saved.split("WHERE")[1]

    handles = {}
    for head, person in (("btl_head_ksdb", "btl_spec_ksdb"), ("btl_head_tyt1", "btl_spec_tyt1")):
        assigned, seen, flushed = _step(api, platform, head, _held_by(answer, head), {"assignee": person})
        assert flushed == [] and _writing(seen, "INSERT", "assignments") == 1
        handles[person] = _held_by(assigned, person)
    _, seen, flushed = _step(api, platform, "btl_spec_tyt1", handles["btl_spec_tyt1"], {"decision": "finish"})
    assert flushed == []  # the co-unit's two hand-overs closed (in one statement); the document stays open
    assert _writing(seen, "UPDATE", "assignments") == 1 and _writing(seen, "UPDATE", "documents") == 0
    finished, seen, flushed = _step(api, platform, "btl_spec_ksdb", handles["btl_spec_ksdb"], {"decision": "finish"})
    assert finished["status"] == "completed" and finished["document"]["status"] == "finished"
    assert flushed == [] and _writing(seen, "UPDATE", "documents") == 1  # the main unit's: the document finished


def _open_task(api: Api, platform: Platform) -> str:
    case, _ = _started(api, platform, 1)
    return str(only_task(case)["id"])


def test_a_task_is_completed_only_while_open_and_a_case_saved_only_at_the_revision_read(
        api: Api, platform: Platform) -> None:
    task_id = _open_task(api, platform)
    now = platform.clock.now()
    with pytest.raises(Conflict), platform.db.write() as session:
        clerk = session.scalars(select(User).where(User.username == "btl_clerk")).one()
        _, row = cases.lock_task(session, task_id)
        steps.complete_row(session, row, clerk.id, None, now)
        assert row.status == TaskStatus.COMPLETED and row.completed_by == clerk.id
        steps.complete_row(session, row, clerk.id, None, now)  # the same task again: refused
    with pytest.raises(StaleDataError), platform.db.write() as session:
        clerk = session.scalars(select(User).where(User.username == "btl_clerk")).one()
        case, _ = cases.lock_task(session, task_id)
        # As if another writer had moved the case after this one read it: its save must not
        # overwrite that move.
        set_committed_value(case, "revision", case.revision - 1)
        cases.complete_task(session, clerk, task_id, {**REGISTER, "channel": "paper"}, now)
    with platform.db.read() as session:  # both refused as a whole
        task = session.get(HumanTask, task_id)
        assert task is not None and task.status == TaskStatus.OPEN


def test_concurrent_completions_of_the_same_plain_step_record_one(api: Api, platform: Platform,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """Four requests complete the director's direction at once, all past their read before any
    writes: one is recorded (one audit entry, one hand-over), the others refused."""
    case, _ = _started(api, platform, 1)
    registered, _ = _completed(api, platform, "btl_clerk", case, REGISTER)
    task = only_task(registered)["id"]
    threads = 4
    together = threading.Barrier(threads)
    read = completion._properties

    def properties(session: Session, task_id: str) -> dict[str, str]:
        found = read(session, task_id)
        together.wait(timeout=600)
        return found

    monkeypatch.setattr(completion, "_properties", properties)
    assert _completed_at_once(platform, "btl_director", task, DIRECT, threads) == [
        "Conflict: Công việc này đã được xử lý."] * (threads - 1) + ["recorded"]
    with platform.db.read() as session:
        assert len(session.scalars(select(AuditEntry).where(AuditEntry.task_id == task,
                                                            AuditEntry.action == "task_completed")).all()) == 1
        assert len(session.scalars(select(Assignment).where(Assignment.case_id == case["id"])).all()) == 1
        assert [t.spec_name for t in session.scalars(select(HumanTask).where(HumanTask.case_id == case["id"],
                                                                        HumanTask.status == TaskStatus.OPEN))
                ] == ["unit_assign"]

"""403, 409 and 422 on task completion, with nothing half-written; 401; delegation."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, select

from engine.core.platform import Platform
from engine.models import AuditEntry, Delegation, HumanTask, User
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start, to_head
from webui import create_app


def _counts(platform: Platform) -> tuple[int, int]:
    with platform.db.read() as s:
        return (s.scalar(select(func.count()).select_from(AuditEntry)) or 0,
                s.scalar(select(func.count()).select_from(HumanTask)) or 0)


def test_login_fails_with_401_and_api_needs_a_token(api: Api) -> None:
    r = api.client.post("/api/v1/auth/token", json={"username": "btl_clerk", "password": "sai"})
    assert r.status_code == 401
    assert api.client.get("/api/v1/tasks").status_code == 401
    assert api.client.get("/api/v1/tasks", headers={"Authorization": "Bearer nope"}).status_code == 401


def test_someone_not_assigned_gets_403_on_view_and_complete(api: Api, platform: Platform) -> None:
    task = to_head(api)
    before = _counts(platform)
    for outsider in ("btl_head_ksdb", "btl_spec_khnv", "btl_clerk"):
        assert api.get(outsider, f"/api/v1/tasks/{task['id']}").status_code == 403
        r = api.post(outsider, f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "approve",
                                                                                   "route": "director"}})
        assert r.status_code == 403, outsider
    assert _counts(platform) == before
    # The right person still can.
    assert api.get("btl_head_khnv", f"/api/v1/tasks/{task['id']}").get_json()["form"]["title"]
    complete(api, "btl_head_khnv", task, {"decision": "approve", "route": "director"})


def test_outsider_cannot_see_a_case(api: Api) -> None:
    case = start(api)
    assert api.get("btl_spec_ksdb", f"/api/v1/cases/{case['id']}").status_code == 403
    assert api.get("btl_spec_ksdb", f"/api/v1/cases/{case['id']}/history").status_code == 403
    assert api.get("btl_admin", f"/api/v1/cases/{case['id']}").status_code == 200
    assert api.get("btl_spec_ksdb", "/api/v1/cases/999999").status_code == 404


def test_invalid_data_gives_422_per_field_and_writes_nothing(api: Api, platform: Platform) -> None:
    task = to_head(api)
    before = _counts(platform)
    cases = [
        ({}, "decision"),
        ({"decision": "maybe"}, "decision"),
        ({"decision": "return"}, "note"),  # a return needs a note
        ({"decision": "return", "note": ""}, "note"),
        ({"decision": "approve"}, "route"),
        ({"decision": "approve", "route": "minister"}, "route"),
    ]
    for data, field in cases:
        r = api.post("btl_head_khnv", f"/api/v1/tasks/{task['id']}/complete", {"data": data})
        assert r.status_code == 422, data
        body = r.get_json()
        assert field in body["fields"], (data, body)
        assert body["fields"][field]
    assert _counts(platform) == before
    r = api.post("btl_head_khnv", f"/api/v1/tasks/{task['id']}/complete", {"data": "text"})
    assert r.status_code == 422
    r = api.post("btl_spec_khnv", "/api/v1/cases", {"process": "btl_outgoing", "data": {"subject": "ab"}})
    assert r.status_code == 422
    assert set(r.get_json()["fields"]) == {"subject", "doc_type"}
    assert api.post("btl_spec_khnv", "/api/v1/cases", {"process": "nope"}).status_code == 404


def test_undeclared_fields_cannot_write_case_data(api: Api) -> None:
    task = to_head(api)
    case = complete(api, "btl_head_khnv", task, {"decision": "approve", "route": "director", "number": 99})
    assert "number" not in case["data"]


def test_two_simultaneous_completions_give_one_success_and_one_409(api: Api, platform: Platform) -> None:
    task = to_head(api)
    token = api.token("btl_head_khnv")
    # A generous timeout: a thread that failed before the barrier fails the test, never hangs it.
    barrier = threading.Barrier(2, timeout=300)
    results: list[Any] = []
    clients = [create_app(platform).test_client() for _ in range(2)]

    def submit() -> None:
        client = clients.pop()
        barrier.wait()
        r = client.post(f"/api/v1/tasks/{task['id']}/complete", headers={"Authorization": f"Bearer {token}"},
                        json={"data": {"decision": "approve", "route": "director"}})
        results.append(r.status_code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [200, 409]
    with platform.db.read() as s:
        completions = s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.task_id == task["id"]))
    assert completions == 1
    # Completing it again later is a 409 too.
    r = api.post("btl_head_khnv", f"/api/v1/tasks/{task['id']}/complete",
                 {"data": {"decision": "approve", "route": "director"}})
    assert r.status_code == 409


def test_delegate_completes_on_behalf_of_the_grantor(api: Api, platform: Platform) -> None:
    task = to_head(api)
    today = platform.clock.now().date()
    with platform.db.write() as s:
        ids = {name: uid for name, uid in s.execute(select(User.username, User.id))}
        s.add(Delegation(grantor_id=ids["btl_head_khnv"], delegate_id=ids["btl_office_chief"],
                         starts_on=today - timedelta(days=1), ends_on=today + timedelta(days=3),
                         scope="btl_outgoing", created_at=platform.clock.now()))
        # An expired delegation gives nothing.
        s.add(Delegation(grantor_id=ids["btl_head_khnv"], delegate_id=ids["btl_head_ksdb"],
                         starts_on=date(2025, 1, 1), ends_on=date(2025, 1, 31), scope="*",
                         created_at=platform.clock.now()))
    inbox = api.get("btl_office_chief", "/api/v1/tasks").get_json()
    assert [t["id"] for t in inbox["items"]] == [task["id"]]
    assert api.get("btl_head_ksdb", "/api/v1/tasks").get_json()["total"] == 0
    case = complete(api, "btl_office_chief", task, {"decision": "approve", "route": "director"})
    history = api.get("btl_office_chief", f"/api/v1/cases/{case['id']}/history").get_json()["items"]
    last = history[-1]
    assert last["actor"]["username"] == "btl_office_chief"
    assert last["on_behalf_of"]["username"] == "btl_head_khnv"


def test_inbox_is_paginated(api: Api) -> None:
    for _ in range(3):
        case = start(api)
        complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    page = api.get("btl_head_khnv", "/api/v1/tasks?per_page=2&page=2").get_json()
    assert (page["total"], len(page["items"]), page["page"]) == (3, 1, 2)
    assert api.get("btl_head_khnv", "/api/v1/tasks?per_page=500").status_code == 422


def test_a_completed_task_is_recorded_as_completed_not_cancelled(api: Api, platform: Platform) -> None:
    task = to_head(api)
    complete(api, "btl_head_khnv", task, {"decision": "approve", "route": "director"})
    with platform.db.read() as s:
        row = s.get(HumanTask, task["id"])
        assert row is not None
        assert (row.status.value, row.completed_by is not None) == ("completed", True)
    history = api.get("btl_head_khnv", f"/api/v1/cases/{task['case_id']}/history").get_json()["items"]
    assert task["id"] not in history[-1]["payload"]["cancelled"]

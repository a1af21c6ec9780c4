"""The incident desk (issue 18 item 6), in the engine: a step refused because its lane names
nobody, a timer that fails in the worker and an action's exception are recorded as incidents
with their Vietnamese error; reassign, retry, move and cancel repair them, each audited, and
every case still replays (the ``api`` fixture replays them all afterwards)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from engine.audit import auditing
from engine.audit import chain as audit
from engine.core.clock import FakeClock
from engine.core.errors import Forbidden, InvalidData
from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Case, CaseStatus, HumanTask, Incident, IncidentStatus, Position, User
from engine.operations import incidents, orphans
from engine.signatures import signatures
from engine.workflow import actions, replay, timers
from tests.conftest import Api
from tests.flows import DRAFT, assignees, complete, only_task, start, to_head
from tests.incident_support import DIRECTION, OPERATOR, jammed_cases, name_operator, user_id
from tests.test_audit import _cli

REASON = "Văn phòng Sở không có trưởng phòng, giao Phó Giám đốc phụ trách"


def _user(session: Any, username: str) -> User:
    return session.scalars(select(User).where(User.username == username)).one()


def _open_incidents(platform: Platform, case_id: int) -> list[Incident]:
    with platform.db.read() as session:
        return list(session.scalars(select(Incident).where(Incident.case_id == case_id,
                                                            Incident.status == IncidentStatus.OPEN)))


def _actions(platform: Platform, case_id: int) -> list[str]:
    with platform.db.read() as session:
        return [e.action for e in audit.case_entries(session, case_id)]


def test_a_lane_naming_nobody_is_an_incident_retried_with_a_person_chosen(api: Api, platform: Platform,
                                                                          clock: FakeClock) -> None:
    [(case, refused)] = jammed_cases(api, platform)
    assert "Không xác định được người xử lý bước" in refused["error"] and "QLCN" in refused["error"]
    assert "vai trò 'head(initiator)'" in refused["error"]
    found = _open_incidents(platform, case["id"])
    assert [(i.kind, i.count) for i in found] == [("lane_unresolved", 1)]
    assert found[0].task_id == only_task(case)["id"]
    assert json.loads(found[0].detail_json)["data"] == {"decision": "route"}
    # The same refusal again counts up the same incident.
    api.complete("laichau_clerk", only_task(case)["id"], {"decision": "route"})
    assert [i.count for i in _open_incidents(platform, case["id"])] == [2]

    name_operator(platform)
    with platform.db.write() as session, pytest.raises(Forbidden):
        incidents.listing(session, _user(session, "laichau_clerk"))
    with platform.db.write() as session:
        operator = _user(session, OPERATOR)
        listed = incidents.listing(session, operator)
        assert [i["case_id"] for i in listed] == [case["id"]]
        assert listed[0]["kind_title"] == "Không xác định được người xử lý"
        page = incidents.detail(session, operator, listed[0]["id"])
        assert page["element"] == "unit_assign" and page["can_retry"]
        with pytest.raises(InvalidData):
            incidents.retry(session, operator, listed[0]["id"], {}, "", clock.now())  # a reason is required
    deputy = user_id(platform, "laichau_deputy")
    with platform.db.write() as session:
        incidents.retry(session, _user(session, OPERATOR), found[0].id, {"unit_assign": deputy},
                        REASON, clock.now())
    # Both units' tasks were in the lane naming nobody: the deputy director in charge takes them.
    state = api.get("laichau_clerk", f"/api/v1/cases/{case['id']}").get_json()
    assert sorted((t["task"], tuple(assignees(t))) for t in state["open_tasks"]) == [
        ("unit_assign", ("laichau_deputy",)), ("unit_assign", ("laichau_deputy",))]
    assert _open_incidents(platform, case["id"]) == []
    with platform.db.read() as session:
        entry = audit.case_entries(session, case["id"])[-1]
        assert (entry.action, entry.actor_id, entry.on_behalf_of_id) == (
            "task_completed", user_id(platform, OPERATOR), user_id(platform, "laichau_clerk"))
        assert json.loads(entry.payload)["reason"] == REASON
        assert replay.replay(session, case["id"]).matches
    # The auditor's timeline: the refusals, then the retry by the operator for the clerk, with why.
    name_operator(platform, "laichau_deputy", Position.AUDITOR)
    with platform.db.read() as session:
        keys = signatures.Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))
        page = auditing.case_audit(session, _user(session, "laichau_deputy"), case["id"],
                                   FileStore(platform.settings.files_dir), keys, clock.now())
        rows = page["timeline"]
        assert [r["action"] for r in rows[-3:]] == ["lane_unresolved", "lane_unresolved", "task_completed"]
        assert (rows[-1]["actor"]["username"], rows[-1]["on_behalf_of"]["username"]) == (OPERATOR, "laichau_clerk")
        assert rows[-1]["reason"] == REASON
        assert page["replay"]["matches"]


def test_reassign_move_and_cancel_are_audited_and_replayed(api: Api, platform: Platform, clock: FakeClock) -> None:
    name_operator(platform)
    cases = [case for case, _ in jammed_cases(api, platform, 3)]
    with platform.db.write() as session:
        operator = _user(session, OPERATOR)
        by_case = {i["case_id"]: i["id"] for i in incidents.listing(session, operator)}
        clerk_task = [only_task(c)["id"] for c in cases]
        deputy = _user(session, "laichau_deputy").id
        incidents.reassign(session, operator, by_case[cases[0]["id"]], clerk_task[0], deputy, "Văn thư nghỉ phép",
                           clock.now())
        with pytest.raises(InvalidData):  # the target must be a task of the diagram
            incidents.move(session, operator, by_case[cases[1]["id"]], clerk_task[1], "nowhere", None, "x",
                           clock.now())
    with platform.db.write() as session:
        operator = _user(session, OPERATOR)
        incidents.move(session, operator, by_case[cases[1]["id"]], clerk_task[1], "direct_paper", None,
                       "Giám đốc chọn lại đơn vị chủ trì", clock.now())
        incidents.cancel(session, operator, by_case[cases[2]["id"]], "Văn bản gửi nhầm", clock.now())
    first = api.get("laichau_clerk", f"/api/v1/cases/{cases[0]['id']}").get_json()
    assert assignees(only_task(first)) == ["laichau_deputy"]
    second = api.get("laichau_clerk", f"/api/v1/cases/{cases[1]['id']}").get_json()
    assert (only_task(second)["task"], assignees(only_task(second))) == ("direct_paper", ["laichau_director"])
    # The director directs to QLTM this time: the case goes on.
    second = complete(api, "laichau_director", only_task(second), {**DIRECTION, "main_unit": "QLTM",
                                                                   "co_units": []})
    assert only_task(second)["task"] == "scan_route"
    with platform.db.read() as session:
        assert session.get(Case, cases[2]["id"]).status == CaseStatus.COMPLETED
    assert _actions(platform, cases[0]["id"])[-1] == "task_reassigned"
    assert "case_moved" in _actions(platform, cases[1]["id"])
    assert _actions(platform, cases[2]["id"])[-1] == "case_cancelled"
    with platform.db.read() as session:
        for case in cases:
            report = replay.replay(session, case["id"])
            assert report.matches, report.differences
    result = _cli(platform, "audit", "replay", "--all")
    assert result.exit_code == 0, result.output
    assert result.output.count("khớp") == 3 and "KHÔNG KHỚP" not in result.output


def test_a_timer_failing_in_the_worker_is_an_incident_and_retried(api: Api, platform: Platform,
                                                                  clock: FakeClock, monkeypatch: Any) -> None:
    """A timer whose step raises (an outage behind it) is kept as an incident, once per case
    however many sweeps retry it, and the desk's retry fires it once the cause is gone."""
    name_operator(platform, "btl_admin")
    task = to_head(api)  # the head's review has a 2-day deadline timer
    real = timers.persist

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise OSError("ổ đĩa đầy")

    monkeypatch.setattr(timers, "persist", broken)
    clock.advance(timedelta(days=3))
    timers.fire_due(platform.db, clock.now)
    timers.fire_due(platform.db, clock.now)
    with platform.db.read() as session:
        case_id = session.scalars(select(HumanTask.case_id).where(HumanTask.id == task["id"])).one()
    found = _open_incidents(platform, case_id)
    assert [(i.kind, i.count) for i in found] == [("timer_failed", 2)]
    assert "ổ đĩa đầy" in found[0].message and found[0].message.startswith("Bước hẹn giờ")
    monkeypatch.setattr(timers, "persist", real)
    with platform.db.write() as session:
        incidents.retry(session, _user(session, "btl_admin"), found[0].id, {}, "Đã dọn ổ đĩa", clock.now())
    assert _actions(platform, case_id)[-1] == "timer_fired"
    assert _open_incidents(platform, case_id) == []


def test_an_action_s_exception_is_refused_in_vietnamese_and_kept(api: Api, platform: Platform,
                                                               monkeypatch: Any) -> None:
    case = start(api)

    def failing(ctx: actions.ActionContext) -> dict[str, Any]:
        raise RuntimeError("máy chủ lưu trữ không trả lời")

    monkeypatch.setitem(actions.ACTIONS, "save_draft", failing)
    r = api.complete("btl_spec_khnv", only_task(case)["id"], DRAFT)
    assert r.status_code == 422
    assert "Thao tác 'save_draft'" in r.get_json()["error"] and "không trả lời" in r.get_json()["error"]
    found = _open_incidents(platform, case["id"])
    assert [i.kind for i in found] == ["action_failed"]


def test_an_open_task_whose_people_all_left_is_found_and_reassigned(bare_api: Api, platform: Platform,
                                                                   clock: FakeClock) -> None:
    """(``bare_api``: the replay resolves lanes against today's organisation, so it reports the
    head who left — the one difference, checked at the end.)"""
    api = bare_api
    task = to_head(api)
    with platform.db.write() as session:
        _user(session, "btl_head_khnv").active = False
    assert orphans.sweep(platform.db, clock.now()) == 1
    assert orphans.sweep(platform.db, clock.now()) == 0  # kept once
    with platform.db.read() as session:
        case_id = session.get(HumanTask, task["id"]).case_id
    [found] = _open_incidents(platform, case_id)
    assert found.kind == "task_orphaned" and "không còn ai xử lý" in found.message
    with platform.db.write() as session:
        admin = _user(session, "btl_admin")
        with pytest.raises(InvalidData):
            incidents.retry(session, admin, found.id, {}, "x", clock.now())
        incidents.reassign(session, admin, found.id, task["id"], _user(session, "btl_office_chief").id,
                           "Trưởng phòng KHNV đã chuyển công tác", clock.now())
    r = api.complete("btl_office_chief", task["id"], {"decision": "approve", "route": "director"})
    assert r.status_code == 200, r.get_json()
    with platform.db.read() as session:
        report = replay.replay(session, case_id)
        assert len(report.differences) == 1 and "bước 'head_review' giao cho []" in report.differences[0]


def test_the_desk_through_the_api(api: Api, platform: Platform) -> None:
    [(case, _)] = jammed_cases(api, platform)
    assert api.get("laichau_clerk", "/api/v1/incidents").status_code == 403  # neither admin nor operator
    name_operator(platform)
    listed = api.get(OPERATOR, "/api/v1/incidents").get_json()["items"]
    assert [(i["case_id"], i["kind"]) for i in listed] == [(case["id"], "lane_unresolved")]
    path = f"/api/v1/incidents/{listed[0]['id']}/repair"
    r = api.post(OPERATOR, path, {"action": "retry", "reason": ""})
    assert r.status_code == 422 and "reason" in r.get_json()["fields"]
    r = api.post(OPERATOR, path, {"action": "retry", "reason": "Giao chuyên viên",
                                  "assign": {"unit_assign": user_id(platform, "laichau_spec_qlcn")}})
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["status"] == "resolved"
    assert api.get(OPERATOR, "/api/v1/incidents").get_json()["items"] == []
    assert api.post("btl_admin", path, {"action": "close", "reason": "x"}).status_code == 404  # another agency's

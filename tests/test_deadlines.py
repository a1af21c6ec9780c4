"""Deadlines reach the tasks (issue 13, item 4): the bút phê's hạn xử lý sets the due time
of the unit's tasks, a step's ``dueIn`` sets a default; the deadline sweep the worker runs
reminds before and at the deadline, and the "Quá hạn" tab and the overdue report count them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import User
from engine.office import notifications, queries
from tests import test_lai_chau
from tests.conftest import Api
from tests.flows import complete, only_task
from tests.test_definitions import _cli, tiny

DIRECTION = {"main_unit": "QLCN", "main_deadline": "2026-03-04", "co_units": ["QLTM"], "co_deadline": "2026-03-05",
             "note": "Phòng QLCN chủ trì"}
END_OF_4_MARCH = "2026-03-04T17:00:00+00:00"  # midnight in Hà Nội


def _sweep(platform: Platform, clock: FakeClock) -> None:
    with platform.db.write() as session:  # what `qlvb worker` runs on each turn
        notifications.sweep_deadlines(session, clock.now())


def _kinds(api: Api, user: str) -> list[str]:
    return [n["kind"] for n in reversed(api.get(user, "/api/v1/notifications?per_page=100").get_json()["items"])]


def _overdue_tab(platform: Platform, clock: FakeClock, username: str) -> int:
    with platform.db.read() as s:
        user = s.query(User).filter_by(username=username).one()
        found = queries.inbox(s, user, clock.now(), "overdue", queries.InboxFilter(), 1, 20)
        return int(found["counts"]["overdue"])


def test_a_two_day_direction_is_reminded_then_overdue_in_the_tab_and_the_report(
    api: Api, platform: Platform, clock: FakeClock
) -> None:
    case = test_lai_chau._start(api, "laichau_incoming", "laichau_clerk",
                                {**test_lai_chau.INCOMING, "channel": "electronic"})
    case = complete(api, "laichau_director", only_task(case), DIRECTION)
    register = only_task(case)
    # The registration's default (dueIn P1D): a day from when it opened.
    assert register["due_at"] == (clock.now() + timedelta(days=1)).isoformat()
    case = complete(api, "laichau_clerk", register, {"decision": "register"})
    due = {t["task"] + ":" + t["assignees"][0]["username"]: t["due_at"] for t in case["open_tasks"]}
    assert due == {"unit_assign:laichau_head_qlcn": END_OF_4_MARCH,
                   "unit_assign:laichau_head_qltm": "2026-03-05T17:00:00+00:00"}
    qlcn = next(t for t in case["open_tasks"] if t["assignees"][0]["username"] == "laichau_head_qlcn")
    case = complete(api, "laichau_head_qlcn", qlcn, {"assignee": "laichau_spec_qlcn"})
    handle = next(t for t in case["open_tasks"] if t["task"] == "handle")
    assert handle["due_at"] == END_OF_4_MARCH  # no own deadline: the unit's

    _sweep(platform, clock)
    assert _kinds(api, "laichau_spec_qlcn") == ["task"]
    clock.set(datetime(2026, 3, 4, 2, 0, tzinfo=UTC))  # 4 March, 09:00: due tonight
    api.tokens.clear()
    _sweep(platform, clock)
    assert _kinds(api, "laichau_spec_qlcn") == ["task", "deadline_soon"]
    assert _overdue_tab(platform, clock, "laichau_spec_qlcn") == 0
    report = api.get("laichau_clerk", "/api/v1/reports/summary?from=2026-03-01&to=2026-03-31").get_json()
    assert report["totals"]["overdue"] == 0

    clock.set(datetime(2026, 3, 5, 2, 0, tzinfo=UTC))  # 5 March: past it
    api.tokens.clear()
    _sweep(platform, clock)
    _sweep(platform, clock)  # announced once
    assert _kinds(api, "laichau_spec_qlcn") == ["task", "deadline_soon", "overdue"]
    assert _overdue_tab(platform, clock, "laichau_spec_qlcn") == 1
    report = api.get("laichau_clerk", "/api/v1/reports/summary?from=2026-03-01&to=2026-03-31").get_json()
    assert report["totals"]["overdue"] == 1


def test_a_step_default_must_be_a_duration(tmp_path: Path) -> None:
    good = tiny(FORM='btl_outgoing/draft.schema.json"/><spiffworkflow:property name="dueIn" value="P2D')
    bad = tiny(FORM='btl_outgoing/draft.schema.json"/><spiffworkflow:property name="dueIn" value="hai ngày')
    for text, ok in ((good, True), (bad, False)):
        path = tmp_path / "tiny.bpmn"
        path.write_text(text, encoding="utf-8")
        result = _cli(None, "process", "validate", str(path))
        assert (result.exit_code == 0) == ok, result.output
    assert "hạn mặc định 'hai ngày' không hợp lệ" in result.output

"""Directions that cannot jam and documents to read (issue 13, items 2 and 7): a unit
without a head is sent documents "để biết" (an item to read, no task) but cannot be given
work; a lane that resolves to nobody is refused when the task before it is completed; a
document finished for information is filed as a văn bản thông báo, searchable, read or not,
and counted in the reports."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Agency, HumanTask, TaskStatus, User
from engine.office import workspace
from tests import test_lai_chau, test_quang_ngai
from tests.conftest import ROOT, Api
from tests.flows import assignees, complete, only_task
from webui.forms import fields as formfields

DIRECTION = {**test_lai_chau.DIRECTION, "info_units": ["VP"], "info_people": ["laichau_deputy"]}


def _items(api: Api, user: str, query: str = "") -> dict[str, Any]:
    r = api.get(user, f"/api/v1/info-items?{query}")
    assert r.status_code == 200, r.get_json()
    found: dict[str, Any] = r.get_json()
    return found


def _electronic(api: Api) -> dict[str, Any]:
    return test_lai_chau._start(api, "laichau_incoming", "laichau_clerk",
                                {**test_lai_chau.INCOMING, "channel": "electronic"})


def test_a_headless_unit_for_information_reads_the_document_and_the_case_moves_on(api: Api) -> None:
    case = _electronic(api)
    case = complete(api, "laichau_director", only_task(case), DIRECTION)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("register_route", ["laichau_clerk"])
    case = complete(api, "laichau_clerk", task, {"decision": "register"})
    # Only the units that work on it get tasks: no assignment step for Văn phòng Sở.
    assert sorted((t["task"], assignees(t)[0]) for t in case["open_tasks"]) == [
        ("unit_assign", "laichau_head_qlcn"), ("unit_assign", "laichau_head_qltm")]

    for user in ("laichau_cvp", "laichau_clerk", "laichau_deputy"):
        mine = _items(api, user, "kind=info")
        assert [(i["subject"], i["read"], i["from"]) for i in mine["items"]] == [
            (test_lai_chau.INCOMING["subject"], False, "Nguyễn Hữu Phúc")], user
        assert mine["unread"] == {"info": 1, "notice": 0}
    assert _items(api, "laichau_cvp", "unit=VP")["total"] == 1
    assert _items(api, "laichau_deputy", "unit=VP")["total"] == 0  # named in person
    assert _items(api, "laichau_head_qlcn")["total"] == 0
    document_id = case["document"]["id"]
    assert api.get("laichau_cvp", f"/api/v1/documents/{document_id}").status_code == 200  # it opens for them

    item = _items(api, "laichau_cvp")["items"][0]
    r = api.post("laichau_cvp", "/api/v1/info-items/read", {"ids": [item["id"]]})
    assert r.get_json() == {"marked": 1, "unread": {"info": 0, "notice": 0}}
    assert _items(api, "laichau_clerk", "unread=1")["total"] == 1  # each person reads for themselves
    assert api.post("laichau_cvp", "/api/v1/info-items/read", {"ids": "x"}).status_code == 422
    tree = api.get("laichau_director", f"/api/v1/documents/{document_id}/tree").get_json()["items"]
    assert [(n["to_unit"], n["to_user"], n["role"], n["status"]) for n in tree] == [
        ("QLCN", None, "main", "open"), ("QLTM", None, "co", "open"), ("VP", None, "info", "done"),
        ("BGD", "laichau_deputy", "info", "open")]


def test_a_unit_nobody_can_take_work_for_is_refused_at_the_direction(api: Api, platform: Platform) -> None:
    case = _electronic(api)
    task = only_task(case)
    for field, direction in (("main_unit", {**test_lai_chau.DIRECTION, "main_unit": "VP"}),
                             ("co_units", {**test_lai_chau.DIRECTION, "co_units": ["VP"]})):
        r = api.post("laichau_director", f"/api/v1/tasks/{task['id']}/complete", {"data": direction})
        assert r.status_code == 422, r.get_json()
        assert "Văn phòng Sở chưa có lãnh đạo đơn vị" in r.get_json()["error"]
        assert "VP" in r.get_json()["fields"][field]
    # Nothing moved: the director still holds the case.
    case = api.get("laichau_director", f"/api/v1/cases/{case['id']}").get_json()
    assert [(t["task"], assignees(t)) for t in case["open_tasks"]] == [("direct_electronic", ["laichau_director"])]
    # The form offers only units that can receive work for the main and co-handling roles.
    schema = json.loads((ROOT / "forms" / "common" / "direction.schema.json").read_text(encoding="utf-8"))
    with platform.db.read() as s:
        agency_id = s.scalars(select(Agency.id).where(Agency.code == "laichau")).one()
        form = formfields.build(schema, {}, {}, workspace.directory(s, agency_id))
    routing = form.fields[0]  # the routing tree (chuyển xử lý) holds the four choices
    choices = {f.key: [code for code, _ in f.choices] for f in routing.parts.values()}
    assert choices["main_unit"] == choices["co_units"] == ["QLCN", "QLTM"]
    assert choices["info_units"] == ["BGD", "VP", "QLCN", "QLTM"]
    assert "laichau_cvp" in choices["info_people"]
    assert [u["code"] for u in routing.tree if u["working"]] == ["QLCN", "QLTM"]


def test_a_lane_that_resolves_to_nobody_is_refused_with_the_completion_before_it(
    api: Api, platform: Platform
) -> None:
    """A head leaves after the direction: the clerk's routing, which would open the unit's
    step for nobody, is refused naming the unit and the role, and the clerk keeps the case."""
    case = _electronic(api)
    case = complete(api, "laichau_director", only_task(case), test_lai_chau.DIRECTION)
    api.tokens.clear()
    with platform.db.write() as s:
        head = s.scalars(select(User).where(User.username == "laichau_head_qltm")).one()
        head.active = False
    task = only_task(case)
    r = api.post("laichau_clerk", f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "register"}})
    assert r.status_code == 422
    assert "'Lãnh đạo đơn vị phân công' của đơn vị QLTM" in r.get_json()["error"]
    with platform.db.read() as s:
        still = s.scalars(select(HumanTask.spec_name).where(HumanTask.case_id == case["id"],
                                                            HumanTask.status == TaskStatus.OPEN)).all()
    assert still == ["register_route"]


def test_finished_for_information_is_filed_as_a_notice_searchable_and_counted(
    api: Api, platform: Platform
) -> None:
    case = test_quang_ngai._to_cvp(api, None)
    case = complete(api, "qn_cvp", only_task(case), {**test_quang_ngai.DISTRIBUTE, "co_units": []})
    case = complete(api, "qn_head_nvy", only_task(case), {"decision": "assign", "assignee": "qn_spec_nvy"})
    case = complete(api, "qn_spec_nvy", only_task(case), {"decision": "finish", "note": "Để biết, lưu"})
    assert case["status"] == "completed"
    for user in ("qn_spec_nvy", "qn_head_nvy", "qn_deputy_nvy", "qn_spec2_nvy"):
        notices = _items(api, user, "kind=notice")
        assert [(i["kind"], i["unit"], i["read"]) for i in notices["items"]] == [("notice", "NVY", False)], user
    assert _items(api, "qn_head_khtc", "kind=notice")["total"] == 0
    assert _items(api, "qn_spec_nvy", "kind=notice&q=sốt xuất huyết")["total"] == 1
    assert _items(api, "qn_spec_nvy", "kind=notice&q=215/UBND")["total"] == 1
    assert _items(api, "qn_spec_nvy", "kind=notice&q=không có")["total"] == 0
    assert api.get("qn_spec_nvy", "/api/v1/info-items?kind=other").status_code == 422
    report = api.get("qn_clerk", "/api/v1/reports/summary?from=2026-01-01&to=2026-12-31").get_json()
    assert report["totals"]["notices"] == 1
    nvy = next(u for u in report["units"] if u["unit"] and u["unit"]["code"] == "NVY")
    assert nvy["notices"] == 1

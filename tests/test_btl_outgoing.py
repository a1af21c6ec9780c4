"""Bắc Từ Liêm outgoing documents through the API, by the right demo users (PROCEDURES.md §1)."""

from __future__ import annotations

from typing import Any

from tests.conftest import Api

DRAFT = {"title": "Kế hoạch tiêm chủng mở rộng quý II năm 2026", "doc_type": "KH"}


def _only_task(case: dict[str, Any]) -> dict[str, Any]:
    assert len(case["open_tasks"]) == 1, case["open_tasks"]
    return case["open_tasks"][0]


def _assignees(task: dict[str, Any]) -> list[str]:
    return [a["username"] for a in task["assignees"]]


def _complete(api: Api, user: str, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    r = api.post(user, f"/api/v1/tasks/{task['id']}/complete", {"data": data})
    assert r.status_code == 200, r.get_json()
    return r.get_json()


def test_path1_director_signs_with_two_returns(api: Api) -> None:
    r = api.post("btl_spec_khnv", "/api/v1/cases", {"process": "btl_outgoing", "data": DRAFT})
    assert r.status_code == 201, r.get_json()
    case = r.get_json()
    task = _only_task(case)
    assert (task["task"], _assignees(task)) == ("draft", ["btl_spec_khnv"])

    case = _complete(api, "btl_spec_khnv", task, DRAFT)
    task = _only_task(case)
    assert (task["task"], _assignees(task)) == ("head_review", ["btl_head_khnv"])

    # Return 1: the head sends it back with a note.
    case = _complete(api, "btl_head_khnv", task, {"decision": "return", "note": "Bổ sung số liệu"})
    task = _only_task(case)
    assert (task["task"], _assignees(task)) == ("draft", ["btl_spec_khnv"])
    case = _complete(api, "btl_spec_khnv", task, {**DRAFT, "revision_note": "Đã bổ sung"})
    case = _complete(api, "btl_head_khnv", _only_task(case), {"decision": "approve", "route": "director"})
    task = _only_task(case)
    assert (task["task"], _assignees(task)) == ("director_sign", ["btl_director"])

    # Return 2: the Director returns it.
    case = _complete(api, "btl_director", task, {"decision": "return", "note": "Sửa thể thức"})
    task = _only_task(case)
    assert task["task"] == "draft"
    case = _complete(api, "btl_spec_khnv", task, DRAFT)
    case = _complete(api, "btl_head_khnv", _only_task(case), {"decision": "approve", "route": "director"})
    case = _complete(api, "btl_director", _only_task(case), {"decision": "sign"})
    task = _only_task(case)
    assert (task["task"], _assignees(task)) == ("clerk_issue", ["btl_clerk"])

    case = _complete(api, "btl_clerk", task, {"decision": "issue"})
    assert case["status"] == "completed"
    assert case["open_tasks"] == []
    assert case["data"]["number"] == 1
    assert case["data"]["number_symbol"] == "01/KH-TTYT"

    history = api.get("btl_spec_khnv", f"/api/v1/cases/{case['id']}/history").get_json()["items"]
    actions = [(e["action"], e["actor"]["username"]) for e in history]
    assert actions[0] == ("case_started", "btl_spec_khnv")
    assert len(actions) == 10
    assert actions[-1] == ("task_completed", "btl_clerk")

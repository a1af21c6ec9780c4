"""Bắc Từ Liêm outgoing documents through the API, by the right demo users (PROCEDURES.md §1)."""

from __future__ import annotations

from tests.conftest import Api
from tests.flows import DRAFT, assignees, attach_pdf, complete, only_task, start


def test_path1_director_signs_with_two_returns(api: Api) -> None:
    case = start(api)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("draft", ["btl_spec_khnv"])

    case = complete(api, "btl_spec_khnv", task, DRAFT)
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("head_review", ["btl_head_khnv"])

    # Return 1: the head sends it back with a note.
    case = complete(api, "btl_head_khnv", task, {"decision": "return", "note": "Bổ sung số liệu"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("draft", ["btl_spec_khnv"])
    assert case["data"]["note"] == "Bổ sung số liệu"
    case = complete(api, "btl_spec_khnv", task, {**DRAFT, "revision_note": "Đã bổ sung"})
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("director_sign", ["btl_director"])

    # Return 2: the Director returns it.
    case = complete(api, "btl_director", task, {"decision": "return", "note": "Sửa thể thức"})
    task = only_task(case)
    assert task["task"] == "draft"
    case = complete(api, "btl_spec_khnv", task, DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})
    task = only_task(case)
    r = api.complete("btl_director", task["id"], {"decision": "sign"})
    assert r.status_code == 422 and "file" in r.get_json()["fields"]  # no PDF yet: nothing to sign
    attach_pdf(api, "btl_spec_khnv", case)
    case = complete(api, "btl_director", task, {"decision": "sign"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("clerk_issue", ["btl_clerk"])
    case = complete(api, "btl_clerk", task, {"decision": "issue"})
    assert case["status"] == "completed"
    assert case["open_tasks"] == []
    assert case["document"]["status"] == "issued"
    assert case["document"]["number_symbol"] == "01/KH-TTYT"
    assert case["data"]["number"] == 1
    assert case["data"]["number_symbol"] == "01/KH-TTYT"

    history = api.get("btl_spec_khnv", f"/api/v1/cases/{case['id']}/history").get_json()["items"]
    actions = [(e["action"], e["actor"]["username"]) for e in history]
    assert actions[0] == ("case_started", "btl_spec_khnv")
    assert [a for a in actions if a[0] != "file_attached"][-1] == ("task_completed", "btl_clerk")
    assert len([a for a in actions if a[0] == "task_completed"]) == 9


def test_path2_deputy_in_charge_approves_then_director_signs_with_two_returns(api: Api) -> None:
    # KHNV's deputy in charge is btl_deputy2, who holds no certificate.
    case = start(api)
    attach_pdf(api, "btl_spec_khnv", case)
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "deputy_director"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("deputy_review", ["btl_deputy2"])

    # Return 1 by the deputy.
    case = complete(api, "btl_deputy2", task, {"decision": "return", "note": "Làm rõ kinh phí"})
    assert only_task(case)["task"] == "draft"
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "deputy_director"})
    task = only_task(case)

    # Without a certificate the deputy cannot sign: 422, and the task stays open.
    r = api.post("btl_deputy2", f"/api/v1/tasks/{task['id']}/complete", {"data": {"decision": "sign"}})
    assert r.status_code == 422
    assert "decision" in r.get_json()["fields"]
    case = complete(api, "btl_deputy2", task, {"decision": "approve"})
    task = only_task(case)
    assert (task["task"], assignees(task)) == ("director_sign", ["btl_director"])

    # Return 2 by the clerk (form check), then the whole chain again.
    case = complete(api, "btl_director", task, {"decision": "sign"})
    case = complete(api, "btl_clerk", only_task(case), {"decision": "return", "note": "Sai thể thức"})
    assert only_task(case)["task"] == "draft"
    attach_pdf(api, "btl_spec_khnv", case, replace=True)  # the revised draft, to be signed anew
    case = complete(api, "btl_spec_khnv", only_task(case), {"subject": DRAFT["subject"], "doc_type": "CV"})
    case = complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "deputy_director"})
    case = complete(api, "btl_deputy2", only_task(case), {"decision": "approve"})
    case = complete(api, "btl_director", only_task(case), {"decision": "sign"})
    case = complete(api, "btl_clerk", only_task(case), {"decision": "issue"})
    assert case["status"] == "completed"
    # A công văn's symbol carries the drafting unit instead of a type.
    assert case["data"]["number_symbol"] == "01/TTYT-KHNV"


def test_path2_deputy_with_certificate_signs_and_numbers_are_consecutive(api: Api) -> None:
    numbers = []
    for _ in range(2):
        # KSDB's deputy in charge is btl_deputy1, who holds a certificate and signs.
        case = start(api, "btl_spec_ksdb")
        attach_pdf(api, "btl_spec_ksdb", case)
        case = complete(api, "btl_spec_ksdb", only_task(case), DRAFT)
        task = only_task(case)
        assert (task["task"], assignees(task)) == ("head_review", ["btl_head_ksdb"])
        case = complete(api, "btl_head_ksdb", task, {"decision": "approve", "route": "deputy_director"})
        task = only_task(case)
        assert assignees(task) == ["btl_deputy1"]
        case = complete(api, "btl_deputy1", task, {"decision": "sign"})
        task = only_task(case)
        assert (task["task"], assignees(task)) == ("clerk_issue", ["btl_clerk"])
        case = complete(api, "btl_clerk", task, {"decision": "issue"})
        numbers.append(case["data"]["number_symbol"])
    assert numbers == ["01/KH-TTYT", "02/KH-TTYT"]


def test_drafter_follows_the_case(api: Api) -> None:
    case = start(api)
    complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    page = api.get("btl_spec_khnv", "/api/v1/cases?view=following").get_json()
    assert page["total"] == 1
    followed = page["items"][0]
    assert followed["id"] == case["id"]
    assert only_task(followed)["task"] == "head_review"
    # The drafter sees the case but has no task in it now.
    assert api.get("btl_spec_khnv", "/api/v1/tasks").get_json()["total"] == 0
    assert api.get("btl_spec_khnv", f"/api/v1/cases/{case['id']}").status_code == 200

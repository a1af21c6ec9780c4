"""Helpers that walk the Bắc Từ Liêm outgoing procedure through the API."""

from __future__ import annotations

from dataclasses import replace as revised
from typing import Any

from tests.conftest import Api
from tests.drafts import CORPUS, make, open_draft

DRAFT = {"subject": "Kế hoạch tiêm chủng mở rộng quý II năm 2026", "doc_type": "KH"}


def only_task(case: dict[str, Any]) -> dict[str, Any]:
    assert len(case["open_tasks"]) == 1, case["open_tasks"]
    task: dict[str, Any] = case["open_tasks"][0]
    return task


def assignees(task: dict[str, Any]) -> list[str]:
    return [a["username"] for a in task["assignees"]]


def start(api: Api, user: str = "btl_spec_khnv", data: dict[str, Any] | None = None) -> dict[str, Any]:
    r = api.post(user, "/api/v1/cases", {"process": "btl_outgoing", "data": data or DRAFT})
    assert r.status_code == 201, r.get_json()
    case: dict[str, Any] = r.get_json()
    return case


def complete(api: Api, user: str, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    r = api.complete(user, task["id"], data)
    assert r.status_code == 200, r.get_json()
    case: dict[str, Any] = r.get_json()
    return case


def attach_pdf(api: Api, user: str, case: dict[str, Any], replace: bool = False) -> None:
    """Upload the document's PDF. Before the leader signs, it must be there; ``replace``
    uploads a revised draft (a different file) after a return."""
    pdf = make(revised(CORPUS[6], title=("BÁO CÁO", "Kết quả công tác y tế dự phòng năm 2026 (sửa)"))) if replace \
        else open_draft()
    r = api.upload(user, case["document"]["id"], pdf)
    assert r.status_code == 201, r.get_json()


def to_head(api: Api, drafter: str = "btl_spec_khnv") -> dict[str, Any]:
    """Start a case and submit the draft; returns the head's review task."""
    case = start(api, drafter)
    return only_task(complete(api, drafter, only_task(case), DRAFT))


def to_director(api: Api) -> dict[str, Any]:
    """Start a case, attach its PDF, draft and approve it for the Director; returns the case,
    whose one open task is the Director's signature."""
    case = start(api)
    attach_pdf(api, "btl_spec_khnv", case)
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    return complete(api, "btl_head_khnv", only_task(case), {"decision": "approve", "route": "director"})


def issue_via_deputy(api: Api) -> dict[str, Any]:
    """Bắc Từ Liêm outgoing on the KSDB path, where the deputy in charge holds a
    certificate and signs; the clerk attaches the PDF and issues. Returns the case."""
    case = start(api, "btl_spec_ksdb")
    attach_pdf(api, "btl_spec_ksdb", case)
    case = complete(api, "btl_spec_ksdb", only_task(case), DRAFT)
    case = complete(api, "btl_head_ksdb", only_task(case), {"decision": "approve", "route": "deputy_director"})
    case = complete(api, "btl_deputy1", only_task(case), {"decision": "sign"})
    return complete(api, "btl_clerk", only_task(case), {"decision": "issue"})

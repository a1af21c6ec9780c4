"""The inbox reads the candidates' copy of their task's status: it must follow the task."""

from __future__ import annotations

from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import HumanTask, TaskCandidate, TaskStatus
from tests.conftest import Api
from tests.flows import DRAFT, complete, only_task, start


def _open_flags(platform: Platform) -> dict[str, bool]:
    """Each task's candidate flag, checked against the task's own status."""
    with platform.db.read() as s:
        rows = s.execute(select(HumanTask.spec_name, HumanTask.status, TaskCandidate.task_open)
                         .join(TaskCandidate, TaskCandidate.task_id == HumanTask.id).order_by(HumanTask.created_at))
        flags = {}
        for name, status, flag in rows:
            assert flag == (status == TaskStatus.OPEN), (name, status, flag)
            flags[name] = flag
        return flags


def test_candidates_follow_their_task_from_open_to_closed(api: Api, platform: Platform) -> None:
    case = start(api)
    assert _open_flags(platform) == {"draft": True}
    case = complete(api, "btl_spec_khnv", only_task(case), DRAFT)
    assert _open_flags(platform) == {"draft": False, "head_review": True}
    assert api.get("btl_head_khnv", "/api/v1/tasks").get_json()["total"] == 1
    complete(api, "btl_head_khnv", only_task(case), {"decision": "return", "note": "Bổ sung số liệu"})
    assert api.get("btl_head_khnv", "/api/v1/tasks").get_json()["total"] == 0
    assert [t["task"] for t in api.get("btl_spec_khnv", "/api/v1/tasks").get_json()["items"]] == ["draft"]

"""Per-node deadlines of the routing tree (issue 17, item 2): each chủ trì / phối hợp unit of a
direction carries its own hạn xử lý (``co_deadlines``; a co-unit without one takes the common
``co_deadline``). engine.workflow.deadlines owns which deadline holds and whether it is allowed
(not before today, not after the document's own deadline): the units' tasks are due then, the
work tree and the document lists show it, the overdue tab and report count it. Through the API."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import Document, User
from engine.office import document_lists, queries
from tests.conftest import Api
from tests.flows import complete, only_task
from tests.test_btl_incoming import _start

DIRECTION = {"main_unit": "KSDB", "main_deadline": "2026-03-06", "co_units": ["TYT1", "KHNV"],
             "co_deadline": "2026-03-05", "co_deadlines": {"TYT1": "2026-03-03"}, "note": "KSDB chủ trì"}
END_OF = {day: f"2026-03-0{day}T17:00:00+00:00" for day in (3, 5, 6)}  # midnight in Hà Nội


def _registered(api: Api) -> dict[str, Any]:
    return complete(api, "btl_clerk", only_task(_start(api)), {"decision": "register", "leader": "director"})


def _overdue(platform: Platform, clock: FakeClock, username: str) -> int:
    with platform.db.read() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        return int(queries.inbox(s, user, clock.now(), "overdue", queries.InboxFilter(), 1, 20)["counts"]["overdue"])


def _listed_due(platform: Platform, clock: FakeClock, username: str, document_id: int) -> str | None:
    with platform.db.read() as s:
        user = s.scalars(select(User).where(User.username == username)).one()
        found = document_lists.listing(s, user, clock.now(), "in_waiting", document_lists.ListFilter(), 1, 50)
        row = next(r for r in found["items"] if r["id"] == document_id)
        return row["due"]


def test_each_unit_of_the_tree_is_due_on_its_own_deadline(api: Api, platform: Platform, clock: FakeClock) -> None:
    case = complete(api, "btl_director", only_task(_registered(api)), DIRECTION)
    due = {t["assignees"][0]["username"]: t["due_at"] for t in case["open_tasks"]}
    assert due == {"btl_head_ksdb": END_OF[6], "btl_head_tyt1": END_OF[3], "btl_head_khnv": END_OF[5]}
    document_id = case["document"]["id"]
    tree = api.get("btl_director", f"/api/v1/documents/{document_id}/tree").get_json()["items"]
    deadlines = {n["to_unit"]: n["deadline"] for n in tree if n["role"] in ("main", "co")}
    assert deadlines == {"KSDB": "2026-03-06", "TYT1": "2026-03-03", "KHNV": "2026-03-05"}
    # The lists show each unit's own: the Hạn column of its head's Chờ xử lý.
    assert _listed_due(platform, clock, "btl_head_tyt1", document_id) == "2026-03-03"
    assert _listed_due(platform, clock, "btl_head_ksdb", document_id) == "2026-03-06"

    clock.set(datetime(2026, 3, 4, 2, 0, tzinfo=UTC))  # 4 March: past TYT1's day only
    api.tokens.clear()
    assert _overdue(platform, clock, "btl_head_tyt1") == 1
    assert _overdue(platform, clock, "btl_head_khnv") == 0
    assert _overdue(platform, clock, "btl_head_ksdb") == 0
    report = api.get("btl_clerk", "/api/v1/reports/summary?from=2026-03-01&to=2026-03-31").get_json()
    assert report["totals"]["overdue"] == 1  # TYT1's open assignment is past its own deadline


def _refused(api: Api, task: dict[str, Any], data: dict[str, Any]) -> dict[str, str]:
    r = api.complete("btl_director", task["id"], data)
    assert r.status_code == 422, r.get_json()
    fields: dict[str, str] = r.get_json()["fields"]
    return fields


def test_a_deadline_before_today_or_after_the_documents_own_is_refused(api: Api, platform: Platform) -> None:
    case = _registered(api)
    task = only_task(case)
    # Today is 2 March 2026 (the test clock).
    fields = _refused(api, task, {**DIRECTION, "co_deadlines": {"TYT1": "2026-03-01"}})
    assert fields == {"co_deadlines.TYT1": "Hạn xử lý không được trước hôm nay (02/03/2026)."}
    fields = _refused(api, task, {**DIRECTION, "main_deadline": "2026-02-28"})
    assert fields == {"main_deadline": "Hạn xử lý không được trước hôm nay (02/03/2026)."}
    fields = _refused(api, task, {**DIRECTION, "co_deadlines": {"KHTC": "2026-03-04"}})
    assert fields == {"co_deadlines.KHTC": "Chỉ đơn vị phối hợp mới có hạn riêng ở đây."}
    fields = _refused(api, task, {**DIRECTION, "co_deadlines": {"TYT1": "3/3/2026"}})
    assert set(fields) == {"co_deadlines.TYT1"}  # the schema's date format

    with platform.db.write() as s:  # the document's own hạn xử lý, as entered at registration
        s.get(Document, case["document"]["id"]).due_date = date(2026, 3, 5)  # type: ignore[union-attr]
    fields = _refused(api, task, DIRECTION)
    assert fields == {"main_deadline": "Hạn xử lý không được sau hạn 05/03/2026."}
    case = complete(api, "btl_director", task, {**DIRECTION, "main_deadline": "2026-03-05"})
    assert len(case["open_tasks"]) == 3


def test_a_handlers_deadline_stays_within_the_units(api: Api) -> None:
    case = complete(api, "btl_director", only_task(_registered(api)), DIRECTION)
    task = next(t for t in case["open_tasks"] if t["assignees"][0]["username"] == "btl_head_tyt1")
    r = api.complete("btl_head_tyt1", task["id"], {"assignee": "btl_spec_tyt1", "deadline": "2026-03-05"})
    assert r.status_code == 422 and r.get_json()["fields"] == {"deadline": "Hạn xử lý không được sau hạn 03/03/2026."}
    case = complete(api, "btl_head_tyt1", task, {"assignee": "btl_spec_tyt1", "deadline": "2026-03-03"})
    handle = next(t for t in case["open_tasks"] if t["task"] == "handle")
    assert handle["due_at"] == END_OF[3]

"""Delegation (ủy quyền) in the settings page: the choices offered, refused data beside its
fields (422, nothing lost), the delegate acting on the grantor's tasks for the days and
processes given, revoking, the pages of the list, and the audit trail."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import AuditEntry, Delegation
from tests.conftest import Api
from tests.flows import to_head
from tests.test_ui_inbox import _login
from webui import create_app

PAGE = "/settings/delegations"


def _client(platform: Platform, username: str) -> tuple[FlaskClient, str]:
    client = create_app(platform).test_client()
    _login(client, username)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).get_data(as_text=True))
    assert token is not None
    return client, token[1]


def _post(client: FlaskClient, token: str, status: int, **form: str | list[str]) -> str:
    r = client.post(PAGE, data={"csrf_token": token, **form})
    assert r.status_code == status, (r.status_code, r.get_data(as_text=True)[-2000:])
    return r.get_data(as_text=True)


def _errors(html: str) -> dict[str, str]:
    return dict(re.findall(r'data-error-for="(\w+)">([^<]+)<', html))


def _states(html: str) -> dict[int, str]:
    return {int(i): s for i, s in re.findall(r'data-delegation="(\d+)" data-state="(\w+)"', html)}


def _todo(client: FlaskClient) -> list[str]:
    return re.findall(r'data-task="([^"]+)"', client.get("/inbox").get_data(as_text=True))


def _audit(platform: Platform, action: str) -> list[dict[str, object]]:
    with platform.db.read() as s:
        return [json.loads(e.payload) for e in s.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                                                .order_by(AuditEntry.id))]


def test_delegate_acts_for_the_grantor_until_revoked(api: Api, platform: Platform) -> None:
    task = to_head(api)  # the KHNV head's review task
    head, token = _client(platform, "btl_head_khnv")
    deputy, deputy_token = _client(platform, "btl_head_ksdb")
    form = head.get(PAGE).get_data(as_text=True)
    assert 'value="btl_head_ksdb"' in form and 'value="btl_head_khnv"' not in form  # colleagues, not oneself
    assert 'value="laichau_clerk"' not in form  # nor another agency's staff
    assert 'value="btl_outgoing"' in form and 'value="laichau_outgoing"' not in form
    assert task["id"] not in _todo(deputy)

    # For tomorrow only: not yet; then for today and this process: the delegate sees the task.
    _post(head, token, 302, delegate="btl_head_ksdb", starts_on="2026-03-03", ends_on="2026-03-03")
    assert task["id"] not in _todo(deputy)
    _post(head, token, 302, delegate="btl_head_ksdb", starts_on="2026-03-02", ends_on="2026-03-06",
          scope=["btl_outgoing"])
    assert task["id"] in _todo(deputy)
    page = head.get(PAGE).get_data(as_text=True)
    assert "Đã ủy quyền cho Ngô Quốc Huy." in page and "Văn bản đi – Trung tâm Y tế Bắc Từ Liêm" in page
    states = _states(page)
    assert list(states.values()) == ["active", "upcoming"]  # newest first
    assert "Hoàng Văn Bình" in deputy.get(PAGE).get_data(as_text=True)  # the delegate sees who delegated
    created = _audit(platform, "delegation_created")
    assert created[-1] == {"delegation_id": max(states), "delegate": "btl_head_ksdb", "starts_on": "2026-03-02",
                           "ends_on": "2026-03-06", "scope": "btl_outgoing"}

    # Only the grantor revokes, once, and the delegate can no longer act.
    assert deputy.post(f"{PAGE}/{max(states)}/revoke", data={"csrf_token": deputy_token}).status_code == 403
    assert head.post(f"{PAGE}/{max(states)}/revoke", data={}).status_code == 400  # no CSRF token
    assert head.post(f"{PAGE}/{max(states)}/revoke", data={"csrf_token": token}).status_code == 302
    assert _states(head.get(PAGE).get_data(as_text=True))[max(states)] == "revoked"
    assert task["id"] not in _todo(deputy)
    assert head.post(f"{PAGE}/{max(states)}/revoke", data={"csrf_token": token}).status_code == 422
    assert head.post(f"{PAGE}/999999/revoke", data={"csrf_token": token}).status_code == 404
    assert _audit(platform, "delegation_revoked") == [{"delegation_id": max(states)}]


def test_refused_delegations_keep_what_was_typed(platform: Platform, clock: FakeClock) -> None:
    head, token = _client(platform, "btl_head_khnv")
    missing = _post(head, token, 422)
    assert _errors(missing) == {"delegate": "Bắt buộc.", "starts_on": "Bắt buộc.", "ends_on": "Bắt buộc."}
    assert "Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại." in missing
    backwards = _post(head, token, 422, delegate="btl_head_ksdb", starts_on="2026-03-10", ends_on="2026-03-05")
    assert _errors(backwards) == {"ends_on": "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."}
    assert 'value="2026-03-10"' in backwards and re.search(r'value="btl_head_ksdb" selected', backwards)
    assert _errors(_post(head, token, 422, delegate="btl_head_ksdb", starts_on="2026-02-01",
                         ends_on="2026-03-01")) == {"ends_on": "Ngày kết thúc đã qua."}
    assert _errors(_post(head, token, 422, delegate="btl_head_khnv", starts_on="2026-03-02",
                         ends_on="2026-03-03")) == {"delegate": "Không thể ủy quyền cho chính mình."}
    assert _errors(_post(head, token, 422, delegate="laichau_clerk", starts_on="2026-03-02", ends_on="2026-03-31x",
                         scope=["laichau_outgoing"])) == {
        "delegate": "Chỉ ủy quyền cho người đang làm việc trong cùng cơ quan.",
        "ends_on": "Ngày không hợp lệ (dạng YYYY-MM-DD).", "scope": "Không có quy trình: laichau_outgoing."}
    with platform.db.read() as s:
        assert s.scalars(select(Delegation)).all() == []
    assert _audit(platform, "delegation_created") == []

    # Upcoming, then ended as the clock moves; an ended one can no longer be revoked.
    _post(head, token, 302, delegate="btl_spec_khnv", starts_on="2026-03-03", ends_on="2026-03-04")
    (delegation_id, state), = _states(head.get(PAGE).get_data(as_text=True)).items()
    assert state == "upcoming"
    clock.advance(timedelta(days=3))
    head, token = _client(platform, "btl_head_khnv")
    assert _states(head.get(PAGE).get_data(as_text=True)) == {delegation_id: "ended"}
    assert head.post(f"{PAGE}/{delegation_id}/revoke", data={"csrf_token": token}).status_code == 422


def test_the_list_of_delegations_is_paged(platform: Platform) -> None:
    head, token = _client(platform, "btl_head_khnv")
    for day in range(2, 23):
        _post(head, token, 302, delegate="btl_spec_khnv", starts_on=f"2026-03-{day:02d}",
              ends_on=f"2026-03-{day:02d}")
    first, second = (head.get(f"{PAGE}?page={p}").get_data(as_text=True) for p in (1, 2))
    assert len(_states(first)) == 20 and len(_states(second)) == 1 and "Trang 1 / 2" in first
    assert set(_states(first)).isdisjoint(_states(second))
    assert head.get(f"{PAGE}?page=0").status_code == 422


def test_delegations_through_the_api(api: Api, platform: Platform) -> None:
    """The API offers what the page does, under the same rules: the form's choices, a new
    delegation the delegate acts on, refused data per field, and revoking by the grantor only."""
    task = to_head(api)
    form = api.get("btl_head_khnv", "/api/v1/me/delegations/form").get_json()
    assert "btl_head_ksdb" in form["properties"]["delegate"]["enum"]
    assert "btl_head_khnv" not in form["properties"]["delegate"]["enum"]

    r = api.post("btl_head_khnv", "/api/v1/me/delegations",
                 {"delegate": "btl_head_khnv", "starts_on": "2026-03-02", "ends_on": "2026-03-01"})
    assert r.status_code == 422
    assert r.get_json()["fields"] == {"delegate": "Không thể ủy quyền cho chính mình.",
                                      "ends_on": "Ngày kết thúc phải sau hoặc bằng ngày bắt đầu."}
    r = api.post("btl_head_khnv", "/api/v1/me/delegations", {"delegate": "btl_head_ksdb", "starts_on": "2026-03-02",
                                                             "ends_on": "2026-03-06", "scope": ["btl_outgoing"]})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    assert (made["person"]["username"], made["state"], made["scope"]) == (
        "btl_head_ksdb", "active", ["Văn bản đi – Trung tâm Y tế Bắc Từ Liêm"])
    assert task["id"] in [t["id"] for t in api.get("btl_head_ksdb", "/api/v1/tasks").get_json()["items"]]
    mine = api.get("btl_head_khnv", "/api/v1/me/delegations").get_json()
    assert ([d["id"] for d in mine["items"]], mine["total"]) == ([made["id"]], 1)
    held = api.get("btl_head_ksdb", "/api/v1/me/delegations").get_json()
    assert [d["person"]["username"] for d in held["received"]] == ["btl_head_khnv"]

    assert api.post("btl_head_ksdb", f"/api/v1/me/delegations/{made['id']}/revoke", {}).status_code == 403
    r = api.post("btl_head_khnv", f"/api/v1/me/delegations/{made['id']}/revoke", {})
    assert (r.status_code, r.get_json()["state"]) == (200, "revoked")
    assert task["id"] not in [t["id"] for t in api.get("btl_head_ksdb", "/api/v1/tasks").get_json()["items"]]
    assert api.post("btl_head_khnv", f"/api/v1/me/delegations/{made['id']}/revoke", {}).status_code == 422
    assert _audit(platform, "delegation_revoked") == [{"delegation_id": made["id"]}]

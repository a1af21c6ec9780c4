"""An agency's retention table (issue 20 item 4, "retention periods per record from the agency's
retention table"): its administrators and văn thư add, edit and retire items, validated (unique code,
"Vĩnh viễn" or 1–100 years) and each change audited; another agency's item is not found, on the page
and through the API; a record opened on an item takes its term, a retired item cannot be chosen, an
item records use keeps its term; the archives list such a record for destruction from 31 December of
its end year plus the item's term. SQLite and PostgreSQL (the ``platform`` fixture's backends)."""

from __future__ import annotations

import json
import re
from typing import Any

from alembic import command
from sqlalchemy import inspect, select

from engine.archives import table
from engine.core import schema
from engine.core.platform import Platform
from engine.models import AuditEntry, Record
from tests.conftest import Api
from tests.test_ui_records import _client, _error, _post

ITEMS = "/api/v1/retention-items"


def _patch(api: Api, username: str, path: str, body: dict[str, Any]) -> Any:
    return api.client.patch(path, json=body, headers={"Authorization": f"Bearer {api.token(username)}"})


def _item(api: Api, code: str, term: str, username: str = "btl_admin") -> int:
    r = api.post(username, ITEMS, {"code": code, "heading": f"Hồ sơ nhóm {code} của cơ quan", "term": term})
    assert r.status_code == 201, r.get_json()
    item_id: int = r.get_json()["id"]
    return item_id


def _audit(platform: Platform, action: str) -> list[dict[str, Any]]:
    with platform.db.read() as session:
        return [json.loads(payload) for payload in session.scalars(
            select(AuditEntry.payload).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def test_terms_are_permanent_or_whole_years_from_1_to_100() -> None:
    assert [table.normal_term(t) for t in ("vĩnh viễn", "Vĩnh viễn", "Permanent", "10", "10 năm", "05 năm",
                                           " 100  năm", "1 year")] == \
        ["Vĩnh viễn", "Vĩnh viễn", "Vĩnh viễn", "10 năm", "10 năm", "5 năm", "100 năm", "1 năm"]
    assert [table.normal_term(t) for t in ("0", "0 năm", "101 năm", "2,5 năm", "mãi mãi", "", None, 10)] == [None] * 8


def test_the_table_is_kept_by_its_keepers_validated_and_audited(api: Api, platform: Platform) -> None:
    first = api.post("btl_admin", ITEMS, {"code": "01.05", "heading": "Hồ sơ xây dựng, ban hành quy chế làm việc "
                                          "của cơ quan", "term": "vĩnh viễn", "note": "Bản chính"})
    assert first.status_code == 201
    assert {k: first.get_json()[k] for k in ("code", "term", "active", "records")} == \
        {"code": "01.05", "term": "Vĩnh viễn", "active": True, "records": 0}
    duplicate = api.post("btl_clerk", ITEMS, {"code": "01.05", "heading": "Một mục khác", "term": "10"})
    assert duplicate.status_code == 422 and duplicate.get_json()["fields"] == {"code": "Bảng đã có mục số 01.05."}
    for bad in ("mãi mãi", "0 năm", "101 năm", "2,5 năm"):
        refused = api.post("btl_admin", ITEMS, {"code": "09.09", "heading": "Hồ sơ thử", "term": bad})
        assert refused.status_code == 422 and set(refused.get_json()["fields"]) == {"term"}, bad
        assert "từ 1 đến 100" in refused.get_json()["fields"]["term"]
    assert api.post("btl_admin", ITEMS, {"code": "x y", "heading": "ab", "term": "5"}).get_json()["fields"].keys() \
        == {"code", "heading"}
    # Only the agency's administrators and văn thư keep it; anyone of the agency reads it.
    assert api.post("btl_spec_khnv", ITEMS, {"code": "09.01", "heading": "Hồ sơ thử", "term": "5"}).status_code == 403
    assert api.post("btl_director", ITEMS, {"code": "09.01", "heading": "Hồ sơ thử", "term": "5"}).status_code == 403
    listed = api.get("btl_spec_khnv", ITEMS).get_json()
    assert [i["code"] for i in listed["items"]] == ["01.05"] and listed["total"] == 1

    item_id = first.get_json()["id"]
    changed = _patch(api, "btl_clerk", f"{ITEMS}/{item_id}", {"heading": "Hồ sơ quy chế làm việc", "term": "70"})
    assert changed.status_code == 200 and (changed.get_json()["heading"], changed.get_json()["term"]) == \
        ("Hồ sơ quy chế làm việc", "70 năm")
    assert _patch(api, "btl_admin", f"{ITEMS}/{item_id}", {"active": False}).get_json()["active"] is False
    added, edited, retired = (_audit(platform, a) for a in ("retention_item_added", "retention_item_changed",
                                                            "retention_item_retired"))
    assert [(p["code"], p["term"]) for p in added] == [("01.05", "Vĩnh viễn")]  # nothing for the refusals
    assert edited[0]["changed"] == {"heading": ["Hồ sơ xây dựng, ban hành quy chế làm việc của cơ quan",
                                                "Hồ sơ quy chế làm việc"], "term": ["Vĩnh viễn", "70 năm"]}
    assert retired[0]["changed"] == {"active": [True, False]}


def test_another_agencys_item_is_not_found_on_the_page_or_the_api(api: Api, platform: Platform) -> None:
    theirs = _item(api, "01.01", "10 năm")  # Bắc Từ Liêm's
    assert api.get("qn_admin", f"{ITEMS}/{theirs}").status_code == 404
    assert api.get("qn_clerk", f"{ITEMS}/{theirs}").status_code == 404
    assert _patch(api, "qn_admin", f"{ITEMS}/{theirs}", {"active": False}).status_code == 404
    assert api.get("btl_spec_khnv", f"{ITEMS}/{theirs}").status_code == 200
    qn = _client(platform, "qn_admin")
    assert qn.get(f"/admin/retention-table/{theirs}").status_code == 404
    assert _post(qn, f"/admin/retention-table/{theirs}/active", {"active": "0"}).status_code == 404
    assert _post(qn, f"/admin/retention-table/{theirs}", {"code": "01.01", "heading": "Đổi tên", "term": "5"}
                 ).status_code == 404
    assert "01.01" not in qn.get("/admin/retention-table").get_data(as_text=True)
    assert api.get("btl_admin", f"{ITEMS}/{theirs}").get_json()["active"] is True  # untouched
    # Another agency's table is not named either: the page refuses it.
    assert qn.get("/admin/retention-table?agency=BTL").status_code == 403
    assert _client(platform, "btl_spec_khnv").get("/admin/retention-table").status_code == 403


def test_a_record_takes_its_items_term_and_a_retired_item_cannot_be_chosen(api: Api, platform: Platform) -> None:
    kept = _item(api, "05.01", "15 năm")
    other = _item(api, "05.02", "Vĩnh viễn")
    record = {"notation": "07.KN", "title": "Hồ sơ giải quyết khiếu nại năm 2026"}
    # Once the agency has a table, the national list no longer stands in for it.
    without = api.post("btl_clerk", "/api/v1/records", {**record, "retention": "10 năm"})
    assert without.status_code == 422 and set(without.get_json()["fields"]) == {"retention_item_id"}
    made = api.post("btl_clerk", "/api/v1/records", {**record, "retention_item_id": kept})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["retention"] == "15 năm"
    assert made.get_json()["retention_item"] == {"id": kept, "code": "05.01",
                                                 "heading": "Hồ sơ nhóm 05.01 của cơ quan"}
    # Its term and code stay while a record names it; its heading may still be worded better.
    used = _patch(api, "btl_admin", f"{ITEMS}/{kept}", {"term": "5 năm"})
    assert used.status_code == 409 and "ngừng dùng" in used.get_json()["error"]
    assert _patch(api, "btl_admin", f"{ITEMS}/{kept}", {"heading": "Hồ sơ khiếu nại"}).status_code == 200
    assert _patch(api, "btl_admin", f"{ITEMS}/{kept}", {"active": False}).status_code == 200
    refused = api.post("btl_clerk", "/api/v1/records", {**record, "notation": "08.KN", "retention_item_id": kept})
    assert refused.status_code == 422 and set(refused.get_json()["fields"]) == {"retention_item_id"}
    theirs = _item(api, "01.01", "10 năm", username="qn_admin")
    assert api.post("btl_clerk", "/api/v1/records", {**record, "notation": "09.KN", "retention_item_id": theirs}
                    ).status_code == 422
    shown = api.get("btl_clerk", f"/api/v1/records/{made.get_json()['id']}").get_json()
    assert (shown["retention"], shown["retention_item"]["heading"]) == ("15 năm", "Hồ sơ khiếu nại")
    assert api.get("btl_admin", f"{ITEMS}/{kept}").get_json()["records"] == 1
    # The record form offers the active items only, and the record page names the item.
    clerk = _client(platform, "btl_clerk")
    form = clerk.get("/records/new").get_data(as_text=True)
    offered = re.findall(r'<option value="(\d+)"', form.split('name="retention_item_id"')[1].split("</select>")[0])
    assert offered == [str(other)]
    page = clerk.get(f"/records/{made.get_json()['id']}").get_data(as_text=True)
    assert 'data-testid="retention-item">05.01 – <span lang="vi">Hồ sơ khiếu nại</span>' in page
    posted = _post(clerk, "/records/new", {**record, "notation": "10.KN", "year": "2026", "access": "Công khai",
                                           "retention_item_id": str(kept)})
    assert posted.status_code == 422
    assert _error(posted.get_data(as_text=True), "retention_item_id") == \
        "Chọn một mục đang dùng của bảng thời hạn bảo quản của cơ quan."
    # With every item retired the table still stands: no national list to fall back on.
    assert _patch(api, "btl_admin", f"{ITEMS}/{other}", {"active": False}).status_code == 200
    form = clerk.get("/records/new").get_data(as_text=True)
    assert 'name="retention_item_id"' in form and 'name="retention"' not in form
    assert api.post("btl_clerk", "/api/v1/records", {**record, "notation": "11.KN", "retention": "10 năm"}
                    ).status_code == 422


def test_a_record_on_an_item_is_due_for_destruction_on_31_december_of_its_end_year_plus_the_term(
        api: Api, platform: Platform) -> None:
    short, permanent = _item(api, "04.02", "3 năm"), _item(api, "04.01", "Vĩnh viễn")
    ids = {}
    for notation, item in (("11.CT", short), ("12.QT", permanent)):
        r = api.post("btl_clerk", "/api/v1/records", {"notation": notation, "title": f"Hồ sơ {notation} năm 2020",
                                                      "year": 2020, "retention_item_id": item})
        assert r.status_code == 201, r.get_json()
        ids[notation] = r.get_json()["id"]
        assert _patch(api, "btl_clerk", f"/api/v1/records/{ids[notation]}", {"closed_on": "2020-05-10"}
                      ).status_code == 200
    due = api.get("btl_clerk", "/api/v1/archives/due").get_json()  # the test clock: March 2026
    expired = {r["id"]: r for r in due["expired"]}
    assert set(expired) == {ids["11.CT"]}  # the permanent one is never due for destruction
    assert (expired[ids["11.CT"]]["retention_until"], expired[ids["11.CT"]]["retention_item"]["code"]) == \
        ("2023-12-31", "04.02")
    assert ids["12.QT"] in {r["id"] for r in due["handover"]}  # kept for ever: handed to the archive


def test_migration_0046_keeps_older_records_retention_and_names_no_item(api: Api, platform: Platform) -> None:
    older = api.post("btl_clerk", "/api/v1/records", {"notation": "13.CU", "title": "Hồ sơ mở trước khi có bảng",
                                                      "retention": "20 năm"}).get_json()["id"]
    config = schema.alembic_config(platform.db.url)
    with platform.db.engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0039")
        assert "retention_items" not in inspect(connection).get_table_names()
        assert "retention_item_id" not in {c["name"] for c in inspect(connection).get_columns("records")}
        command.upgrade(config, "head")
    with platform.db.read() as session:
        record = session.get(Record, older)
        assert record is not None and (record.retention, record.retention_item_id) == ("20 năm", None)

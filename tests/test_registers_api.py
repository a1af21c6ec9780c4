"""Registers in the API: the books of my agency with their counts, a book's entries for a
year in number order with the Decree 30 Appendix IV columns, and who may read them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from engine.core.clock import FakeClock
from engine.core.platform import Platform
from engine.models import Assignment, AssignmentRole, AssignmentStatus, Unit, User
from tests.conftest import START, Api
from tests.flows import DRAFT, issue_via_deputy

INCOMING = {"doc_type": "CV", "subject": "Về việc tăng cường phòng chống dịch sốt xuất huyết",
            "number_symbol": "125/SYT-NVY", "issuer_name": "Sở Y tế Hà Nội", "issuer_organ_id": "000.00.12.H26",
            "document_date": "2026-02-27", "description": "Bản giấy kèm theo"}


def _enter(api: Api, data: dict[str, Any], direction: str = "incoming") -> dict[str, Any]:
    r = api.post("btl_clerk", "/api/v1/documents", {"direction": direction, "data": data,
                                                    "confirm_duplicates": True})  # some are entered twice on purpose
    assert r.status_code == 201, r.get_json()
    document: dict[str, Any] = r.get_json()["document"]
    return document


def _get(api: Api, user: str, path: str, status: int = 200) -> dict[str, Any]:
    r = api.get(user, path)
    assert r.status_code == status, (path, r.get_json())
    body: dict[str, Any] = r.get_json()
    return body


def _hand_over(platform: Platform, document_id: int) -> None:
    """The director hands the document to KHNV to handle, which passes it on to a specialist."""
    with platform.db.write() as s:
        director, specialist = (s.scalars(select(User).where(User.username == n)).one()
                                for n in ("btl_director", "btl_spec_khnv"))
        unit = s.scalars(select(Unit).where(Unit.code == "KHNV")).one()
        first = Assignment(document_id=document_id, from_user_id=director.id, to_unit_id=unit.id,
                           role=AssignmentRole.MAIN, status=AssignmentStatus.OPEN, created_at=START)
        s.add(first)
        s.flush()
        s.add(Assignment(document_id=document_id, parent_id=first.id, from_user_id=director.id,
                         to_user_id=specialist.id, role=AssignmentRole.MAIN, status=AssignmentStatus.OPEN,
                         created_at=START))
        s.add(Assignment(document_id=document_id, from_user_id=director.id, to_user_id=specialist.id,
                         role=AssignmentRole.INFO, status=AssignmentStatus.OPEN, created_at=START))


def test_incoming_register_pages_in_number_order(api: Api, platform: Platform) -> None:
    ids = [_enter(api, {**INCOMING, "number_symbol": f"{120 + n}/SYT-NVY"})["id"] for n in range(1, 6)]
    _hand_over(platform, ids[0])
    pages = [_get(api, "btl_clerk", f"/api/v1/registers/incoming?year=2026&per_page=2&page={p}") for p in (1, 2, 3)]
    assert [[e["number"] for e in p["items"]] for p in pages] == [[1, 2], [3, 4], [5]]
    assert {p["total"] for p in pages} == {5}
    first = pages[0]
    assert (first["agency"], first["year"], first["book"]["code"], first["book"]["secret"]) == (
        "btl", 2026, "incoming", False)
    assert [c["title"] for c in first["columns"]] == [
        "Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng", "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận", "Ghi chú"]
    entry = first["items"][0]
    assert {k: entry[k] for k in ("arrival_date", "number", "issuer_name", "number_symbol", "document_date",
                                  "doc_type_name", "subject", "receivers", "note")} == {
        "arrival_date": "2026-03-02", "number": 1, "issuer_name": "Sở Y tế Hà Nội", "number_symbol": "121/SYT-NVY",
        "document_date": "2026-02-27", "doc_type_name": "Công văn", "subject": INCOMING["subject"],
        "receivers": [{"unit": "Phòng Kế hoạch – Nghiệp vụ", "person": None, "role": "main"},
                      {"unit": None, "person": "Vũ Thu Hà", "role": "info"}],
        "note": "Bản giấy kèm theo"}
    assert first["items"][1]["receivers"] == []
    # The current year is the default, and another year is empty.
    assert _get(api, "btl_clerk", "/api/v1/registers/incoming")["total"] == 5
    assert _get(api, "btl_clerk", "/api/v1/registers/incoming?year=2025")["items"] == []


def test_registers_list_counts_the_year_and_hides_what_the_user_may_not_read(api: Api, clock: FakeClock) -> None:
    _enter(api, INCOMING)
    _enter(api, {**INCOMING, "number_symbol": "126/SYT-NVY"})
    _enter(api, {**INCOMING, "secrecy": "mat", "number_symbol": "07/M-SYT"})
    clock.set(datetime(2027, 1, 4, 2, 0, tzinfo=UTC))
    api.tokens.clear()  # the morning's tokens expired overnight
    _enter(api, {**INCOMING, "number_symbol": "01/SYT-NVY", "document_date": "2027-01-02"})

    def counts(user: str, year: int) -> dict[str, int]:
        return {b["code"]: b["entries"] for b in _get(api, user, f"/api/v1/registers?year={year}")["items"]}

    assert counts("btl_clerk", 2026) == {"outgoing": 0, "incoming": 2, "outgoing_secret": 0, "incoming_secret": 1,
                                         "copies": 0}
    assert counts("btl_director", 2027) == {"outgoing": 0, "incoming": 1, "outgoing_secret": 0,
                                            "incoming_secret": 0, "copies": 0}
    assert counts("btl_admin", 2026) == {"outgoing": 0, "incoming": 2, "copies": 0}  # no secret books
    assert counts("btl_spec_khnv", 2026) == {}
    # A new year's register starts again from number 1.
    assert [e["number"] for e in _get(api, "btl_clerk", "/api/v1/registers/incoming")["items"]] == [1]
    assert _get(api, "btl_clerk", "/api/v1/registers?agency=btl")["year"] == 2027


def test_only_register_keepers_read_a_register_and_secret_ones_only_secret_readers(api: Api) -> None:
    _enter(api, {**INCOMING, "secrecy": "toi_mat", "number_symbol": "07/M-SYT"})
    for user in ("btl_spec_khnv", "btl_head_khnv", "btl_head_tyt1"):
        assert "văn thư" in _get(api, user, "/api/v1/registers/incoming", 403)["error"], user
        _get(api, user, "/api/v1/registers/incoming_secret", 403)
    _get(api, "btl_admin", "/api/v1/registers/incoming")
    assert "mật" in _get(api, "btl_admin", "/api/v1/registers/incoming_secret", 403)["error"]
    for user in ("btl_clerk", "btl_director", "btl_deputy1", "btl_office_chief"):
        page = _get(api, user, "/api/v1/registers/incoming_secret?year=2026")
        assert [(e["number"], e["secrecy"]) for e in page["items"]] == [(1, "toi_mat")], user
        assert page["columns"][-1] == {"title": "Độ mật", "fields": ["secrecy"]}


def test_register_requests_are_checked(api: Api) -> None:
    _get(api, "btl_clerk", "/api/v1/registers/unknown", 404)
    _get(api, "btl_clerk", "/api/v1/registers/incoming?agency=elsewhere", 403)
    _get(api, "btl_clerk", "/api/v1/registers?agency=elsewhere", 403)
    for path, field in (("/api/v1/registers/incoming?year=abc", "year"), ("/api/v1/registers?year=99999", "year"),
                        ("/api/v1/registers/incoming?per_page=0", "per_page"),
                        ("/api/v1/registers/incoming?page=x", "page")):
        assert _get(api, "btl_clerk", path, 422)["fields"][field], path
    assert api.client.get("/api/v1/registers").status_code == 401
    assert api.client.get("/api/v1/registers/incoming").status_code == 401


def test_outgoing_registers_show_signer_recipients_and_archive_unit(api: Api) -> None:
    issue_via_deputy(api)
    page = _get(api, "btl_office_chief", "/api/v1/registers/outgoing?year=2026")
    assert [c["title"] for c in page["columns"]][:6] == [
        "Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung văn bản", "Người ký",
        "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu"]
    [entry] = page["items"]
    assert {k: entry[k] for k in ("number", "number_symbol", "document_date", "doc_type_name", "subject",
                                  "archive_unit", "sent_on")} == {
        "number": 1, "number_symbol": "01/KH-TTYT", "document_date": "2026-03-02", "doc_type_name": "Kế hoạch",
        "subject": DRAFT["subject"], "archive_unit": "Khoa Kiểm soát dịch bệnh", "sent_on": "2026-03-02"}

    # A secret outgoing entry, entered by the clerk with all its metadata, in its own book.
    secret = _enter(api, {
        "doc_type": "BC", "subject": "Báo cáo mật về công tác phòng dịch", "secrecy": "mat",
        "signer_authority": "KT.", "signer_position": "Phó Giám đốc", "signer_name": "Lê Thị Hồng Nhung",
        "recipients": [{"name": "Sở Y tế Hà Nội", "delivery": "paper"},
                       {"unit": "TYT1", "name": "Trạm Y tế phường số 1", "delivery": "paper"}]}, "outgoing")
    [entry] = _get(api, "btl_clerk", "/api/v1/registers/outgoing_secret")["items"]
    assert {k: entry[k] for k in ("id", "number_symbol", "signer_authority", "signer_position", "signer_name",
                                  "recipients", "secrecy")} == {
        "id": secret["id"], "number_symbol": "01/BC-TTYT", "signer_authority": "KT.",
        "signer_position": "Phó Giám đốc", "signer_name": "Lê Thị Hồng Nhung",
        "recipients": ["Sở Y tế Hà Nội", "Trạm Y tế phường số 1"], "secrecy": "mat"}


def test_openapi_describes_registers_and_search(api: Api) -> None:
    paths = api.client.get("/api/openapi.json").get_json()["paths"]
    for path in ("/api/v1/registers", "/api/v1/registers/{code}", "/api/v1/search"):
        assert "422" in paths[path]["get"]["responses"], path

"""A request that does not fit its route's shape (webui.contract) gets a 422 naming each field
with its message: Vietnamese, English under English; a body's undeclared fields are named;
integers are checked against the bounds the document declares; uploads are checked as forms."""

from __future__ import annotations

import io
from typing import Any

from flask import session
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from engine.core.platform import Platform
from tests.conftest import Api
from tests.flows import only_task, start
from webui import create_app
from webui.api.work.workflow import StartCase
from webui.contract.document import openapi_path
from webui.contract.messages import refusal

SPECIALIST = "btl_spec_khnv"


def test_each_field_gets_its_vietnamese_message(bare_api: Api) -> None:
    r = bare_api.post(SPECIALIST, "/api/v1/cases", {"process": 5, "unit_id": "một", "data": [], "extra": 1})
    assert r.status_code == 422
    assert r.get_json() == {"error": "Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", "fields": {
        "process": "Cần một chuỗi ký tự.", "unit_id": "Cần số nguyên.", "data": "Cần một đối tượng JSON.",
        "extra": "Trường không được hỗ trợ."}}


def test_a_shape_keeps_its_own_message(bare_api: Api) -> None:
    r = bare_api.client.post("/api/v1/auth/token", json={"username": "btl_clerk"})
    assert r.status_code == 422
    assert r.get_json() == {"error": "Thiếu tên đăng nhập hoặc mật khẩu.", "fields": {"password": "Bắt buộc."}}
    r = bare_api.post("btl_clerk", "/api/v1/notifications/read", {"ids": ["1"]})
    assert r.get_json()["fields"] == {"ids": "Cần danh sách mã số, hoặc 'all'."}


def test_undeclared_fields_alone_are_named_in_the_error(bare_api: Api) -> None:
    r = bare_api.post("btl_clerk", "/api/v1/documents/1/refuse", {"reason": "Sai nơi nhận", "why": "x"})
    assert r.status_code == 422
    assert r.get_json() == {"error": "Có trường không được hỗ trợ: why.",
                            "fields": {"why": "Trường không được hỗ trợ."}}


def test_integers_are_checked_against_the_documented_bounds(bare_api: Api) -> None:
    spec = bare_api.client.get("/api/openapi.json").get_json()
    per_page = next(p for p in spec["paths"]["/api/v1/tasks"]["get"]["parameters"] if p["name"] == "per_page")
    assert (per_page["schema"]["minimum"], per_page["schema"]["maximum"]) == (1, 100)
    for value in (0, 101):
        r = bare_api.get(SPECIALIST, f"/api/v1/tasks?per_page={value}")
        assert r.status_code == 422 and r.get_json()["fields"] == {"per_page": "Từ 1 đến 100."}
    assert bare_api.get(SPECIALIST, "/api/v1/tasks?per_page=100").status_code == 200
    r = bare_api.get("btl_clerk", "/api/v1/registers?year=2101")
    assert r.status_code == 422 and r.get_json()["fields"] == {"year": "Từ 1900 đến 2100."}
    r = bare_api.get("btl_clerk", "/api/v1/search?q=kế+hoạch&year=2101")  # search words it its own way
    assert r.status_code == 422 and r.get_json()["fields"] == {"year": "Năm không hợp lệ (từ 1900 đến 2100)."}


def test_an_upload_is_checked_as_a_form(bare_api: Api) -> None:
    headers = {"Authorization": f"Bearer {bare_api.token('btl_clerk')}"}
    r = bare_api.client.post("/api/v1/documents/1/files", headers=headers, content_type="multipart/form-data",
                             data={"role": "cover", "file": (io.BytesIO(b"%PDF-1.7"), "a.pdf")})
    assert r.status_code == 422 and r.get_json()["fields"] == {"role": "Chọn một trong: main, appendix."}


def test_messages_are_english_under_english(platform: Platform) -> None:
    app = create_app(platform)
    try:
        StartCase.model_validate({"process": 5, "unit_id": 0})
    except ValidationError as error:
        with app.test_request_context("/api/v1/cases", method="POST"):
            session["lang"] = "en"
            refused = refusal(StartCase, error)
    assert (refused.message, refused.fields) == ("The data is not valid, please check it.", {
        "process": "Text is needed.", "unit_id": "From 1 to 2147483647."})


def test_a_refusal_by_the_shape_says_what_the_service_said(bare_api: Api) -> None:
    """Fields the service words itself keep its words when the shape refuses them first."""
    r = bare_api.post("btl_clerk", "/api/v1/records", {"title": 7, "retention": 10, "retention_item_id": "01.05"})
    assert r.status_code == 422
    assert r.get_json() == {"error": "Thông tin hồ sơ chưa hợp lệ.", "fields": {
        "notation": "Ký hiệu hồ sơ: chữ, số, dấu chấm hoặc gạch ngang, tối đa 20 ký tự.",
        "title": "Tiêu đề hồ sơ từ 3 đến 500 ký tự.",
        "retention": "Chọn một thời hạn bảo quản: Vĩnh viễn, 70 năm, 50 năm, 30 năm, 20 năm, 10 năm, 5 năm.",
        "retention_item_id": "Chọn một mục đang dùng của bảng thời hạn bảo quản của cơ quan."}}
    r = bare_api.post("btl_clerk", "/api/v1/documents", {"direction": "sideways", "data": {}})
    assert r.get_json()["fields"] == {"direction": "Chọn incoming hoặc outgoing."}


def _documented(spec: dict[str, Any], app: Any, path: str, method: str, status: int) -> dict[str, Any]:
    rule, _ = app.url_map.bind("localhost").match(path.partition("?")[0], method=method.upper(), return_rule=True)
    schema = spec["paths"][openapi_path(rule)][method]["responses"][str(status)]["content"]["application/json"]
    return {**schema["schema"], "components": spec["components"]}


def test_answers_fit_their_documented_shapes(api: Api) -> None:
    """The answer models are documentation only (not checked at run time): this holds them to
    what the services really answer."""
    spec = api.client.get("/api/openapi.json").get_json()
    app = api.client.application
    case = start(api)
    task = only_task(case)
    asked = [(SPECIALIST, "/api/v1/cases", "post", 201, case)]
    for user, path in [
        (SPECIALIST, f"/api/v1/cases/{case['id']}"), (SPECIALIST, f"/api/v1/tasks/{task['id']}"),
        (SPECIALIST, "/api/v1/tasks"), (SPECIALIST, "/api/v1/processes/btl_outgoing"), (SPECIALIST, "/api/v1/me"),
        (SPECIALIST, "/api/v1/notifications/count"), (SPECIALIST, "/api/v1/me/delegations"),
        (SPECIALIST, "/api/v1/auth/tokens"), ("btl_clerk", "/api/v1/registers"),
        ("btl_clerk", "/api/v1/registers/outgoing"), ("btl_clerk", "/api/v1/search?q=ke+hoach"),
        ("btl_clerk", "/api/v1/reports/summary?from=2026-01-01&to=2026-03-31"),
        ("btl_clerk", "/api/v1/reports/daily-incoming"), ("btl_clerk", "/api/v1/reports/compliance"),
        ("btl_admin", "/api/v1/exchange-agreements"), ("btl_clerk", "/api/v1/records"),
        ("btl_clerk", "/api/v1/info-items"), ("btl_clerk", "/api/v1/conversations"),
    ]:
        r = api.get(user, path)
        assert r.status_code == 200, (path, r.get_json())
        asked.append((user, path, "get", 200, r.get_json()))
    misfits = []
    for _, path, method, status, answer in asked:
        for error in Draft202012Validator(_documented(spec, app, path, method, status)).iter_errors(answer):
            misfits.append(f"{method.upper()} {path}: {'/'.join(map(str, error.absolute_path))}: {error.message}")
    assert misfits == []

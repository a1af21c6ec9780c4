"""The OpenAPI 3.1 document of the JSON API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

_ERROR = {"$ref": "#/components/schemas/Error"}


def _resp(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes: int) -> dict[str, Any]:
    texts = {400: "Yêu cầu sai", 401: "Chưa đăng nhập", 403: "Không có quyền", 404: "Không tìm thấy",
             409: "Xung đột: đã được xử lý", 422: "Dữ liệu không hợp lệ"}
    return {str(c): _resp(texts[c], _ERROR) for c in codes}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_PAGE = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}


def document() -> dict[str, Any]:
    case = {"$ref": "#/components/schemas/Case"}
    task = {"$ref": "#/components/schemas/Task"}
    return {
        "openapi": "3.1.0",
        "info": {"title": "QLVB – Hệ thống quản lý văn bản và điều hành", "version": "1"},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {"type": "object", "required": ["error"], "properties": {
                    "error": {"type": "string"},
                    "fields": {"type": "object", "additionalProperties": {"type": "string"}}}},
                "Person": {"type": "object", "properties": {"username": {"type": "string"},
                                                            "full_name": {"type": "string"}}},
                "Task": {"type": "object", "properties": {
                    "id": {"type": "string"}, "case_id": {"type": "integer"}, "task": {"type": "string"},
                    "title": {"type": "string"}, "lane": {"type": "string"},
                    "kind": {"type": ["string", "null"], "enum": ["comment", None],
                             "description": "the task's taskKind property: comment = góp ý, shown in green"},
                    "status": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "assignees": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
                    "form": {"type": ["object", "null"], "description": "JSON Schema of the task's form"}}},
                "Case": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "process": {"type": "string"}, "version": {"type": "integer"},
                    "title": {"type": "string"}, "status": {"type": "string", "enum": ["running", "completed"]},
                    "initiator": {"type": "string"}, "data": {"type": "object"},
                    "open_tasks": {"type": "array", "items": task}}},
                "Page": {"type": "object", "properties": {"items": {"type": "array"}, "page": {"type": "integer"},
                                                          "per_page": {"type": "integer"},
                                                          "total": {"type": "integer"}}},
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/v1/auth/token": {"post": {
                "summary": "Đăng nhập, nhận mã truy cập", "security": [],
                "requestBody": _json_body({"type": "object", "required": ["username", "password"], "properties": {
                    "username": {"type": "string"}, "password": {"type": "string"}}}),
                "responses": {"200": _resp("Mã truy cập", {"type": "object", "properties": {
                    "token": {"type": "string"}}}), **_errors(401, 422)}}},
            "/api/v1/processes": {"get": {
                "summary": "Các quy trình đã triển khai",
                "responses": {"200": _resp("Danh sách", {"type": "object"}), **_errors(401)}}},
            "/api/v1/cases": {
                "get": {"summary": "Hồ sơ đang theo dõi", "parameters": [
                    {"name": "view", "in": "query", "schema": {"type": "string", "enum": ["following"]}}, *_PAGE],
                    "responses": {"200": _resp("Trang kết quả", {"$ref": "#/components/schemas/Page"}),
                                  **_errors(401, 422)}},
                "post": {"summary": "Khởi tạo hồ sơ theo quy trình",
                         "requestBody": _json_body({"type": "object", "required": ["process"], "properties": {
                             "process": {"type": "string"}, "data": {"type": "object"},
                             "unit_id": {"type": "integer"}}}),
                         "responses": {"201": _resp("Hồ sơ đã tạo", case), **_errors(401, 403, 404, 422)}}},
            "/api/v1/cases/{case_id}": {"get": {
                "summary": "Chi tiết hồ sơ", "parameters": [_CASE_ID],
                "responses": {"200": _resp("Hồ sơ", case), **_errors(401, 403, 404)}}},
            "/api/v1/cases/{case_id}/history": {"get": {
                "summary": "Lịch sử xử lý (nhật ký kiểm toán)", "parameters": [_CASE_ID],
                "responses": {"200": _resp("Các mục nhật ký", {"type": "object"}), **_errors(401, 403, 404)}}},
            "/api/v1/tasks": {"get": {
                "summary": "Công việc cần xử lý của tôi", "parameters": _PAGE,
                "responses": {"200": _resp("Trang kết quả", {"$ref": "#/components/schemas/Page"}),
                              **_errors(401, 422)}}},
            "/api/v1/tasks/{task_id}": {"get": {
                "summary": "Chi tiết công việc và biểu mẫu", "parameters": [_TASK_ID],
                "responses": {"200": _resp("Công việc", task), **_errors(401, 403, 404)}}},
            "/api/v1/tasks/{task_id}/complete": {"post": {
                "summary": "Hoàn thành công việc", "parameters": [_TASK_ID],
                "requestBody": _json_body({"type": "object", "properties": {"data": {"type": "object"}}}),
                "responses": {"200": _resp("Hồ sơ sau khi xử lý", case), **_errors(401, 403, 404, 409, 422)}}},
        },
    }

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
_YEAR = {"name": "year", "in": "query", "description": "Năm của sổ (mặc định: năm nay)",
         "schema": {"type": "integer", "minimum": 1900, "maximum": 2100}}
_AGENCY = {"name": "agency", "in": "query", "description": "Mã cơ quan, khi thuộc nhiều cơ quan",
           "schema": {"type": "string"}}
_SEARCH = [
    {"name": "q", "in": "query", "required": True, "description": "Từ khóa, không phân biệt dấu (tối đa 200 ký tự)",
     "schema": {"type": "string", "maxLength": 200}},
    {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["incoming", "outgoing"]}},
    {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 1900, "maximum": 2100}},
    {"name": "doc_type", "in": "query", "description": "Viết tắt loại văn bản (QĐ, CV, …)",
     "schema": {"type": "string"}},
]
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _paged(item: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": item}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "total": {"type": "integer"}, **(extra or {})}}


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
                    "title": {"type": "string"}, "lane": {"type": "string"}, "status": {"type": "string"},
                    "created_at": {"type": "string", "format": "date-time"},
                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                    "assignees": {"type": "array", "items": {"$ref": "#/components/schemas/Person"}},
                    "form": {"type": ["object", "null"], "description": "JSON Schema of the task's form"}}},
                "Case": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "process": {"type": "string"}, "version": {"type": "integer"},
                    "title": {"type": "string"}, "status": {"type": "string", "enum": ["running", "completed"]},
                    "initiator": {"type": "string"}, "data": {"type": "object"},
                    "open_tasks": {"type": "array", "items": task}}},
                "SearchHit": {"type": "object", "properties": {
                    "id": {"type": "integer"}, "direction": {"type": "string", "enum": ["incoming", "outgoing"]},
                    "status": {"type": "string"}, "doc_type": {"type": "string"},
                    "doc_type_name": _NULLABLE_STRING, "subject": {"type": "string"},
                    "number_symbol": _NULLABLE_STRING, "number": {"type": ["integer", "null"]},
                    "year": {"type": ["integer", "null"]}, "document_date": _NULLABLE_DATE,
                    "arrival_date": _NULLABLE_DATE, "issuer_name": _NULLABLE_STRING,
                    "urgency": {"type": "string"}, "secrecy": {"type": "string"}}},
                "RegisterBook": {"type": "object", "properties": {
                    "agency": {"type": "string"}, "code": {"type": "string"}, "name": {"type": "string"},
                    "direction": {"type": "string", "enum": ["incoming", "outgoing"]}, "secret": {"type": "boolean"},
                    "copies": {"type": "boolean"}, "entries": {"type": "integer", "description": "Số mục trong năm"}}},
                "RegisterEntry": {
                    "type": "object",
                    "description": "Một dòng của sổ (Phụ lục IV Nghị định 30/2020): các trường chung, cộng trường "
                                   "của sổ đi (signer_*, recipients, archive_unit, page_amount, sent_on) hoặc "
                                   "của sổ đến (arrival_date, issuer_name, issuer_organ_id, due_date, receivers)",
                    "properties": {
                        "id": {"type": "integer"}, "number": {"type": "integer", "description": "Số (số đến)"},
                        "number_symbol": _NULLABLE_STRING, "document_date": _NULLABLE_DATE,
                        "doc_type": {"type": "string"}, "doc_type_name": _NULLABLE_STRING,
                        "subject": {"type": "string"}, "urgency": {"type": "string"}, "secrecy": {"type": "string"},
                        "status": {"type": "string"}, "note": _NULLABLE_STRING,
                        "signer_authority": _NULLABLE_STRING, "signer_position": _NULLABLE_STRING,
                        "signer_name": _NULLABLE_STRING, "recipients": {"type": "array", "items": {"type": "string"}},
                        "archive_unit": _NULLABLE_STRING, "page_amount": {"type": ["integer", "null"]},
                        "copy_kind": _NULLABLE_STRING, "sent_on": _NULLABLE_DATE,
                        "arrival_date": _NULLABLE_DATE, "issuer_name": _NULLABLE_STRING,
                        "issuer_organ_id": _NULLABLE_STRING, "due_date": _NULLABLE_DATE,
                        "receivers": {"type": "array", "items": {"type": "object", "properties": {
                            "unit": _NULLABLE_STRING, "person": _NULLABLE_STRING,
                            "role": {"type": "string", "enum": ["main", "co", "info"]}}}}}},
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
            "/api/v1/search": {"get": {
                "summary": "Tìm văn bản theo trích yếu, số ký hiệu, cơ quan ban hành, nội dung",
                "description": "Mọi từ phải có mặt nguyên từ, riêng từ cuối (từ 2 ký tự) có thể là phần đầu "
                               "của một từ; các từ nối bằng dấu (125/SYT) phải liền nhau theo thứ tự. Kết quả mới "
                               "nhất trước, chỉ gồm văn bản người dùng được xem; đếm và xem tối đa 1000 kết quả "
                               "(total_exact = false khi nhiều hơn).",
                "parameters": [*_SEARCH, *_PAGE],
                "responses": {"200": _resp("Trang kết quả", _paged({"$ref": "#/components/schemas/SearchHit"}, {
                    "total_exact": {"type": "boolean", "description": "false: có hơn 1000 kết quả"}})),
                              **_errors(401, 422)}}},
            "/api/v1/registers": {"get": {
                "summary": "Các sổ đăng ký văn bản tôi được xem, với số mục trong năm",
                "parameters": [_YEAR, _AGENCY],
                "responses": {"200": _resp("Danh sách sổ", {"type": "object", "properties": {
                    "year": {"type": "integer"},
                    "items": {"type": "array", "items": {"$ref": "#/components/schemas/RegisterBook"}}}}),
                    **_errors(401, 403, 422)}}},
            "/api/v1/registers/{code}": {"get": {
                "summary": "Các mục của một sổ trong năm, theo thứ tự số",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                                "description": "Mã sổ: incoming, outgoing, incoming_secret, …"},
                               _YEAR, _AGENCY, *_PAGE],
                "responses": {"200": _resp("Trang của sổ", _paged({"$ref": "#/components/schemas/RegisterEntry"}, {
                    "agency": {"type": "string"}, "year": {"type": "integer"},
                    "book": {"$ref": "#/components/schemas/RegisterBook"},
                    "columns": {"type": "array", "items": {"type": "object", "properties": {
                        "title": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}}}}})),
                    **_errors(401, 403, 404, 422)}}},
            "/api/v1/tasks/{task_id}/complete": {"post": {
                "summary": "Hoàn thành công việc", "parameters": [_TASK_ID],
                "requestBody": _json_body({"type": "object", "properties": {"data": {"type": "object"}}}),
                "responses": {"200": _resp("Hồ sơ sau khi xử lý", case), **_errors(401, 403, 404, 409, 422)}}},
        },
    }

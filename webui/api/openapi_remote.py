"""The remote signing part of the OpenAPI document (webui.api_remote_signing)."""

from __future__ import annotations

from typing import Any

_TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
_REQUEST = {"name": "request_id", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 64}}
_PROVIDER_ID = {"name": "provider_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_ERROR = {"$ref": "#/components/schemas/Error"}
_TEXTS = {401: "Chưa đăng nhập", 403: "Không có quyền", 404: "Không tìm thấy", 409: "Xung đột: đã được xử lý",
          422: "Dữ liệu không hợp lệ"}

_STATUS = {"type": "object", "properties": {
    "id": {"type": "string"},
    "state": {"type": "string", "enum": ["waiting", "completed", "rejected", "expired", "cancelled", "failed"]},
    "message": {"type": ["string", "null"]}, "created_at": {"type": "string", "format": "date-time"},
    "expires_at": {"type": "string", "format": "date-time"}, "case_id": {"type": ["integer", "null"]}}}
_PROVIDER = {"type": "object", "properties": {
    "id": {"type": "integer"}, "name": {"type": "string"}, "kind": {"type": "string", "enum": ["csc", "approval"]},
    "endpoint": {"type": "string"}, "client_id": {"type": "string"}, "timeout_seconds": {"type": "integer"},
    "enabled": {"type": "boolean"}, "has_secret": {"type": "boolean"}}}
_PROVIDER_BODY = {"type": "object", "properties": {
    "agency": {"type": "string"}, "name": {"type": "string", "maxLength": 100},
    "kind": {"type": "string", "enum": ["csc", "approval"]}, "endpoint": {"type": "string", "maxLength": 500},
    "client_id": {"type": "string", "maxLength": 200},
    "secret": {"type": "string", "maxLength": 500, "description": "never shown back, logged nor audited"},
    "timeout_seconds": {"type": "integer", "minimum": 30, "maximum": 300}, "enabled": {"type": "boolean"}}}


def _resp(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(c): _resp(_TEXTS[c], _ERROR) for c in codes}


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def remote_signing_paths() -> dict[str, Any]:
    base = "/api/v1/tasks/{task_id}/remote-signing"
    return {
        base: {
            "get": {"summary": "Các dịch vụ ký số từ xa cho bước ký của công việc", "parameters": [_TASK_ID],
                    "responses": {"200": _resp("Dịch vụ và tài khoản đã dùng lần trước", {"type": "object"}),
                                  **_errors(401)}},
            "post": {"summary": "Ký bằng chữ ký số từ xa: gửi yêu cầu xác nhận đến điện thoại",
                     "description": "Công việc được hoàn thành khi người ký xác nhận trên điện thoại; hỏi trạng "
                                    "thái bằng .../check vài giây một lần.",
                     "parameters": [_TASK_ID],
                     "requestBody": _body({"type": "object", "required": ["data", "provider", "account"],
                                           "properties": {"data": {"type": "object"}, "provider": {"type": "integer"},
                                                          "account": {"type": "string", "maxLength": 100},
                                                          "pin": {"type": "string", "description": "used once"}}}),
                     "responses": {"201": _resp("Yêu cầu ký", _STATUS), **_errors(401, 403, 404, 409, 422)}}},
        base + "/{request_id}/check": {"post": {
            "summary": "Trạng thái yêu cầu ký số từ xa (hỏi dịch vụ trước)", "parameters": [_TASK_ID, _REQUEST],
            "responses": {"200": _resp("Trạng thái", _STATUS), **_errors(401, 404)}}},
        base + "/{request_id}/cancel": {"post": {
            "summary": "Hủy yêu cầu ký số từ xa đang chờ", "parameters": [_TASK_ID, _REQUEST],
            "responses": {"200": _resp("Trạng thái", _STATUS), **_errors(401, 404, 409)}}},
        "/api/v1/remote-signing/callback/{provider_id}": {"post": {
            "summary": "Thông báo kết quả của dịch vụ ký số từ xa (dịch vụ gọi, không đăng nhập)",
            "description": "Thân: {transaction_id, status, signature}; header X-Signature: HMAC-SHA256 của thân "
                           "với khóa bí mật của cơ quan (hex).",
            "parameters": [_PROVIDER_ID, {"name": "X-Signature", "in": "header", "required": True,
                                          "schema": {"type": "string", "maxLength": 128}}],
            "requestBody": _body({"type": "object", "required": ["transaction_id", "status"], "properties": {
                "transaction_id": {"type": "string"},
                "status": {"type": "string", "enum": ["pending", "approved", "rejected", "expired"]},
                "signature": {"type": "string"}}}),
            "responses": {"200": _resp("Đã nhận", {"type": "object"}), **_errors(403, 404, 422)}}},
        "/api/v1/admin/remote-signing-providers": {
            "get": {"summary": "Dịch vụ ký số từ xa của cơ quan (quản trị)",
                    "parameters": [{"name": "agency", "in": "query", "schema": {"type": "string", "maxLength": 32}}],
                    "responses": {"200": _resp("Danh sách", {"type": "object", "properties": {
                        "items": {"type": "array", "items": _PROVIDER}}}), **_errors(401, 403)}},
            "post": {"summary": "Thêm dịch vụ ký số từ xa", "requestBody": _body(_PROVIDER_BODY),
                     "responses": {"201": _resp("Dịch vụ", _PROVIDER), **_errors(401, 403, 422)}}},
        "/api/v1/admin/remote-signing-providers/{provider_id}": {"post": {
            "summary": "Sửa dịch vụ ký số từ xa (khóa bí mật để trống: giữ nguyên)", "parameters": [_PROVIDER_ID],
            "requestBody": _body(_PROVIDER_BODY),
            "responses": {"200": _resp("Dịch vụ", _PROVIDER), **_errors(401, 403, 404, 422)}}},
    }

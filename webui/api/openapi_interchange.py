"""The OpenAPI paths of liên thông between installations (webui/api_interchange.py)."""

from __future__ import annotations

from typing import Any

from exchange import clerk, directory

from .openapi import _DOC_ID, _errors, _json_body, _resp

_STATUS = {"type": "object", "properties": {
    "status": {"type": "string", "description": "01 đã đến … 16; 02 từ chối tiếp nhận"},
    "description": {"type": "string"}, "document_id": {"type": "string", "description": "DocumentId edXML"},
    "duplicate": {"type": "boolean", "description": "the same package was received before"}}}
_PARTNER = {"type": "object", "properties": {
    **{k: {"type": "string"} for k in ("organ_id", "name", "transport", "endpoint", "certificate_pem",
                                       "credentials_ref", "certificate_subject", "updated_at")},
    "id": {"type": "integer"}, "active": {"type": "boolean"}}}
_RECEIVED = {"type": "object", "properties": {
    "id": {"type": "integer"}, "edxml_document_id": {"type": "string"}, "business_type": {"type": "integer"},
    "state": {"type": "string", "enum": list(clerk.STATES)}, "last_status": {"type": "string"},
    "received_at": {"type": "string"}, "from_organ_id": {"type": "string"}, "from_name": {"type": "string"},
    "document": {"type": ["object", "null"]}}}
_RECEIVED_ID = {"name": "received_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_AGENCY = {"name": "agency", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 32}}
_ITEMS = {"type": "object", "properties": {"items": {"type": "array"}}}


def paths() -> dict[str, Any]:
    return {
        "/api/v1/exchange/edxml": {"post": {
            "summary": "Nhận gói tin edXML (văn bản hoặc trạng thái) từ hệ thống của cơ quan khác",
            "description": "Không dùng mã Bearer: cơ quan gửi xác thực bằng HMAC-SHA256 với khóa bí mật dùng chung "
                           "(tiêu đề X-QLVB-Organ-From, X-QLVB-Organ-To, X-QLVB-Timestamp, X-QLVB-Signature); "
                           "gói tin được kiểm tra (XSD, chữ ký số của cơ quan gửi) trước khi lưu.",
            "security": [],
            "requestBody": {"required": True, "content": {"application/xml": {"schema": {"type": "string"}}}},
            "responses": {"200": _resp("Đã nhận trước đó, hoặc trạng thái đã ghi nhận", _STATUS),
                          "201": _resp("Đã nhận (01)", _STATUS),
                          "401": _resp("Chưa xác thực được cơ quan gửi", _STATUS),
                          "413": _resp("Gói tin quá lớn"), "422": _resp("Từ chối tiếp nhận (02)", _STATUS)}}},
        "/api/v1/exchange/partners/{agency}": {
            "get": {"summary": "Danh bạ cơ quan liên thông của cơ quan (quản trị)", "parameters": [_AGENCY],
                    "responses": {"200": _resp("Danh sách", {"type": "object", "properties": {
                        "items": {"type": "array", "items": _PARTNER}}}), **_errors(401, 403, 404)}},
            "put": {"summary": "Thêm hoặc sửa một cơ quan trong danh bạ (theo mã định danh)", "parameters": [_AGENCY],
                    "requestBody": _json_body(directory.SCHEMA),
                    "responses": {"200": _resp("Cơ quan", _PARTNER), **_errors(401, 403, 404, 422)}}},
        "/api/v1/exchange/incoming": {"get": {
            "summary": "Văn bản đến điện tử (văn thư, quản trị)",
            "parameters": [{"name": "state", "in": "query", "schema": {"type": "string", "enum": list(clerk.STATES)}}],
            "responses": {"200": _resp("Danh sách", {"type": "object", "properties": {
                "items": {"type": "array", "items": _RECEIVED}}}), **_errors(401, 403, 422)}}},
        "/api/v1/exchange/incoming/{received_id}/register": {"post": {
            "summary": "Vào sổ văn bản đến điện tử; báo 03 cho cơ quan gửi", "parameters": [_RECEIVED_ID],
            "requestBody": _json_body({"type": "object", "properties": {
                "process": {"type": "string", "maxLength": 100}, "note": {"type": "string", "maxLength": 2000},
                "confirm_duplicates": {"type": "boolean"}}}),
            "responses": {"200": _resp("Đã vào sổ", {"type": "object"}), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/exchange/incoming/{received_id}/refuse": {"post": {
            "summary": "Từ chối tiếp nhận; báo 02 với lý do cho cơ quan gửi", "parameters": [_RECEIVED_ID],
            "requestBody": _json_body({"type": "object", "required": ["reason"], "properties": {
                "reason": {"type": "string", "maxLength": 2000}}}),
            "responses": {"200": _resp("Đã từ chối", {"type": "object"}), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/exchange/documents/{document_id}/statuses": {"get": {
            "summary": "Trạng thái văn bản tại từng nơi nhận liên thông (mới nhất, lịch sử, các lần gửi)",
            "parameters": [_DOC_ID],
            "responses": {"200": _resp("Danh sách", _ITEMS), **_errors(401, 403, 404)}}},
    }

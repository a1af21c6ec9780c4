"""The OpenAPI paths of the incident desk and of moving cases between versions (webui/api/operations.py)."""

from __future__ import annotations

from typing import Any


def _resp(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"type": "object"}}}}


def _errors(*codes: int) -> dict[str, Any]:
    return {str(code): {"description": "Lỗi", "content": {"application/json": {"schema": {
        "$ref": "#/components/schemas/Error"}}}} for code in codes}


def _body(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_ID = {"name": "incident_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_PLAN = {"process": {"type": "string"}, "from": {"type": "integer"}, "to": {"type": "integer"},
         "mapping": {"type": "object", "additionalProperties": {"type": "string"}}}


def paths() -> dict[str, Any]:
    return {
        "/api/v1/incidents": {"get": {
            "summary": "Sự cố của các hồ sơ thuộc cơ quan tôi vận hành",
            "parameters": [{"name": "status", "in": "query", "schema": {"type": "string",
                                                                       "enum": ["open", "resolved"]}}],
            "responses": {"200": _resp("Danh sách sự cố"), **_errors(401, 403)}}},
        "/api/v1/incidents/{incident_id}": {"get": {
            "summary": "Một sự cố và những gì cần để xử lý", "parameters": [_ID],
            "responses": {"200": _resp("Sự cố"), **_errors(401, 403, 404)}}},
        "/api/v1/incidents/{incident_id}/repair": {"post": {
            "summary": "Xử lý sự cố: giao lại, chạy lại, chuyển bước, hủy hồ sơ hoặc đóng", "parameters": [_ID],
            "requestBody": _body({"action": {"type": "string", "enum": ["reassign", "retry", "move", "cancel",
                                                                        "close"]},
                                  "reason": {"type": "string"}, "task": {"type": "string"},
                                  "person": {"type": "integer"}, "target": {"type": "string"},
                                  "assign": {"type": "object", "additionalProperties": {"type": "integer"}}},
                                 []),
            "responses": {"200": _resp("Sự cố sau khi xử lý"), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/migrations/plan": {"post": {
            "summary": "Chạy thử chuyển hồ sơ đang xử lý sang phiên bản khác",
            "requestBody": _body(_PLAN, ["process", "from", "to"]),
            "responses": {"200": _resp("Từng hồ sơ: chuyển được hay không, vì sao"), **_errors(401, 403, 404, 422)}}},
        "/api/v1/migrations": {"post": {
            "summary": "Chuyển hồ sơ sang phiên bản khác, mỗi hồ sơ một giao dịch",
            "requestBody": _body({**_PLAN, "cases": {"type": "array", "items": {"type": "integer"}}},
                                 ["process", "from", "to"]),
            "responses": {"200": _resp("Hồ sơ đã chuyển và hồ sơ bị từ chối"), **_errors(401, 403, 404, 422)}}},
        "/api/v1/cases/{case_id}/migration/revert": {"post": {
            "summary": "Hoàn tác chuyển phiên bản khi chưa xử lý bước nào trên phiên bản mới",
            "parameters": [{"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _resp("Hồ sơ"), **_errors(401, 403, 404, 409)}}},
    }

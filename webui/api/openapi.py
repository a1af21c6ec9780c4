"""The OpenAPI 3.1 document of the JSON API, served at ``/api/openapi.json``."""

from __future__ import annotations

from typing import Any

from engine.core.db import MAX_INT

from .openapi_remote import remote_signing_paths

_ERROR = {"$ref": "#/components/schemas/Error"}


def _resp(description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"description": description}
    if schema is not None:
        body["content"] = {"application/json": {"schema": schema}}
    return body


def _errors(*codes: int) -> dict[str, Any]:
    texts = {400: "Yêu cầu sai", 401: "Chưa đăng nhập", 403: "Không có quyền", 404: "Không tìm thấy",
             409: "Xung đột: đã được xử lý", 422: "Dữ liệu không hợp lệ",
             429: "Tạm khóa do đăng nhập sai nhiều lần"}
    return {str(c): _resp(texts[c], _ERROR) for c in codes}


def _json_body(schema: dict[str, Any]) -> dict[str, Any]:
    return {"required": True, "content": {"application/json": {"schema": schema}}}


_PAGE = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100_000, "default": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100, "default": 20}},
]
_CASE_ID = {"name": "case_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_REQUEST_ID = {"name": "request_id", "in": "path", "required": True, "schema": {"type": "integer"}}
_TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string", "format": "uuid"}}
_AGENCY = {"name": "agency", "in": "query", "description": "Mã cơ quan; bỏ trống nếu bạn chỉ giữ sổ của một cơ quan",
           "schema": {"type": "string", "maxLength": 32}}
_YEAR = {"name": "year", "in": "query", "description": "Năm; mặc định năm nay",
         "schema": {"type": "integer", "minimum": 1900, "maximum": 2100}}


def _counts(*names: str) -> dict[str, Any]:
    return {"type": "object", "properties": {n: {"type": "integer"} for n in names}}


def _report_schemas() -> dict[str, Any]:
    unit = {"type": ["object", "null"], "description": "null: chưa giao đơn vị",
            "properties": {"id": {"type": "integer"}, "code": {"type": "string"}, "name": {"type": "string"}}}
    summary = ("incoming", "outgoing", "processed", "unprocessed", "overdue", "recalled", "corrected", "replaced",
               "voided", "notices")
    signatures = ("issued", "valid", "paper", "secret", "unsigned", "invalid", "noncompliant")
    period = {"allOf": [_counts(*summary), {"type": "object", "properties": {
        "period": {"type": "string", "examples": ["2026-03-02", "2026-03", "2026-Q1", "2026"]},
        "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"}}}]}
    agency = {"type": "object", "properties": {"code": {"type": "string"}, "name": {"type": "string"}}}
    return {
        "ReportUnit": unit,
        "SummaryReport": {"type": "object", "properties": {
            "agency": agency, "from": {"type": "string", "format": "date"}, "to": {"type": "string", "format": "date"},
            "group": {"type": "string", "enum": ["day", "month", "quarter", "year"]},
            "as_of": {"type": "string", "format": "date"}, "totals": _counts(*summary),
            "periods": {"type": "array", "items": period},
            "units": {"type": "array", "items": {"allOf": [_counts(*summary), {"type": "object", "properties": {
                "unit": {"$ref": "#/components/schemas/ReportUnit"},
                "periods": {"type": "array", "items": period}}}]}}}},
        "DailyIncoming": {"type": "object", "properties": {
            "agency": agency, "date": {"type": "string", "format": "date"}, "total": {"type": "integer"},
            "items": {"type": "array", "items": {"type": "object", "description": (
                "Một văn bản đến; với văn bản mật và người không được xem (hidden: true), trích yếu, số ký hiệu, "
                "cơ quan ban hành và ngày văn bản để trống"), "properties": {
                "id": {"type": "integer"}, "book": {"type": "string"}, "number": {"type": "integer"},
                "hidden": {"type": "boolean"}, "subject": {"type": ["string", "null"]},
                "receivers": {"type": "array", "items": {"type": "object", "properties": {
                    "role": {"type": "string", "enum": ["main", "co", "info"]},
                    "unit": {"$ref": "#/components/schemas/ReportUnit"}}}}}}},
            "units": {"type": "array", "items": {"type": "object", "properties": {
                "unit": {"$ref": "#/components/schemas/ReportUnit"},
                "documents": {"type": "array", "items": {"type": "integer"}}}}}}},
        "ComplianceReport": {"type": "object", "properties": {
            "agency": agency, "year": {"type": "integer"}, "totals": _counts(*signatures),
            "months": {"type": "array", "items": {"allOf": [_counts(*signatures), {
                "type": "object", "properties": {"month": {"type": "string", "examples": ["2026-03"]}}}]}},
            "units": {"type": "array", "items": {"allOf": [_counts(*signatures), {
                "type": "object", "properties": {"unit": {"$ref": "#/components/schemas/ReportUnit"}}}]}},
            "items": {"type": "array", "description": "Văn bản đi không có chữ ký số hợp lệ (kể cả ký giấy)",
                      "items": {"type": "object"}}}},
    }


_STATS_PARAMS = [{"name": n, "in": "query", "schema": {"type": "string"}} for n in ("from", "to", "group", "agency")]


def _report_paths() -> dict[str, Any]:
    def date_param(name: str, required: bool, description: str) -> dict[str, Any]:
        return {"name": name, "in": "query", "required": required, "description": description,
                "schema": {"type": "string", "format": "date"}}

    def ref(name: str) -> dict[str, Any]:
        return {"$ref": f"#/components/schemas/{name}"}

    return {
        "/api/v1/reports/statistics": {"get": {
            "summary": "Thống kê tuân thủ theo đơn vị và cá nhân", "parameters": _STATS_PARAMS,
            "responses": {"200": _resp("Số liệu", {"type": "object"}), **_errors(401, 403, 422)}}},
        "/api/v1/reports/statistics.{fmt}": {"get": {
            "summary": "Xuất thống kê tuân thủ (.xlsx hoặc PDF)", "parameters": [
                {"name": "fmt", "in": "path", "required": True,
                 "schema": {"type": "string", "enum": ["xlsx", "pdf"]}},
                *_STATS_PARAMS],
            "responses": {"200": {"description": "Tệp", "content": {
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}, "application/pdf": {}}},
                **_errors(401, 403, 422)}}},
        "/api/v1/reports/summary": {"get": {
            "summary": "Báo cáo số văn bản đến, đi, đã xử lý, chưa xử lý, quá hạn theo đơn vị và kỳ",
            "parameters": [
                _AGENCY, date_param("from", True, "Từ ngày (giờ Việt Nam)"), date_param("to", True, "Đến ngày"),
                {"name": "group", "in": "query", "schema": {"type": "string", "default": "month",
                                                            "enum": ["day", "month", "quarter", "year"]}}],
            "responses": {"200": _resp("Báo cáo", ref("SummaryReport")), **_errors(401, 403, 422)}}},
        "/api/v1/reports/daily-incoming": {"get": {
            "summary": "Danh sách văn bản đến trong ngày để các đơn vị ký nhận",
            "parameters": [_AGENCY, date_param("date", False, "Ngày đến; mặc định hôm nay")],
            "responses": {"200": _resp("Danh sách", ref("DailyIncoming")), **_errors(401, 403, 422)}}},
        "/api/v1/reports/compliance": {"get": {
            "summary": "Văn bản đi phát hành không có chữ ký số hợp lệ, theo tháng và đơn vị",
            "parameters": [_AGENCY, _YEAR],
            "responses": {"200": _resp("Báo cáo", ref("ComplianceReport")), **_errors(401, 403, 422)}}},
        "/api/v1/registers/{code}/print": {"get": {
            "summary": "In sổ đăng ký văn bản đi/đến của một năm (PDF khổ A4 ngang, Phụ lục IV Nghị định 30)",
            "parameters": [{"name": "code", "in": "path", "required": True, "schema": {
                "type": "string", "examples": ["incoming", "outgoing", "incoming_secret", "outgoing_secret"]}},
                _AGENCY, _YEAR],
            "responses": {"200": {"description": "Sổ dạng PDF", "content": {"application/pdf": {
                "schema": {"type": "string", "format": "binary"}}}}, **_errors(401, 403, 404, 422)}}},
    }


_DOC_ID = {"name": "document_id", "in": "path", "required": True, "schema": {"type": "integer"}}


_DECISION = {
    "note": {"type": "string", "maxLength": 2000, "description": "ghi chú: bắt buộc khi chữ ký số không hợp lệ"},
    "confirm_duplicates": {"type": "boolean", "description": "vẫn vào sổ dù có thể trùng văn bản đã vào sổ"},
}
_NEEDS = "Chưa cấp số: chữ ký số không hợp lệ hoặc văn bản có thể trùng, cần quyết định của văn thư"


def _document_paths() -> dict[str, Any]:
    doc = {"$ref": "#/components/schemas/Document"}
    earlier = {"type": "array", "items": {"type": "object", "properties": {
        "id": {"type": "integer"}, "arrival_number": {"type": "integer"}, "year": {"type": "integer"},
        "arrival_date": {"type": "string", "format": "date"}, "url": {"type": "string"}}}}
    found = {"signature_status": {"type": "string", "enum": ["none", "valid", "invalid"]},
             "signature_reasons": {"type": "array", "items": {"type": "string"}}, "duplicates": earlier}
    registered = {"type": "object", "properties": {"document": doc, "duplicates": earlier, "intake": {
        "type": "object", "properties": {**found, "note": {"type": ["string", "null"]}}}}}
    needs = {"type": "object", "properties": {"error": {"type": "string"}, **found, "needs": {
        "type": "array", "items": {"type": "string", "enum": ["note", "confirm_duplicates"]}}}}
    reason = _json_body({"type": "object", "required": ["reason"], "properties": {"reason": {"type": "string"}}})
    return {
        "/api/v1/documents": {"post": {
            "summary": "Vào sổ: văn bản đến (đăng ký ngay hoặc sau bút phê), văn bản mật, văn bản nhập bù",
            "requestBody": _json_body({"type": "object", "required": ["direction", "data"], "properties": {
                "direction": {"type": "string", "enum": ["incoming", "outgoing"]},
                "agency": {"type": "string"}, "register": {"type": "boolean", "default": True},
                "backfilled": {"type": "boolean", "description": "entered after an outage, with its real date"},
                **_DECISION, "data": {"type": "object", "description": "Decree 30 Appendix VI metadata"}}}),
            "responses": {"201": _resp("Văn bản đã vào sổ", registered), "409": _resp(_NEEDS, needs),
                          **_errors(401, 403, 422)}}},
        "/api/v1/documents/{document_id}/register": {"post": {
            "summary": "Vào sổ văn bản đến đã nhận (chữ ký số của tệp chính được kiểm tra trước khi cấp số)",
            "parameters": [_DOC_ID], "requestBody": _json_body({"type": "object", "properties": _DECISION}),
            "responses": {"200": _resp("Văn bản đã vào sổ", registered), "409": _resp(_NEEDS, needs),
                          **_errors(401, 403, 404, 422)}}},
        "/api/v1/documents/{document_id}/refuse": {"post": {
            "summary": "Từ chối tiếp nhận văn bản đến, nêu lý do (không cấp số)", "parameters": [_DOC_ID],
            "requestBody": reason,
            "responses": {"200": _resp("Văn bản bị từ chối tiếp nhận", doc), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}/void": {"post": {
            "summary": "Hủy văn bản trong sổ, nêu lý do (số vẫn giữ, sổ in ĐÃ HỦY)", "parameters": [_DOC_ID],
            "requestBody": reason,
            "responses": {"200": _resp("Văn bản đã hủy", doc), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}/successor": {"post": {
            "summary": "Đính chính hoặc thay thế văn bản đã phát hành: dự thảo mới qua quy trình văn bản đi",
            "parameters": [_DOC_ID],
            "requestBody": _json_body({"type": "object", "required": ["kind", "reason"], "properties": {
                "kind": {"type": "string", "enum": ["correct", "replace"]}, "reason": {"type": "string"}}}),
            "responses": {"201": _resp("Hồ sơ của dự thảo mới", {"type": "object"}),
                          **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}": {"get": {
            "summary": "Chi tiết văn bản", "parameters": [_DOC_ID],
            "responses": {"200": _resp("Văn bản", doc), **_errors(401, 403, 404)}}},
        "/api/v1/documents/{document_id}/recall": {"post": {
            "summary": "Thu hồi văn bản đã phát hành", "parameters": [_DOC_ID],
            "requestBody": _json_body({"type": "object", "required": ["reason"], "properties": {
                "reason": {"type": "string"}}}),
            "responses": {"200": _resp("Văn bản đã thu hồi", doc), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}/tree": {"get": {
            "summary": "Cây công việc của văn bản", "parameters": [_DOC_ID],
            "responses": {"200": _resp("Các lần giao việc, lồng nhau", {"type": "object"}),
                          **_errors(401, 403, 404)}}},
        "/api/v1/documents/{document_id}/versions": {"get": {
            "summary": "Các phiên bản của tệp chính: tải lên, lãnh đạo ký, cơ quan ký (số, ngày), khôi phục",
            "parameters": [_DOC_ID],
            "responses": {"200": _resp("Các phiên bản theo thứ tự", {"type": "object"}), **_errors(401, 403, 404)}}},
        "/api/v1/documents/{document_id}/files": {"post": {
            "summary": "Tải tệp PDF lên (tệp chính hoặc phụ lục)", "parameters": [_DOC_ID],
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "required": ["file"], "properties": {
                    "file": {"type": "string", "format": "binary"},
                    "role": {"type": "string", "enum": ["main", "appendix"]}}}}}},
            "responses": {"201": _resp("Tệp đã lưu", {"type": "object"}), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}/placement": {"put": {
            "summary": "Đặt vị trí số và ngày trên trang 1 của dự thảo (trước khi lãnh đạo ký)",
            "parameters": [_DOC_ID],
            "requestBody": _json_body({"type": "object", "required": ["number", "date"], "properties": {
                name: {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4,
                       "description": "x1, y1, x2, y2 theo điểm PDF, gốc ở góc dưới bên trái trang"}
                for name in ("number", "date")}}),
            "responses": {"200": _resp("Vị trí đã lưu", {"type": "object"}), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}/page-one.png": {"get": {
            "summary": "Ảnh trang 1 của dự thảo (1 điểm ảnh = 1 điểm PDF), để đặt vị trí số và ngày",
            "parameters": [_DOC_ID],
            "responses": {"200": {"description": "Ảnh PNG", "content": {"image/png": {}}},
                          **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}/issue-preview.png": {"get": {
            "summary": "Xem trước trang 1 với số và ngày sẽ in khi phát hành (văn thư; không lấy số)",
            "parameters": [_DOC_ID],
            "responses": {"200": {"description": "Ảnh PNG", "content": {"image/png": {}}},
                          **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/documents/{document_id}/files/{file_id}": {"get": {
            "summary": "Tải tệp PDF về", "parameters": [
                _DOC_ID, {"name": "file_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "Tệp PDF", "content": {"application/pdf": {}}},
                          **_errors(401, 403, 404)}}},
    }


def _notification_paths() -> dict[str, Any]:
    me = {"type": "object", "properties": {
        "username": {"type": "string"}, "full_name": {"type": "string"}, "email": {"type": ["string", "null"]},
        "email_notifications": {"type": "boolean"}, "has_certificate": {"type": "boolean"}}}
    return {
        "/api/v1/notifications": {"get": {
            "summary": "Thông báo của tôi", "parameters": [
                {"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}}, *_PAGE],
            "responses": {"200": _resp("Trang kết quả", {"$ref": "#/components/schemas/Page"}),
                          **_errors(401, 422)}}},
        "/api/v1/notifications/count": {"get": {
            "summary": "Số thông báo chưa đọc",
            "responses": {"200": _resp("Số chưa đọc", _counts("unread")), **_errors(401)}}},
        "/api/v1/notifications/read": {"post": {
            "summary": "Đánh dấu đã đọc",
            "requestBody": _json_body({"type": "object", "required": ["ids"], "properties": {"ids": {
                "oneOf": [{"type": "array", "items": {"type": "integer"}}, {"const": "all"}]}}}),
            "responses": {"200": _resp("Đã đánh dấu", _counts("marked", "unread")), **_errors(401, 422)}}},
        "/api/v1/info-items": {"get": {
            "summary": "Văn bản để biết và văn bản thông báo của tôi", "parameters": [
                {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["info", "notice"]}},
                {"name": "unread", "in": "query", "schema": {"type": "string", "enum": ["1", "true"]}},
                {"name": "q", "in": "query", "schema": {"type": "string", "maxLength": 200}},
                {"name": "unit", "in": "query", "schema": {"type": "string"}}, *_PAGE],
            "responses": {"200": _resp("Trang kết quả", {"$ref": "#/components/schemas/Page"}),
                          **_errors(401, 422)}}},
        "/api/v1/info-items/read": {"post": {
            "summary": "Đánh dấu văn bản để biết / thông báo đã đọc",
            "requestBody": _json_body({"type": "object", "required": ["ids"], "properties": {"ids": {
                "oneOf": [{"type": "array", "items": {"type": "integer"}}, {"const": "all"}]}}}),
            "responses": {"200": _resp("Đã đánh dấu", {"type": "object", "properties": {
                "marked": {"type": "integer"}, "unread": {"type": "object"}}}), **_errors(401, 422)}}},
        "/api/v1/me": {
            "get": {"summary": "Tài khoản của tôi", "responses": {"200": _resp("Tài khoản", me), **_errors(401)}},
            "patch": {"summary": "Bật/tắt thông báo qua thư điện tử",
                      "requestBody": _json_body({"type": "object", "required": ["email_notifications"],
                                                 "properties": {"email_notifications": {"type": "boolean"}}}),
                      "responses": {"200": _resp("Tài khoản", me), **_errors(401, 422)}}},
        "/api/v1/me/certificates": {
            "get": {"summary": "Chứng thư số đã đăng ký cho tôi",
                    "responses": {"200": _resp("Danh sách", {"type": "object"}), **_errors(401)}},
            "post": {"summary": "Đăng ký chứng thư số trên thiết bị ký số của tôi (đã ký yêu cầu đăng ký)",
                     "requestBody": _json_body({"type": "object", "required": ["certificate", "request", "signature"],
                                                "properties": {"certificate": {"type": "string"},
                                                               "request": {"type": "object"},
                                                               "signature": {"type": "string"}}}),
                     "responses": {"201": _resp("Chứng thư số đã đăng ký", {"type": "object"}),
                                   **_errors(401, 422)}}},
        "/api/v1/me/certificates/enrollment-request": {"post": {
            "summary": "Tạo yêu cầu đăng ký chứng thư số cho phần mềm ký trên máy người dùng",
            "requestBody": _json_body({"type": "object", "required": ["certificate"], "properties": {
                "certificate": {"type": "string", "description": "base64 DER of the token's certificate"}}}),
            "responses": {"201": _resp("Yêu cầu ký", {"type": "object"}), **_errors(401, 422)}}},
    }


def _conversation_paths() -> dict[str, Any]:
    conv = {"name": "conversation_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    page = {"$ref": "#/components/schemas/Page"}
    return {
        "/api/v1/conversations": {
            "get": {"summary": "Các cuộc trò chuyện của tôi, với số tin chưa đọc", "parameters": _PAGE,
                    "responses": {"200": _resp("Trang kết quả", page), **_errors(401, 422)}},
            "post": {"summary": "Bắt đầu trò chuyện (một-một hoặc nhóm)",
                     "requestBody": _json_body({"type": "object", "required": ["members"], "properties": {
                         "members": {"type": "array", "items": {"type": "string"}}, "title": {"type": "string"}}}),
                     "responses": {"201": _resp("Cuộc trò chuyện", {"type": "object"}),
                                   **_errors(401, 403, 422)}}},
        "/api/v1/conversations/{conversation_id}/messages": {
            "get": {"summary": "Tin nhắn", "parameters": [conv, *_PAGE],
                    "responses": {"200": _resp("Trang kết quả", page), **_errors(401, 403, 404)}},
            "post": {"summary": "Gửi tin nhắn (có thể kèm tệp PDF, liên kết văn bản hoặc hồ sơ)", "parameters": [conv],
                     "requestBody": {"required": True, "content": {
                         "application/json": {"schema": {"type": "object", "properties": {
                             "text": {"type": "string"}, "document_id": {"type": "integer"},
                             "case_id": {"type": "integer"}}}},
                         "multipart/form-data": {"schema": {"type": "object", "properties": {
                             "text": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}}}},
                     "responses": {"201": _resp("Đã gửi", {"type": "object"}), **_errors(401, 403, 404, 422)}}},
        "/api/v1/conversations/{conversation_id}/read": {"post": {
            "summary": "Đánh dấu đã đọc", "parameters": [conv],
            "responses": {"200": _resp("Đã đánh dấu", {"type": "object"}), **_errors(401, 403, 404)}}},
        "/api/v1/conversations/{conversation_id}/messages/{message_id}/files/{file_id}": {"get": {
            "summary": "Tải tệp đính kèm tin nhắn", "parameters": [
                conv, {"name": "message_id", "in": "path", "required": True, "schema": {"type": "integer"}},
                {"name": "file_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": {"description": "Tệp PDF", "content": {"application/pdf": {}}},
                          **_errors(401, 403, 404)}}},
    }


def _record_paths() -> dict[str, Any]:
    rec = {"name": "record_id", "in": "path", "required": True, "schema": {"type": "integer"}}
    record = {"type": "object", "description": "code {agency identifier}.{year}.{notation}, counts, archive flag"}
    return {
        "/api/v1/records": {
            "get": {"summary": "Hồ sơ tôi được xem", "parameters": [
                {"name": "year", "in": "query", "schema": {"type": "integer"}}, *_PAGE],
                "responses": {"200": _resp("Trang kết quả", {"$ref": "#/components/schemas/Page"}),
                              **_errors(401, 422)}},
            "post": {"summary": "Lập hồ sơ", "requestBody": _json_body({
                "type": "object", "required": ["notation", "title", "retention"], "properties": {
                    "notation": {"type": "string"}, "title": {"type": "string"}, "retention": {"type": "string"},
                    "access": {"type": "string", "enum": ["Công khai", "Hạn chế"]}, "personal": {"type": "boolean"},
                    "year": {"type": "integer"}, "description": {"type": "string"}}}),
                "responses": {"201": _resp("Hồ sơ", record), **_errors(401, 403, 409, 422)}}},
        "/api/v1/records/stats": {"get": {
            "summary": "Thống kê hồ sơ theo tài khoản",
            "responses": {"200": _resp("Số hồ sơ, văn bản, trang", {"type": "object"}), **_errors(401, 403)}}},
        "/api/v1/records/{record_id}": {
            "get": {"summary": "Hồ sơ và các văn bản theo thứ tự thời gian", "parameters": [rec],
                    "responses": {"200": _resp("Hồ sơ", record), **_errors(401, 404)}},
            "patch": {"summary": "Kết thúc hồ sơ, đánh dấu đã nộp lưu", "parameters": [rec],
                      "requestBody": _json_body({"type": "object", "properties": {
                          "closed_on": {"type": ["string", "null"], "format": "date"},
                          "archived": {"type": "boolean"}}}),
                      "responses": {"200": _resp("Hồ sơ", record), **_errors(401, 403, 404, 422)}}},
        "/api/v1/records/{record_id}/documents": {"post": {
            "summary": "Đưa văn bản vào hồ sơ (không sao chép)", "parameters": [rec],
            "requestBody": _json_body({"type": "object", "required": ["document_id"], "properties": {
                "document_id": {"type": "integer"}}}),
            "responses": {"201": _resp("Hồ sơ", record), **_errors(401, 403, 404, 409, 422)}}},
        "/api/v1/records/{record_id}/documents/{document_id}": {"delete": {
            "summary": "Bỏ văn bản khỏi hồ sơ", "parameters": [rec, _DOC_ID],
            "responses": {"200": _resp("Hồ sơ", record), **_errors(401, 403, 404)}}},
        "/api/v1/records/{record_id}/export.{fmt}": {"get": {
            "summary": "Xuất hồ sơ: PDF (mục lục và văn bản) hoặc XML", "parameters": [
                rec, {"name": "fmt", "in": "path", "required": True, "schema": {"type": "string",
                                                                            "enum": ["pdf", "xml"]}}],
            "responses": {"200": {"description": "Tệp", "content": {"application/pdf": {}, "application/xml": {}}},
                          **_errors(401, 404, 422)}}},
    }
_SEARCH = [
    {"name": "q", "in": "query", "required": True, "description": "Từ khóa, không phân biệt dấu (tối đa 200 ký tự)",
     "schema": {"type": "string", "maxLength": 200}},
    {"name": "direction", "in": "query", "schema": {"type": "string", "enum": ["incoming", "outgoing"]}},
    {"name": "year", "in": "query", "schema": {"type": "integer", "minimum": 1900, "maximum": 2100}},
    {"name": "doc_type", "in": "query", "description": "Viết tắt loại văn bản (QĐ, CV, …)",
     "schema": {"type": "string"}},
]
_REGISTER_FILTERS = [
    {"name": "from", "in": "query", "description": "Từ ngày vào sổ", "schema": {"type": "string", "format": "date"}},
    {"name": "to", "in": "query", "description": "Đến ngày vào sổ", "schema": {"type": "string", "format": "date"}},
    _SEARCH[3], {"name": "q", "in": "query", "description": "Từ khóa, không phân biệt dấu (tối đa 200 ký tự)",
                 "schema": {"type": "string", "maxLength": 200}},
]
_NULLABLE_STRING = {"type": ["string", "null"]}
_NULLABLE_DATE = {"type": ["string", "null"], "format": "date"}


def _exchange_paths() -> dict[str, Any]:
    agreement = {"type": "object", "properties": {
        "agency": {"type": "string"}, "partner": {"type": "string"}, "partner_name": {"type": "string"},
        "approved_by_us": {"type": "boolean"}, "approved_by_them": {"type": "boolean"},
        "active": {"type": "boolean", "description": "both administrators approved: messages may pass"}}}
    pair = [{"name": n, "in": "path", "required": True, "schema": {"type": "string", "maxLength": 32}}
            for n in ("agency", "partner")]
    return {
        "/api/v1/exchange-agreements": {"get": {
            "summary": "Thỏa thuận liên thông của các cơ quan tôi quản trị",
            "responses": {"200": _resp("Danh sách", {"type": "object", "properties": {
                "items": {"type": "array", "items": agreement}}}), **_errors(401, 403)}}},
        "/api/v1/exchange-agreements/{agency}/{partner}": {
            "put": {"summary": "Cơ quan tôi đồng ý liên thông với cơ quan đối tác", "parameters": pair,
                    "responses": {"200": _resp("Thỏa thuận", agreement), **_errors(401, 403, 404, 422)}},
            "delete": {"summary": "Cơ quan tôi rút đồng ý liên thông", "parameters": pair,
                       "responses": {"200": _resp("Thỏa thuận", agreement), **_errors(401, 403, 404, 422)}}},
    }


def _delegation_paths() -> dict[str, Any]:
    delegation = {"type": "object", "properties": {
        "id": {"type": "integer"}, "person": {"type": "object"}, "starts_on": {"type": "string", "format": "date"},
        "ends_on": {"type": "string", "format": "date"}, "scope": {"type": "array", "items": {"type": "string"}},
        "state": {"type": "string", "enum": ["upcoming", "active", "ended", "revoked"]}}}
    return {
        "/api/v1/me/delegations": {
            "get": {"summary": "Các ủy quyền tôi đã giao và đang nhận", "parameters": _PAGE,
                    "responses": {"200": _resp("Trang kết quả", _paged(delegation, {"received": {
                        "type": "array", "items": delegation}})), **_errors(401, 422)}},
            "post": {"summary": "Ủy quyền cho đồng nghiệp cùng cơ quan",
                     "requestBody": _json_body({"type": "object", "required": ["delegate", "starts_on", "ends_on"],
                                                "properties": {"delegate": {"type": "string"},
                                                               "starts_on": {"type": "string", "format": "date"},
                                                               "ends_on": {"type": "string", "format": "date"},
                                                               "scope": {"type": "array",
                                                                         "items": {"type": "string"}}}}),
                     "responses": {"201": _resp("Ủy quyền đã tạo", delegation), **_errors(401, 422)}}},
        "/api/v1/me/delegations/form": {"get": {
            "summary": "Biểu mẫu ủy quyền (người và quy trình được chọn)",
            "responses": {"200": _resp("JSON Schema", {"type": "object"}), **_errors(401)}}},
        "/api/v1/me/delegations/{delegation_id}/revoke": {"post": {
            "summary": "Thu hồi ủy quyền",
            "parameters": [{"name": "delegation_id", "in": "path", "required": True, "schema": {"type": "integer"}}],
            "responses": {"200": _resp("Ủy quyền đã thu hồi", delegation), **_errors(401, 403, 404, 422)}}},
    }


def _paged(item: dict[str, Any], extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": {
        "items": {"type": "array", "items": item}, "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "total": {"type": "integer"}, **(extra or {})}}


def document() -> dict[str, Any]:
    """The document, every integer in it bounded as webui/common/limits.py bounds them."""
    bounded: dict[str, Any] = _bounded(_document())
    return bounded


def _bounded(node: Any, minimum: int = -MAX_INT - 1) -> Any:
    if isinstance(node, list):
        return [_bounded(n, minimum) for n in node]
    if not isinstance(node, dict):
        return node
    if node.get("in") == "path":  # ids: Werkzeug's int converter takes no sign
        return {k: _bounded(v, 1) if k == "schema" else v for k, v in node.items()}
    found = {k: _bounded(v, minimum) for k, v in node.items()}
    if found.get("type") == "integer":
        found.setdefault("minimum", minimum)
        found.setdefault("maximum", MAX_INT)
    return found


def _document() -> dict[str, Any]:
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
                "Document": {"type": "object", "description": "Decree 30 Appendix VI fields, files, recipients"},
                **_report_schemas(),
            },
        },
        "security": [{"bearer": []}],
        "paths": {
            "/api/openapi.json": {"get": {
                "summary": "Tài liệu OpenAPI này", "security": [],
                "responses": {"200": _resp("OpenAPI 3.1", {"type": "object"})}}},
            "/api/v1/auth/token": {"post": {
                "summary": "Đăng nhập, nhận mã truy cập", "security": [],
                "requestBody": _json_body({"type": "object", "required": ["username", "password"], "properties": {
                    "username": {"type": "string"}, "password": {"type": "string"}}}),
                "responses": {"200": _resp("Mã truy cập", {"type": "object", "properties": {
                    "token": {"type": "string"}, "username": {"type": "string"},
                    "must_change_password": {"type": "boolean"}}}), **_errors(401, 422, 429)}},
                "delete": {"summary": "Thu hồi mã truy cập đang dùng (đăng xuất)",
                           "responses": {"200": _resp("Đã thu hồi", {"type": "object"}), **_errors(401, 403)}}},
            "/api/v1/auth/tokens": {"get": {
                "summary": "Các phiên đăng nhập và mã truy cập của tôi",
                "responses": {"200": _resp("Danh sách", {"type": "object"}), **_errors(401, 403)}}},
            "/api/v1/auth/tokens/{token_id}": {"delete": {
                "summary": "Thu hồi một phiên hoặc mã truy cập của tôi",
                "parameters": [{"name": "token_id", "in": "path", "required": True,
                                "schema": {"type": "integer"}}],
                "responses": {"200": _resp("Đã thu hồi", {"type": "object"}), **_errors(401, 403, 404)}}},
            "/api/v1/auth/password": {"put": {
                "summary": "Đổi mật khẩu của tôi",
                "requestBody": _json_body({"type": "object", "required": ["current_password", "new_password"],
                                           "properties": {"current_password": {"type": "string"},
                                                          "new_password": {"type": "string"}}}),
                "responses": {"200": _resp("Đã đổi", {"type": "object"}), **_errors(401, 422)}}},
            "/api/v1/admin-requests": {"get": {
                "summary": "Đề nghị thay đổi tài khoản chờ tôi phê duyệt (quản trị khác hoặc giám đốc)",
                "responses": {"200": _resp("Danh sách", {"type": "object"}), **_errors(401, 403)}}},
            "/api/v1/admin-requests/{request_id}/approve": {"post": {
                "summary": "Phê duyệt đề nghị: cấp chức vụ hoặc đặt lại mật khẩu có hiệu lực",
                "parameters": [_REQUEST_ID],
                "responses": {"200": _resp("Đề nghị", {"type": "object"}), **_errors(401, 403, 404, 409)}}},
            "/api/v1/admin-requests/{request_id}/reject": {"post": {
                "summary": "Từ chối đề nghị", "parameters": [_REQUEST_ID],
                "responses": {"200": _resp("Đề nghị", {"type": "object"}), **_errors(401, 403, 404, 409)}}},
            "/api/v1/processes": {"get": {
                "summary": "Các quy trình đã triển khai",
                "responses": {"200": _resp("Danh sách", {"type": "object"}), **_errors(401)}}},
            "/api/v1/processes/{process_id}": {"get": {
                "summary": "Một quy trình và biểu mẫu khởi tạo của nó",
                "parameters": [{"name": "process_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _resp("Quy trình", {"type": "object", "properties": {
                    "id": {"type": "string"}, "name": {"type": "string"}, "version": {"type": "integer"},
                    "agency": {"type": ["string", "null"]}, "can_start": {"type": "boolean"},
                    "starts_on_message": {"type": "boolean"},
                    "start_form": {"type": ["object", "null"], "description": "JSON Schema của trường data"}}}),
                    **_errors(401, 404)}}},
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
            "/api/v1/cases/{case_id}/messages": {"get": {
                "summary": "Tin nhắn về hồ sơ trong các cuộc trò chuyện của tôi", "parameters": [_CASE_ID],
                "responses": {"200": _resp("Các tin nhắn", {"type": "object"}), **_errors(401, 403, 404)}}},
            "/api/v1/tasks": {"get": {
                "summary": "Công việc cần xử lý của tôi", "parameters": _PAGE,
                "responses": {"200": _resp("Trang kết quả", {"$ref": "#/components/schemas/Page"}),
                              **_errors(401, 422)}}},
            "/api/v1/tasks/{task_id}": {"get": {
                "summary": "Chi tiết công việc và biểu mẫu", "parameters": [_TASK_ID],
                "responses": {"200": _resp("Công việc", task), **_errors(401, 403, 404)}}},
            "/api/v1/tasks/{task_id}/signing-request": {"post": {
                "summary": "Ký số bằng thiết bị (USB token): tạo yêu cầu cho phần mềm ký trên máy người ký",
                "parameters": [_TASK_ID],
                "requestBody": _json_body({"type": "object", "required": ["certificate"], "properties": {
                    "certificate": {"type": "string", "description": "base64 DER of the token's certificate"}}}),
                "responses": {"201": _resp("Yêu cầu ký", {"type": "object"}), **_errors(401, 403, 404, 409, 422)}}},
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
                "description": "Lọc theo ngày vào sổ (ngày đến của văn bản đến, ngày văn bản của văn bản đi), "
                               "loại văn bản và từ khóa không phân biệt dấu.",
                "parameters": [{"name": "code", "in": "path", "required": True, "schema": {"type": "string"},
                                "description": "Mã sổ: incoming, outgoing, incoming_secret, …"},
                               _YEAR, _AGENCY, *_REGISTER_FILTERS, *_PAGE],
                "responses": {"200": _resp("Trang của sổ", _paged({"$ref": "#/components/schemas/RegisterEntry"}, {
                    "agency": {"type": "string"}, "year": {"type": "integer"},
                    "book": {"$ref": "#/components/schemas/RegisterBook"},
                    "columns": {"type": "array", "items": {"type": "object", "properties": {
                        "title": {"type": "string"}, "fields": {"type": "array", "items": {"type": "string"}}}}}})),
                    **_errors(401, 403, 404, 422)}}},
            "/api/v1/tasks/{task_id}/complete": {"post": {
                "summary": "Hoàn thành công việc", "parameters": [_TASK_ID],
                "requestBody": _json_body({"type": "object", "properties": {"data": {"type": "object"}, "signing": {
                    "type": "object", "description": "never stored nor logged", "properties": {
                        "password": {"type": "string"}, "agency_password": {"type": "string"},
                        "request_id": {"type": "string"}, "signature": {"type": "string"}}}}}),
                "responses": {"200": _resp("Hồ sơ sau khi xử lý", case), **_errors(401, 403, 404, 409, 422)}}},
            **_report_paths(),
            **_document_paths(),
            **_notification_paths(),
            **_conversation_paths(),
            **_record_paths(),
            **_exchange_paths(),
            **_delegation_paths(),
            **remote_signing_paths(),
        },
    }

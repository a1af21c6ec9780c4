"""Records (hồ sơ) in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.archives.table import NATIONAL
from engine.models import User
from engine.office import records
from webui.api.util import asking, authed
from webui.common import exports
from webui.contract.route import api_route
from webui.contract.shapes import Body, DateText, Id, Items, Page, Paged, Text, Year

bp = Blueprint("records", __name__, url_prefix="/api/v1/records")


class RecordsQuery(Paged):
    messages: ClassVar[dict[str, Any]] = {"year": _l("Cần số năm.")}
    year: Year | None = None


class NewRecord(Body):
    summary: ClassVar[Any] = _l("Thông tin hồ sơ chưa hợp lệ.")
    messages: ClassVar[dict[str, Any]] = {
        "notation": _l("Ký hiệu hồ sơ: chữ, số, dấu chấm hoặc gạch ngang, tối đa 20 ký tự."),
        "title": _l("Tiêu đề hồ sơ từ 3 đến 500 ký tự."),
        "retention": _l("Chọn một thời hạn bảo quản: %(choices)s.", choices=", ".join(NATIONAL)),
        "retention_item_id": _l("Chọn một mục đang dùng của bảng thời hạn bảo quản của cơ quan."),
        "access": _l("Chọn Công khai hoặc Hạn chế."), "year": _l("Năm không hợp lệ.")}
    notation: Annotated[str, Field(max_length=200)]
    title: Annotated[str, Field(max_length=2000)]
    retention_item_id: Id | None = Field(None, description="the item of the agency's retention table the record's "
                                         "retention comes from (required once the agency has a table)")
    retention: Annotated[str | None, Field(max_length=200, description="a term of the national list, only for an "
                                                                        "agency with no retention table yet")] = None
    access: Literal["Công khai", "Hạn chế"] | None = None
    personal: bool | None = None
    year: Year | None = None
    description: Text | None = None


class RecordChange(Body):
    messages: ClassVar[dict[str, Any]] = {"closed_on": _l("Dạng YYYY-MM-DD."), "archived": _l("Cần true hoặc false.")}
    closed_on: DateText | None = None
    archived: bool | None = None


class RecordDocument(Body):
    document_id: Id


class Record(BaseModel):
    """code {agency identifier}.{year}.{notation}, counts, archive flag"""

    model_config = {"extra": "allow"}
    id: int


class ExportPath(BaseModel):
    fmt: Literal["pdf", "xml"]


@api_route(bp, "", "GET", "Hồ sơ tôi được xem", query=RecordsQuery, response=Page)
def listing(query: RecordsQuery) -> Any:
    """The records I may see, with documents, pages and the archiving flag (``?year=``)."""
    return authed(False, lambda s, u, now: records.listing(s, u, query.year, query.page, query.per_page, now))


@api_route(bp, "", "POST", "Lập hồ sơ", body=NewRecord, response=Record, status=201, errors=(401, 403, 409))
def create(body: NewRecord) -> Any:
    """Open a record: notation, title, its retention table item (or, for an agency with no table yet, a
    retention of the national list), access, personal."""
    given = body.model_dump(by_alias=True, exclude_unset=True)

    def action(session: Session, user: User, now: datetime) -> Any:
        record = records.create(session, user, given, now)
        return records.view(session, user, record, now, with_documents=False)

    return authed(True, action, 201)


@api_route(bp, "/stats", "GET", "Thống kê hồ sơ theo tài khoản", response=Items, errors=(401, 403))
def stats() -> Any:
    """Records, documents and pages per account."""
    return authed(False, lambda s, u, now: {"items": records.stats(s, u, now)})


@api_route(bp, "/<int:record_id>", "GET", "Hồ sơ và các văn bản theo thứ tự thời gian", response=Record,
           errors=(401, 404))
def get(record_id: int) -> Any:
    """A record with its documents numbered in date order."""
    return authed(False, lambda s, u, now: records.get(s, u, record_id, now))


@api_route(bp, "/<int:record_id>", "PATCH", "Kết thúc hồ sơ, đánh dấu đã nộp lưu", body=RecordChange,
           response=Record, errors=(401, 403, 404))
def update(record_id: int, body: RecordChange) -> Any:
    """Close the record (``closed_on``) or mark it archived."""
    given = body.model_dump(by_alias=True, exclude_unset=True)

    def action(session: Session, user: User, now: datetime) -> Any:
        record = records.update(session, user, record_id, given, now)
        return records.view(session, user, record, now, with_documents=False)

    return authed(True, action)


@api_route(bp, "/<int:record_id>/documents", "POST", "Đưa văn bản vào hồ sơ (không sao chép)", body=RecordDocument,
           response=Record, status=201, errors=(401, 403, 404, 409))
def add_document(record_id: int, body: RecordDocument) -> Any:
    """Put a document in the record (the document itself, not a copy)."""
    document_id = body.document_id

    def action(session: Session, user: User, now: datetime) -> Any:
        records.add_document(session, user, record_id, document_id, now)
        return records.get(session, user, record_id, now)

    return authed(True, action, 201)


@api_route(bp, "/<int:record_id>/documents/<int:document_id>", "DELETE", "Bỏ văn bản khỏi hồ sơ", response=Record,
           errors=(401, 403, 404))
def remove_document(record_id: int, document_id: int) -> Any:
    """Take a document out of the record."""

    def action(session: Session, user: User, now: datetime) -> Any:
        records.remove_document(session, user, record_id, document_id, now)
        return records.get(session, user, record_id, now)

    return authed(True, action)


@api_route(bp, "/<int:record_id>/export.<fmt>", "GET", "Xuất hồ sơ: PDF (mục lục và văn bản) hoặc XML", path=ExportPath,
           media=("application/pdf", "application/xml"), errors=(401, 404))
def export(record_id: int, fmt: str) -> Any:
    """The record as one PDF (cover list, then the documents) or as XML of its metadata."""
    return exports.record(asking, record_id, fmt)

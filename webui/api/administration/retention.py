"""The agency's retention table (bảng thời hạn bảo quản) in the JSON API: anyone of the agency reads
it (a record names one of its items); its administrators and văn thư add, edit and retire items.
Rules, permissions and the audit: engine.archives.table."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.archives import table
from engine.models import User
from webui.api.util import authed
from webui.contract.route import api_route
from webui.contract.shapes import Body, Code, Paged, Query

bp = Blueprint("retention_items", __name__, url_prefix="/api/v1/retention-items")

_MESSAGES: dict[str, Any] = {
    "code": _l("Số, ký hiệu của mục: chữ, số, dấu chấm hoặc gạch ngang, tối đa 20 ký tự (ví dụ 01.05)."),
    "heading": _l("Tên nhóm hồ sơ, tài liệu từ 3 đến 500 ký tự."),
    "term": _l("Thời hạn bảo quản là \"Vĩnh viễn\" hoặc một số năm nguyên từ 1 đến 100 (ví dụ \"10 năm\")."),
    "note": _l("Ghi chú tối đa 1000 ký tự."), "active": _l("Cần true hoặc false.")}
Term = Annotated[str, Field(max_length=30, description='"Vĩnh viễn", or "N năm" with N a whole number from 1 to 100')]


class Which(Query):
    agency: Code | None = Field(None, description="the agency's code; by default the one whose table I keep")


class ItemsQuery(Paged):
    agency: Code | None = None


class NewItem(Body):
    summary: ClassVar[Any] = _l("Mục của bảng thời hạn bảo quản chưa hợp lệ.")
    messages: ClassVar[dict[str, Any]] = _MESSAGES
    agency: Code | None = None
    code: Annotated[str, Field(max_length=40)]
    heading: Annotated[str, Field(max_length=2000)]
    term: Term
    note: Annotated[str, Field(max_length=2000)] | None = None


class ItemChange(Body):
    summary: ClassVar[Any] = _l("Mục của bảng thời hạn bảo quản chưa hợp lệ.")
    messages: ClassVar[dict[str, Any]] = _MESSAGES
    agency: Code | None = None
    code: Annotated[str, Field(max_length=40)] | None = None
    heading: Annotated[str, Field(max_length=2000)] | None = None
    term: Term | None = None
    note: Annotated[str, Field(max_length=2000)] | None = None
    active: bool | None = Field(None, description="false retires the item: no new record may name it")


class Item(BaseModel):
    id: int
    code: str
    heading: str
    term: str
    note: str | None
    active: bool
    records: int = Field(description="records naming the item: its code and term no longer change")


class ItemPage(BaseModel):
    items: list[Item]
    page: int
    per_page: int
    total: int


@api_route(bp, "", "GET", "Bảng thời hạn bảo quản của cơ quan", query=ItemsQuery, response=ItemPage,
           errors=(401, 403))
def listing(query: ItemsQuery) -> Any:
    """The agency's retention table in code order, retired items marked."""
    return authed(False, lambda s, u, now: table.listing(s, table.read_agency(s, u, query.agency).id, query.page,
                                                          query.per_page))


@api_route(bp, "", "POST", "Thêm mục vào bảng thời hạn bảo quản", body=NewItem, response=Item, status=201,
           errors=(401, 403))
def create(body: NewItem) -> Any:
    """Add an item (its code unique in the table); administrators and văn thư of the agency."""
    given = body.model_dump(exclude_unset=True)

    def action(session: Session, user: User, now: datetime) -> Any:
        agency = table.kept_agency(session, user, given.pop("agency", None))
        return table.as_dict(session, table.add(session, user, agency, given, now))

    return authed(True, action, 201)


@api_route(bp, "/<int:item_id>", "GET", "Một mục của bảng thời hạn bảo quản", query=Which, response=Item,
           errors=(401, 403, 404))
def get(item_id: int, query: Which) -> Any:
    """One item of my agency's table; another agency's is not found."""
    return authed(False, lambda s, u, now: table.as_dict(s, table.item_of(s, table.read_agency(s, u, query.agency).id,
                                                                          item_id)))


@api_route(bp, "/<int:item_id>", "PATCH", "Sửa hoặc ngừng dùng một mục của bảng thời hạn bảo quản", body=ItemChange,
           response=Item, errors=(401, 403, 404, 409))
def update(item_id: int, body: ItemChange) -> Any:
    """Edit an item, or retire it (``active``: false); an item records name keeps its code and term."""
    given = body.model_dump(exclude_unset=True)

    def action(session: Session, user: User, now: datetime) -> Any:
        agency = table.kept_agency(session, user, given.pop("agency", None))
        return table.as_dict(session, table.change(session, user, agency, item_id, given, now))

    return authed(True, action)

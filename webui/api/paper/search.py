"""Document search in the JSON API."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from flask import Blueprint, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field

from engine.documents import search as document_search
from webui.api.util import authed
from webui.contract.route import api_route
from webui.contract.shapes import Code, Paged, SearchText, Year

bp = Blueprint("search", __name__, url_prefix="/api/v1/search")


class SearchQuery(Paged):
    summary: ClassVar[Any] = _l("Tham số tìm kiếm không hợp lệ.")
    messages: ClassVar[dict[str, Any]] = {"direction": _l("Chọn incoming hoặc outgoing."),
                                          "year": _l("Năm không hợp lệ (từ 1900 đến 2100).")}
    q: SearchText = Field(description="Từ khóa, không phân biệt dấu (tối đa 200 ký tự)")
    direction: Literal["incoming", "outgoing"] | None = None
    year: Year | None = None
    doc_type: Code | None = Field(None, description="Viết tắt loại văn bản (QĐ, CV, …)")


class Hits(BaseModel):
    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int
    total_exact: bool = Field(description="false: có hơn 1000 kết quả")


@api_route(bp, "", "GET", "Tìm văn bản theo trích yếu, số ký hiệu, cơ quan ban hành, nội dung", query=SearchQuery,
           description="Mọi từ phải có mặt nguyên từ, riêng từ cuối (từ 2 ký tự) có thể là phần đầu của một từ; các "
                       "từ nối bằng dấu (125/SYT) phải liền nhau theo thứ tự. Kết quả mới nhất trước, chỉ gồm văn bản "
                       "người dùng được xem; đếm và xem tối đa 1000 kết quả (total_exact = false khi nhiều hơn).",
           response=Hits)
def search(query: SearchQuery) -> Any:
    """Documents I may see whose summary, number, issuer or text hold every term of ``q``."""
    wanted = document_search.parse(request.args)
    return authed(False, lambda s, u, now: document_search.search(s, u, wanted, query.page, query.per_page, now))

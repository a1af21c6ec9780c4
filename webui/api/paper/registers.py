"""Registers (sổ đăng ký văn bản) in the JSON API: the books and their yearly entries."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, Field

from engine.registry import register_views
from webui.api.util import authed
from webui.contract.route import api_route
from webui.contract.shapes import Code, DateText, Paged, Query, SearchText, Year

bp = Blueprint("registers", __name__, url_prefix="/api/v1/registers")


class BooksQuery(Query):
    year: Year | None = Field(None, description="Năm; mặc định năm nay")
    agency: Code | None = Field(None, description="Mã cơ quan; bỏ trống nếu bạn chỉ giữ sổ của một cơ quan")


class EntriesQuery(BooksQuery, Paged):
    from_: DateText | None = Field(None, alias="from", description="Từ ngày vào sổ")
    to: DateText | None = Field(None, description="Đến ngày vào sổ")
    doc_type: Code | None = Field(None, description="Viết tắt loại văn bản (QĐ, CV, …)")
    q: SearchText | None = Field(None, description="Từ khóa, không phân biệt dấu")


class BookOfEntries(BaseModel):
    code: str
    name: str
    direction: str
    secret: bool
    copies: bool


class Book(BookOfEntries):
    agency: str
    entries: int = Field(description="Số mục trong năm")


class Books(BaseModel):
    year: int
    items: list[Book]


class Entries(BaseModel):
    """Các dòng của sổ (Phụ lục IV Nghị định 30/2020) theo thứ tự số, với các cột của sổ."""

    agency: str
    year: int
    book: BookOfEntries
    columns: list[dict[str, Any]]
    items: list[dict[str, Any]]
    page: int
    per_page: int
    total: int


@api_route(bp, "", "GET", "Các sổ đăng ký văn bản tôi được xem, với số mục trong năm", query=BooksQuery,
           response=Books, errors=(401, 403))
def books(query: BooksQuery) -> Any:
    """The register books I may read in my agencies, with their entries in ``year``."""
    year, agency = request.args.get("year"), request.args.get("agency")
    return authed(False, lambda s, u, now: register_views.books(s, u, year, agency, now))


@api_route(bp, "/<code>", "GET", "Các mục của một sổ trong năm, theo thứ tự số", query=EntriesQuery,
           description="Lọc theo ngày vào sổ (ngày đến của văn bản đến, ngày văn bản của văn bản đi), loại văn bản "
                       "và từ khóa không phân biệt dấu.", response=Entries, errors=(401, 403, 404))
def entries(code: str, query: EntriesQuery) -> Any:
    """A book's entries for ``year`` in number order, with the Decree 30 Appendix IV columns;
    narrowed by ``from`` and ``to`` (register dates), ``doc_type`` and the words of ``q``."""
    page, per_page = query.page, query.per_page
    year, agency = request.args.get("year"), request.args.get("agency")
    narrow = register_views.EntryFilter.parse(request.args)
    return authed(False, lambda s, u, now: register_views.entries(s, u, code, year, agency, page, per_page, now,
                                                                  narrow))

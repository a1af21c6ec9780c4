"""Quản trị › Bảng thời hạn bảo quản: an agency's administrators and văn thư keep the table its
records take their retention from — list it a page at a time, add an item, edit one, retire it or
bring it back. The rules, who may and the audit: engine.archives.table; a refused form comes back
with its messages and what was typed."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext

from engine.archives import table
from engine.core.errors import Conflict, InvalidData
from webui.common.pageutil import PER_PAGE, page_number, render, staff
from webui.pages.administration.admin import _agency_code, _typed

bp = Blueprint("retention_table", __name__)
FIELDS = ("code", "heading", "term", "note")


def _given() -> dict[str, Any]:
    typed = _typed()
    return {k: typed.get(k, "") for k in FIELDS}


def _refusal(refused: InvalidData | Conflict) -> tuple[int, dict[str, str], str]:
    if isinstance(refused, InvalidData):
        return 422, dict(refused.fields), refused.message
    return 409, {}, refused.message


def _index(status: int = 200, values: dict[str, Any] | None = None, refused: InvalidData | None = None) -> Any:
    page = page_number(request.args)
    with staff(write=False) as (db, user, _now):
        agency = table.kept_agency(db, user, _agency_code())
        found = table.listing(db, agency.id, page, PER_PAGE)
        return render("admin/retention_table.html", db, user, status, agency=agency, found=found,
                      values=values or {}, errors=refused.fields if refused else {},
                      error=refused.message if refused else None)


@bp.get("/admin/retention-table")
def index() -> Any:
    """Bảng thời hạn bảo quản hồ sơ, tài liệu: the items in code order, and the form to add one."""
    return _index()


@bp.post("/admin/retention-table")
def add() -> Any:
    given = _given()
    try:
        with staff(write=True) as (db, user, now):
            agency = table.kept_agency(db, user, _agency_code())
            item = table.add(db, user, agency, given, now)
            code, agency_code = item.code, agency.code
    except InvalidData as refused:
        return _index(422, given, refused)
    flash(gettext("Đã thêm mục %(code)s vào bảng thời hạn bảo quản.", code=code), "success")
    return redirect(url_for("retention_table.index", agency=agency_code))


def _item_page(item_id: int, status: int = 200, values: dict[str, Any] | None = None,
               refused: InvalidData | Conflict | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = table.kept_agency(db, user, _agency_code())
        item = table.as_dict(db, table.item_of(db, agency.id, item_id))
        code, errors, error = _refusal(refused) if refused else (status, {}, None)
        return render("admin/retention_item.html", db, user, code, agency=agency, item=item,
                      values=values or item, errors=errors, error=error)


@bp.get("/admin/retention-table/<int:item_id>")
def item(item_id: int) -> Any:
    """One item: edit it, retire it or bring it back."""
    return _item_page(item_id)


def _change(item_id: int, given: dict[str, Any], done: str) -> Any:
    try:
        with staff(write=True) as (db, user, now):
            agency = table.kept_agency(db, user, _agency_code())
            table.change(db, user, agency, item_id, given, now)
            agency_code = agency.code
    except (InvalidData, Conflict) as refused:
        return _item_page(item_id, values=given if "code" in given else None, refused=refused)
    flash(done, "success")
    return redirect(url_for("retention_table.item", item_id=item_id, agency=agency_code))


@bp.post("/admin/retention-table/<int:item_id>")
def edit(item_id: int) -> Any:
    return _change(item_id, _given(), gettext("Đã lưu mục của bảng thời hạn bảo quản."))


@bp.post("/admin/retention-table/<int:item_id>/active")
def activate(item_id: int) -> Any:
    """Retire the item (no new record may name it; the records that do keep it) or bring it back."""
    active = request.form.get("active") == "1"
    return _change(item_id, {"active": active},
                   gettext("Đã dùng lại mục.") if active else gettext("Đã ngừng dùng mục."))

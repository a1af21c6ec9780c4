"""Quản trị › Danh bạ nơi nhận: an agency's administrators keep the agencies its documents are
sent to (the rules, what the book derives and the audit: engine.office.address_book); the
clerk's recipients picker offers the book."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext

from engine.core.errors import InvalidData
from engine.office import address_book
from engine.org import administration
from webui.common.pageutil import staff
from webui.pages.administration.admin import Refused, _agency_code, _show, _typed

bp = Blueprint("address_book", __name__)


def _page(status: int = 200, refused: Refused | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        return _show("admin/address_book.html", db, user, agency, status, refused,
                     kept=address_book.kept(db, agency.id), book=address_book.entries(db, agency.id))


@bp.get("/admin/address-book")
def index() -> Any:
    """Danh bạ nơi nhận: the entries kept here, and the whole book as the clerk's picker shows it."""
    return _page()


@bp.post("/admin/address-book")
def save() -> Any:
    typed = _typed()
    data: dict[str, Any] = {k: typed.get(k, "").strip() for k in ("name", "organ_id", "delivery")}
    if not data["organ_id"]:
        del data["organ_id"]
    data["active"] = typed.get("active") == "1"
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            address_book.save(db, user, agency, data, now)
            code = agency.code
    except InvalidData as err:
        return _page(422, ("entry", typed, err))
    flash(gettext("Đã lưu nơi nhận trong danh bạ."), "success")
    return redirect(url_for("address_book.index", agency=code))

"""Quản trị › Danh bạ liên thông: an agency's administrators keep the agencies of other
installations it exchanges edXML packages with (the rules and the audit: exchange.directory)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext

from engine.core.errors import InvalidData
from engine.org import administration
from exchange import directory
from webui.common.pageutil import staff
from webui.pages.administration.admin import Refused, _agency_code, _show, _typed

bp = Blueprint("exchange_directory", __name__)


def _page(status: int = 200, refused: Refused | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        partners = directory.listing(db, user, agency.code)
        return _show("admin/exchange_partners.html", db, user, agency, status, refused, partners=partners,
                     transports=directory.TRANSPORTS)


@bp.get("/admin/exchange/partners")
def partners() -> Any:
    """Danh bạ liên thông: the agencies of other installations and how packages reach them."""
    return _page()


@bp.post("/admin/exchange/partners")
def save_partner() -> Any:
    typed = _typed()
    data: dict[str, Any] = {k: typed.get(k, "").strip()
                            for k in ("organ_id", "name", "transport", "endpoint", "credentials_ref")}
    data["certificate_pem"] = typed.get("certificate_pem", "")
    data["active"] = typed.get("active") == "1"
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            directory.save(db, user, agency.code, data, now)
            code = agency.code
    except InvalidData as err:
        return _page(422, ("partner", typed, err))
    flash(gettext("Đã lưu cơ quan trong danh bạ liên thông."), "success")
    return redirect(url_for("exchange_directory.partners", agency=code))

"""Quản trị → Ký số: an agency's administrators keep its trust store (CA certificates uploaded as
PEM or DER, their fingerprints shown, removed) and its signing settings (the time-stamping
authority, what happens when a certificate's status cannot be checked). The rules and the audit
are in engine.signatures.trust_store and engine.signatures.signing_settings."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext

from engine.core.errors import Conflict, InvalidData, NotFound
from engine.org import administration
from engine.signatures import signing_settings, trust_store
from webui.common.pageutil import staff
from webui.pages.administration.admin import Refused, _agency_code, _show, _typed, _upload

bp = Blueprint("trust", __name__)


def _page(status: int = 200, refused: Refused | None = None) -> Any:
    with staff(write=False) as (db, user, _now):
        agency = administration.agency_for(db, user, _agency_code())
        return _show("admin/signing.html", db, user, agency, status, refused,
                     anchors=[trust_store.describe(a) for a in trust_store.listed(db, agency.id)],
                     signing=signing_settings.describe(db, agency.id))


@bp.get("/admin/signing")
def signing() -> Any:
    """Ký số: the trust store and the signing settings of the agency."""
    return _page()


@bp.post("/admin/signing/anchors")
def add_anchor() -> Any:
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            row = trust_store.add(db, agency.id, _upload("certificate", trust_store.MAX_BYTES),
                                  request.form.get("label", "")[:255], user.id, now)
            code, fingerprint = agency.code, row.sha256
    except (InvalidData, Conflict) as err:
        refusal = err if isinstance(err, InvalidData) else InvalidData(err.message, {"certificate": err.message})
        return _page(422 if isinstance(err, InvalidData) else 409, ("anchor", _typed(), refusal))
    flash(gettext("Đã thêm chứng thư số vào kho tin cậy (SHA-256 %(fp)s).", fp=fingerprint), "success")
    return redirect(url_for("trust.signing", agency=code))


@bp.post("/admin/signing/anchors/<int:anchor_id>/remove")
def remove_anchor(anchor_id: int) -> Any:
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            trust_store.remove(db, agency.id, anchor_id, user.id, now)
            code = agency.code
    except NotFound as err:
        return _page(404, ("anchor", {}, InvalidData(err.message, {})))
    flash(gettext("Đã gỡ chứng thư số khỏi kho tin cậy."), "success")
    return redirect(url_for("trust.signing", agency=code))


@bp.post("/admin/signing/settings")
def save_settings() -> Any:
    try:
        with staff(write=True) as (db, user, now):
            agency = administration.agency_for(db, user, _agency_code())
            signing_settings.update(db, agency.id, request.form.get("tsa_url"),
                                    request.form.get("unreachable_policy", ""), user.id, now)
            code = agency.code
    except InvalidData as err:
        return _page(422, ("settings", _typed(), err))
    flash(gettext("Đã lưu cấu hình ký số."), "success")
    return redirect(url_for("trust.signing", agency=code))

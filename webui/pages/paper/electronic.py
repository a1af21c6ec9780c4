"""Văn bản đến điện tử: the clerks' list of documents received in edXML packages from other
installations, where each is registered or refused (the rules and the audit: exchange.clerk)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext

from engine.core.errors import DomainError
from engine.registry import incoming
from engine.signatures import signatures
from exchange import clerk, statuses
from webui.common.context import signing_desk
from webui.common.pageutil import render, staff

bp = Blueprint("exchange_pages", __name__)


def _incoming_page(status: int = 200, error: DomainError | None = None, failed: int | None = None) -> Any:
    state = request.args.get("state", "waiting")
    state = state if state in clerk.STATES else "waiting"
    with staff(write=False) as (db, user, _now):
        items = clerk.listing(db, user, state)
        procedures = {a["code"]: a["procedures"] for a in incoming.for_clerk(db, user)}
        return render("exchange/incoming.html", db, user, status, items=items, state=state, states=clerk.STATES,
                      procedures=[p for found in procedures.values() for p in found], codes=statuses.CODES,
                      error=error.message if error else None,
                      errors=getattr(error, "fields", {}) if error else {}, failed=failed)


@bp.get("/exchange/incoming")
def incoming_list() -> Any:
    """Văn bản đến điện tử: documents received in edXML packages, to register or refuse."""
    return _incoming_page()


@bp.post("/exchange/incoming/<int:received_id>/register")
def register(received_id: int) -> Any:
    form = request.form
    body: dict[str, Any] = {k: form[k] for k in ("process", "note") if form.get(k)}
    if form.get("confirm_duplicates") == "1":
        body["confirm_duplicates"] = True
    try:
        with staff(write=True) as (db, user, now):
            done = clerk.register(db, user, received_id, body, signing_desk(signatures.Credentials()), now)
    except DomainError as err:
        return _incoming_page(err.status if err.status in (403, 404, 409, 422) else 422, err, received_id)
    flash(gettext("Đã vào sổ văn bản đến số %(number)s; đã báo trạng thái cho cơ quan gửi.",
                  number=done["number"]), "success")
    return redirect(url_for("cases.show", case_id=done["case_id"]))


@bp.post("/exchange/incoming/<int:received_id>/refuse")
def refuse(received_id: int) -> Any:
    try:
        with staff(write=True) as (db, user, now):
            clerk.refuse(db, user, received_id, request.form.get("reason", ""), now)
    except DomainError as err:
        return _incoming_page(err.status if err.status in (403, 404, 409, 422) else 422, err, received_id)
    flash(gettext("Đã từ chối tiếp nhận; đã báo lý do cho cơ quan gửi."), "success")
    return redirect(url_for("exchange_pages.incoming_list"))

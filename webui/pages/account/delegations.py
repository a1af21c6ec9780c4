"""Settings: my delegations (ủy quyền) — the list, a new one, and revoking one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine.core.errors import InvalidData
from engine.models import User
from engine.org import delegations
from webui.common.pageutil import PER_PAGE, page_number, render, staff
from webui.forms import fields as formfields

bp = Blueprint("delegations", __name__)


def _page(status: int, values: dict[str, Any], errors: dict[str, str], error: str | None) -> Any:
    page = page_number(request.args)
    with staff(write=False) as (db, user, now):
        form = formfields.build(delegations.form(db, user), values, errors, {})
        found = delegations.listing(db, user, page, PER_PAGE, now)
        return render("settings/delegations.html", db, user, status, found=found, form=form, error=error)


@bp.get("/settings/delegations")
def index() -> Any:
    """The delegations I gave (and can revoke), those I hold, and the form for a new one."""
    return _page(200, {}, {}, None)


@bp.post("/settings/delegations")
def create() -> Any:
    """Delegate to a colleague; refused data comes back beside its fields, nothing lost."""
    data: dict[str, Any] = {}
    try:
        with staff(write=True) as (db, user, now):
            data, unreadable = formfields.parse(delegations.form(db, user), request.form)
            if unreadable:
                raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", unreadable)
            made = delegations.create(db, user, data, now)
            delegate = db.get(User, made.delegate_id)
            assert delegate is not None
            name = delegate.full_name
    except InvalidData as refused:
        return _page(422, data, refused.fields, refused.message)
    flash(gettext("Đã ủy quyền cho %(name)s.", name=name), "success")
    return redirect("/settings/delegations")


@bp.post("/settings/delegations/<int:delegation_id>/revoke")
def revoke(delegation_id: int) -> Any:
    """Thu hồi: the delegate can no longer act for me from now on."""
    with staff(write=True) as (db, user, now):
        delegations.revoke(db, user, delegation_id, now)
    flash(gettext("Đã thu hồi ủy quyền."), "success")
    return redirect("/settings/delegations")

"""My notification settings (cài đặt thông báo): whether my notifications also come by
e-mail, through engine.office.notifications (which checks and audits)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine.core.errors import InvalidData
from engine.office import notifications
from webui.common.pageutil import render, staff

bp = Blueprint("notification_settings", __name__)


@bp.get("/settings/notifications")
def show() -> Any:
    """The settings, with the address the e-mails go to."""
    with staff(write=False) as (db, user, _now):
        return render("settings/notifications.html", db, user, account=user, wanted=user.email_notifications,
                      errors={}, error=None)


@bp.post("/settings/notifications")
def save() -> Any:
    """Turn the e-mail copy on or off (the box unticked is "off")."""
    wanted = request.form.get("email_notifications") == "1"
    try:
        with staff(write=True) as (db, user, now):
            notifications.set_email(db, user, wanted, now)
    except InvalidData as refused:
        with staff(write=False) as (db, user, _now):
            return render("settings/notifications.html", db, user, 422, account=user, wanted=wanted,
                          errors=refused.fields, error=refused.message)
    flash(gettext("Đã lưu cài đặt thông báo."), "success")
    return redirect("/settings/notifications")

"""Phê duyệt: the changes to accounts that one administrator may not make alone
(engine/org/admin_approvals.py), for another administrator of the agency or its director."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine.org import admin_approvals
from webui.common.pageutil import render, staff

bp = Blueprint("approvals", __name__)


@bp.get("/approvals")
def index() -> Any:
    """The pending requests of my agencies, each with approve and reject buttons."""
    with staff(write=False) as (db, user, _now):
        return render("approvals/index.html", db, user, requests=admin_approvals.pending(db, user))


@bp.post("/approvals/<int:request_id>")
def decide(request_id: int) -> Any:
    decision = request.form.get("decision")
    with staff(write=True) as (db, user, now):
        admin_approvals.decide(db, user, request_id, decision, now)
    flash(gettext("Đã phê duyệt đề nghị.") if decision == "approve" else gettext("Đã từ chối đề nghị."), "success")
    return redirect("/approvals")

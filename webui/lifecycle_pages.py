"""After a document is numbered, from its page: the clerk voids a register entry (hủy); the
issuing agency's clerk or leaders recall (thu hồi), correct (đính chính) or replace (thay
thế) an issued document (engine.lifecycle). Each asks for a reason."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext

from engine import desk

from .pageutil import staff

bp = Blueprint("lifecycle", __name__)


@bp.post("/documents/<int:document_id>/void")
def void(document_id: int) -> Any:
    with staff(write=True) as (db, user, now):
        desk.void(db, user, document_id, request.form.get("reason", ""), now)
    flash(gettext("Đã hủy văn bản trong sổ; số của văn bản vẫn giữ."), "success")
    return redirect(f"/documents/{document_id}")


@bp.post("/documents/<int:document_id>/recall")
def recall(document_id: int) -> Any:
    with staff(write=True) as (db, user, now):
        desk.recall(db, user, document_id, request.form.get("reason", ""), now)
    flash(gettext("Đã thu hồi văn bản và báo cho nơi nhận."), "success")
    return redirect(f"/documents/{document_id}")


@bp.post("/documents/<int:document_id>/successor")
def successor(document_id: int) -> Any:
    """The new draft opens on its case; the old document is frozen when it is issued."""
    with staff(write=True) as (db, user, now):
        case = desk.successor(db, user, document_id, request.form.get("kind"), request.form.get("reason", ""), now)
        case_id = case.id
    flash(gettext("Đã tạo dự thảo văn bản mới; văn bản cũ hết hiệu lực khi văn bản mới được phát hành."), "success")
    return redirect(f"/cases/{case_id}")

"""Decisions with a reason on a document's page: the clerk refuses a received document (từ
chối tiếp nhận) or voids a register entry (hủy); the issuing agency's clerk or leaders recall
(thu hồi), correct (đính chính) or replace (thay thế) an issued document (engine.registry.lifecycle)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext
from sqlalchemy.orm import Session

from engine.models import User
from engine.office import desk
from webui.common.pageutil import staff

bp = Blueprint("lifecycle", __name__)

Decide = Callable[[Session, User, int, Any, datetime], Any]


def _decide(document_id: int, decide: Decide, done: str) -> Any:
    with staff(write=True) as (db, user, now):
        decide(db, user, document_id, request.form.get("reason", ""), now)
    flash(done, "success")
    return redirect(f"/documents/{document_id}")


@bp.post("/documents/<int:document_id>/refuse")
def refuse(document_id: int) -> Any:
    return _decide(document_id, desk.refuse, gettext("Đã từ chối tiếp nhận văn bản."))


@bp.post("/documents/<int:document_id>/void")
def void(document_id: int) -> Any:
    return _decide(document_id, desk.void, gettext("Đã hủy văn bản trong sổ; số của văn bản vẫn giữ."))


@bp.post("/documents/<int:document_id>/recall")
def recall(document_id: int) -> Any:
    return _decide(document_id, desk.recall, gettext("Đã thu hồi văn bản và báo cho nơi nhận."))


@bp.post("/documents/<int:document_id>/successor")
def successor(document_id: int) -> Any:
    """The new draft opens on its case; the old document is frozen when it is issued."""
    with staff(write=True) as (db, user, now):
        case = desk.successor(db, user, document_id, request.form.get("kind"), request.form.get("reason", ""), now)
        case_id = case.id
    flash(gettext("Đã tạo dự thảo văn bản mới; văn bản cũ hết hiệu lực khi văn bản mới được phát hành."), "success")
    return redirect(f"/cases/{case_id}")

"""Đặt vị trí số và ngày: the page where a drafter or the clerk marks, on page 1 of a draft that
prints no "Số:" line, the boxes the number and the date will be printed in (each dragged, or
clicked corner to corner, on the page's picture, or its four coordinates typed); page 1 as a picture; the clerk's
preview of the number and date the issue will print. The rules are in engine.registry.placement."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request
from flask_babel import gettext

from engine.core.errors import InvalidData
from engine.documents.storage import FileStore
from engine.registry import placement
from webui.common.context import platform
from webui.common.pageutil import render, staff

bp = Blueprint("placement", __name__)
_CORNERS = ("x1", "y1", "x2", "y2")


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


def _typed() -> dict[str, Any]:
    """The form's boxes as the API takes them; a blank or non-number corner stays a string and
    is refused with the box's message."""
    def number(raw: str) -> Any:
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            return raw

    return {box: [number(request.form.get(f"{box}_{c}", "").strip()) for c in _CORNERS] for box in ("number", "date")}


def _page(document_id: int, status: int = 200, error: InvalidData | None = None) -> Any:
    with staff(write=False) as (db, user, now):
        current, own = placement.current_boxes(db, _store(), user, document_id, now)
        values = request.form if error else {f"{box}_{c}": v for box, corners in current.items()
                                              for c, v in zip(_CORNERS, corners, strict=True)}
        return render("documents/placement.html", db, user, status, document_id=document_id, values=values,
                      own=own, errors=error.fields if error else {}, error=error.message if error else None)


@bp.get("/documents/<int:document_id>/placement")
def show(document_id: int) -> Any:
    return _page(document_id)


@bp.post("/documents/<int:document_id>/placement")
def place(document_id: int) -> Any:
    try:
        with staff(write=True) as (db, user, now):
            placement.place_boxes(db, user, document_id, _typed(), now)
    except InvalidData as err:
        return _page(document_id, 422, err)
    flash(gettext("Đã lưu vị trí số và ngày."), "success")
    return redirect(f"/documents/{document_id}")


@bp.get("/documents/<int:document_id>/page-one.png")
def page_one(document_id: int) -> Any:
    with staff(write=False) as (db, user, now):
        return Response(placement.page_one(db, _store(), user, document_id, now), mimetype="image/png")


@bp.get("/documents/<int:document_id>/issue-preview.png")
def issue_preview(document_id: int) -> Any:
    """Page 1 with the number and date the issue would print now, for the clerk (none taken)."""
    with staff(write=False) as (db, user, now):
        return Response(placement.issue_preview(db, _store(), user, document_id, now), mimetype="image/png")

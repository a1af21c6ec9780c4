"""Records (hồ sơ) in the pages: the records I may see with the statistics of each
account, opening a record, one record with its documents in date order, and what its
owner does with it (add or take out a document, close it, hand it to the archive,
export it as PDF or XML) — all through engine.office.records, which checks and audits."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from engine.archives import table
from engine.core.clock import VIETNAM
from engine.core.errors import Conflict, InvalidData
from engine.models import RetentionItem, User
from engine.office import records
from webui.common import exports, labels
from webui.common.pageutil import PER_PAGE, page_number, render, staff
from webui.forms.fields import Field

bp = Blueprint("record_pages", __name__)


def _year(args: Mapping[str, str]) -> int | None:
    raw = args.get("year", "").strip()
    if raw and not (raw.isdigit() and len(raw) == 4):
        raise InvalidData("Năm không hợp lệ.", {"year": "Nhập năm gồm 4 chữ số."})
    return int(raw) if raw else None


@bp.get("/records")
def index() -> Any:
    """The records I may see (``?year=``), and the records, documents and pages per account."""
    year = _year(request.args)
    page = page_number(request.args)
    with staff(write=False) as (db, user, now):
        found = records.listing(db, user, year, page, PER_PAGE, now)
        return render("records/index.html", db, user, found=found, year=year, stats=records.stats(db, user, now))


def _form(values: Mapping[str, Any], errors: Mapping[str, str], items: list[RetentionItem] | None) -> list[Field]:
    """The record's fields; its retention is an item of the agency's retention table (``items``),
    or a term of the national list while the agency has none (None)."""
    def make(key: str, title: Any, widget: str, **extra: Any) -> Field:
        return Field(key=key, name=key, title=str(title), widget=widget, value=values.get(key), error=errors.get(key),
                     **extra)

    return [
        make("notation", _l("Ký hiệu hồ sơ"), "text", required=True, limits={"maxlength": 20},
             hint=str(_l("Ví dụ 01.YTDP – mã hồ sơ sẽ là {mã cơ quan}.{năm}.{ký hiệu}."))),
        make("title", _l("Tiêu đề hồ sơ"), "text", required=True, limits={"maxlength": 500}),
        make("year", _l("Năm"), "number", required=True, limits={"min": 1990, "max": 2100}),
        make("retention_item_id", _l("Mục bảng thời hạn bảo quản"), "select", required=True,
             choices=[(str(i.id), f"{i.code} – {i.heading} ({labels.term(i.term)})") for i in items],
             hint=str(_l("Thời hạn bảo quản của hồ sơ là thời hạn của mục được chọn.")), data_choices=True)
        if items is not None else
        make("retention", _l("Thời hạn bảo quản"), "select", required=True,
             choices=[(r, str(labels.RECORD_TERMS[r])) for r in table.NATIONAL]),
        make("access", _l("Chế độ sử dụng"), "radio", required=True,
             choices=[(a, str(labels.RECORD_TERMS[a])) for a in records.ACCESS]),
        make("personal", _l("Hồ sơ cá nhân (chỉ mình tôi xem)"), "checkbox"),
        make("description", _l("Ghi chú"), "textarea", limits={"maxlength": 2000}),
    ]


@bp.get("/records/new")
def new() -> Any:
    """The form to open a record."""
    with staff(write=False) as (db, user, now):
        agency = records.agency_of(db, user)  # refuses those of no agency, like creating would
        values = {"year": now.astimezone(VIETNAM).year, "access": "Hạn chế"}
        fields = _form(values, {}, table.offered_to_records(db, agency.id))
        return render("records/new.html", db, user, fields=fields, error=None)


@bp.post("/records/new")
def create() -> Any:
    """Open the record; the form comes back with its messages when refused, nothing lost."""
    form = request.form
    year = form.get("year", "").strip()
    given: dict[str, Any] = {"notation": form.get("notation", "").strip(), "title": form.get("title", ""),
                             "retention": form.get("retention", ""), "access": form.get("access", ""),
                             "retention_item_id": int(item) if (item := form.get("retention_item_id", "")).isdigit()
                             else None,
                             "year": int(year) if year.isdigit() else year, "personal": form.get("personal") == "1",
                             "description": form.get("description", "").strip() or None}
    try:
        with staff(write=True) as (db, user, now):
            record = records.create(db, user, given, now)
            record_id, code = record.id, records.code(db, record)
    except (InvalidData, Conflict) as refused:
        errors = refused.fields if isinstance(refused, InvalidData) else {"notation": refused.message}
        with staff(write=False) as (db, user, _now):
            return render("records/new.html", db, user, 422 if isinstance(refused, InvalidData) else 409,
                          fields=_form({**given, "retention_item_id": form.get("retention_item_id", "")}, errors,
                                       table.offered_to_records(db, records.agency_of(db, user).id)),
                          error=refused.message)
    flash(gettext("Đã lập hồ sơ %(code)s.", code=code), "success")
    return redirect(f"/records/{record_id}")


def _show(db: Session, user: User, record_id: int, now: datetime, status: int = 200,
          errors: Mapping[str, str] | None = None, error: str | None = None, values: Mapping[str, str] | None = None
          ) -> tuple[str, int]:
    record = records.get(db, user, record_id, now)
    mine = record["owner"] == user.username
    return render("records/record.html", db, user, status, record=record, mine=mine,
                  addable=records.addable(db, user, record_id, now) if mine else [],
                  errors=errors or {}, error=error, values=values or {})


@bp.get("/records/<int:record_id>")
def show(record_id: int) -> Any:
    """One record: its code, retention, archiving date and its documents numbered in date order."""
    with staff(write=False) as (db, user, now):
        return _show(db, user, record_id, now)


def _change(record_id: int, change: Any, done: str) -> Any:
    """Make the owner's change; when refused, the record page again with the message beside
    the form's field and what was typed kept."""
    try:
        with staff(write=True) as (db, user, now):
            change(db, user, now)
    except (InvalidData, Conflict) as refused:
        errors = refused.fields if isinstance(refused, InvalidData) else {"document_id": refused.message}
        with staff(write=False) as (db, user, now):
            return _show(db, user, record_id, now, 422 if isinstance(refused, InvalidData) else 409, errors,
                         refused.message, request.form.to_dict())
    flash(done, "success")
    return redirect(f"/records/{record_id}")


@bp.post("/records/<int:record_id>/documents")
def add_document(record_id: int) -> Any:
    """Put a document of the agency in the record (the document itself, never a copy)."""
    raw = request.form.get("document_id", "").strip()
    document_id: Any = int(raw) if raw.isdigit() else raw
    return _change(record_id, lambda db, user, now: records.add_document(db, user, record_id, document_id, now),
                   gettext("Đã đưa văn bản vào hồ sơ."))


@bp.post("/records/<int:record_id>/documents/<int:document_id>/remove")
def remove_document(record_id: int, document_id: int) -> Any:
    """Take a document out of the record (the document stays where it is)."""
    return _change(record_id, lambda db, user, now: records.remove_document(db, user, record_id, document_id, now),
                   gettext("Đã bỏ văn bản khỏi hồ sơ."))


@bp.post("/records/<int:record_id>/close")
def close(record_id: int) -> Any:
    """Set the day the record's work ended (empty reopens it): archiving is due a year later."""
    closed_on = request.form.get("closed_on", "").strip()
    return _change(record_id, lambda db, user, now: records.update(db, user, record_id, {"closed_on": closed_on}, now),
                   gettext("Đã cập nhật ngày kết thúc hồ sơ."))


@bp.post("/records/<int:record_id>/archive")
def archive(record_id: int) -> Any:
    """Mark the record handed to the archive (nộp lưu), or take the mark back."""
    archived = request.form.get("archived") == "1"
    return _change(record_id, lambda db, user, now: records.update(db, user, record_id, {"archived": archived}, now),
                   gettext("Đã ghi nhận nộp lưu hồ sơ.") if archived else gettext("Đã bỏ ghi nhận nộp lưu."))


@bp.get("/records/<int:record_id>/export.<fmt>")
def export(record_id: int, fmt: str) -> Any:
    """The record as one PDF (the list of its documents, then the documents) or as XML."""
    return exports.record(staff, record_id, fmt)

"""Records (hồ sơ) in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, request
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.models import User
from engine.office import records

from ..common import exports
from ..common.context import transaction
from .util import authed, body, current_user, page_args

bp = Blueprint("records", __name__, url_prefix="/api/v1/records")


@bp.get("")
def listing() -> Any:
    """The records I may see, with documents, pages and the archiving flag (``?year=``)."""
    page, per_page = page_args()
    year_arg = request.args.get("year")
    if year_arg is not None and not year_arg.isdigit():
        raise InvalidData("Năm không hợp lệ.", {"year": "Cần số năm."})
    year = int(year_arg) if year_arg else None
    return authed(False, lambda s, u, now: records.listing(s, u, year, page, per_page, now))


@bp.post("")
def create() -> Any:
    """Open a record: notation, title, retention, access, personal."""
    given = body()

    def action(session: Session, user: User, now: datetime) -> Any:
        record = records.create(session, user, given, now)
        return records.view(session, user, record, now, with_documents=False)

    return authed(True, action, 201)


@bp.get("/stats")
def stats() -> Any:
    """Records, documents and pages per account."""
    return authed(False, lambda s, u, now: {"items": records.stats(s, u, now)})


@bp.get("/<int:record_id>")
def get(record_id: int) -> Any:
    """A record with its documents numbered in date order."""
    return authed(False, lambda s, u, now: records.get(s, u, record_id, now))


@bp.patch("/<int:record_id>")
def update(record_id: int) -> Any:
    """Close the record (``closed_on``) or mark it archived."""
    given = body()

    def action(session: Session, user: User, now: datetime) -> Any:
        record = records.update(session, user, record_id, given, now)
        return records.view(session, user, record, now, with_documents=False)

    return authed(True, action)


@bp.post("/<int:record_id>/documents")
def add_document(record_id: int) -> Any:
    """Put a document in the record (the document itself, not a copy)."""
    document_id = body().get("document_id")

    def action(session: Session, user: User, now: datetime) -> Any:
        records.add_document(session, user, record_id, document_id, now)
        return records.get(session, user, record_id, now)

    return authed(True, action, 201)


@bp.delete("/<int:record_id>/documents/<int:document_id>")
def remove_document(record_id: int, document_id: int) -> Any:
    """Take a document out of the record."""

    def action(session: Session, user: User, now: datetime) -> Any:
        records.remove_document(session, user, record_id, document_id, now)
        return records.get(session, user, record_id, now)

    return authed(True, action)


@bp.get("/<int:record_id>/export.<fmt>")
def export(record_id: int, fmt: str) -> Any:
    """The record as one PDF (cover list, then the documents) or as XML of its metadata."""
    with transaction(True) as (session, now):  # exporting is audited
        return exports.record(session, current_user(session, now), record_id, fmt, now)

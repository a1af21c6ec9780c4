"""Documents in the pages: a document with its files, work tree and the records (hồ sơ)
holding it, its PDF for the viewer, the upload (with progress, from the page's script),
putting it in one of my records (the clerk's entry of an incoming document is in
pages/intake.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, request
from flask_babel import gettext
from sqlalchemy.orm import Session

from engine.core.errors import Conflict, InvalidData
from engine.documents.storage import FileStore
from engine.models import Direction, Document, User
from engine.office import desk, reading, records, workspace
from engine.signatures import signatures, verification
from exchange import statuses
from webui.common import downloads, exports
from webui.common.context import platform, signing_desk
from webui.common.errors import wants_json
from webui.common.pageutil import render, safe_next, staff
from webui.pages.paper import intake as intake_pages

bp = Blueprint("docs", __name__)


def _page(db: Session, user: User, document_id: int, now: datetime, status: int = 200,
          errors: Mapping[str, str] | None = None, error: str | None = None) -> tuple[str, int]:
    page = workspace.document(db, user, document_id, now)  # refuses those who may not see it
    doc = db.get(Document, document_id)
    delivery = statuses.of_document(db, doc) if doc is not None and doc.direction == Direction.OUTGOING else []
    return render("documents/document.html", db, user, status, page=page, delivery=delivery,
                  records=records.for_document(db, user, document_id), errors=errors or {}, error=error)


@bp.get("/documents/<int:document_id>")
def show(document_id: int) -> Any:
    """One document: metadata, files (and the upload when allowed), work tree, the records
    (hồ sơ) holding it."""
    with staff(write=False) as (db, user, now):
        shown = _page(db, user, document_id, now)
    with staff(write=True) as (db, user, now):  # after the page: a read of the document is its own small write
        reading.opened(db, user, document_id, now)
    return shown


@bp.get("/documents/<int:document_id>/verification.pdf")
def verification_pdf(document_id: int) -> Any:
    """Kết quả xác thực chữ ký số, verified now, as a printable page."""
    keys = signing_desk(signatures.Credentials()).keys
    with staff(write=False) as (db, user, now):
        found = verification.target(db, FileStore(platform().settings.files_dir), keys, user, document_id, now)
    return exports.verification(verification.verify_target(found, now), "pdf", now)


@bp.get("/documents/<int:document_id>/ban-in.pdf")
def printout(document_id: int) -> Any:
    """Bản in: the document to print on paper, each page with the printout's mark and QR code."""
    with staff(write=False) as (db, user, now):
        return exports.printout(db, user, document_id, now)


@bp.post("/documents/<int:document_id>/records")
def add_to_record(document_id: int) -> Any:
    """Put the document in one of my records (the document itself, never a copy)."""
    raw = request.form.get("record_id", "")
    try:
        if not raw.isdigit():
            raise InvalidData("Chưa chọn hồ sơ.", {"record_id": "Chọn một hồ sơ của bạn."})
        with staff(write=True) as (db, user, now):
            records.add_document(db, user, int(raw), document_id, now)
    except (InvalidData, Conflict) as refused:
        with staff(write=False) as (db, user, now):
            return _page(db, user, document_id, now, 422 if isinstance(refused, InvalidData) else 409,
                         {"record_id": refused.message}, refused.message)
    flash(gettext("Đã đưa văn bản vào hồ sơ."), "success")
    return redirect(f"/documents/{document_id}")


@bp.get("/documents/<int:document_id>/files/<int:file_id>")
def file(document_id: int, file_id: int) -> Any:
    """The PDF, shown in the page's viewer, or saved with ``?download=1``."""
    store = FileStore(platform().settings.files_dir)
    with staff(write=False) as (db, user, now):
        path, filename = desk.download(db, store, user, document_id, file_id, now)
    return downloads.send(path, filename, "application/pdf", attachment=request.args.get("download") == "1")


@bp.post("/documents/<int:document_id>/files")
def upload(document_id: int) -> Any:
    """Attach a PDF (``file``; ``role`` main or appendix). Answers the page's script in JSON
    (it shows the upload's progress and a refusal's message); without scripts, goes back."""
    sent = request.files.get("file")
    settings = platform().settings
    name, stream = ((sent.filename or ""), sent.stream) if sent else ("", None)
    role = request.form.get("role", "main")
    with staff(write=False) as (db, user, now):
        desk.may_attach(db, user, document_id, name, stream, role, now)
    received = desk.receive(FileStore(settings.files_dir), name, stream, role, settings.max_upload_bytes)
    with staff(write=True) as (db, user, now):
        record = desk.upload(db, user, document_id, received, role, now)
        stored = {"id": record.id, "filename": record.filename, "size": record.size, "role": record.role}
    intake_pages.precheck(document_id)
    if wants_json():
        return jsonify(stored), 201
    flash(gettext("Đã tải lên: %(name)s", name=stored["filename"]), "success")
    return redirect(safe_next(request.form.get("next"), f"/documents/{document_id}"))

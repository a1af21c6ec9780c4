"""Scans in the clerk's pages (nhận dạng bản quét): the scan is uploaded from the incoming entry
page, recognised by the worker while the page shows its progress, then the entry form comes back
filled with what was read, each such field marked for the clerk to confirm."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, redirect, request, url_for

from engine.core.errors import InvalidData
from engine.documents.storage import FileStore
from engine.scans import queue
from webui.common.context import platform
from webui.common.pageutil import staff

bp = Blueprint("scan_pages", __name__)


@bp.post("/documents/incoming/scan")
def upload() -> Any:
    """The scan, checked and stored outside any transaction, queued; back to the entry page,
    which follows its progress."""
    sent = request.files.get("scan")
    if sent is None or not sent.filename:
        raise InvalidData("Chưa chọn tệp bản quét.", {"scan": "Bắt buộc."})
    with staff(write=False) as (db, user, _now):
        queue.clerk_of(db, user, None)
    stored = queue.store_scan(FileStore(platform().settings.files_dir), sent.stream,
                              platform().settings.max_upload_bytes)
    with staff(write=True) as (db, user, now):
        scan = queue.queue(db, user, None, sent.filename, stored, now)
        scan_id = scan.id
    return redirect(url_for("intake.entry_form", scan=scan_id))


@bp.get("/documents/incoming/scan/<int:scan_id>.json")
def progress(scan_id: int) -> Any:
    """The scan's progress for the entry page's script."""
    with staff(write=False) as (db, user, _now):
        state = queue.view(db, user, scan_id)
    return jsonify({k: state[k] for k in ("status", "pages", "pages_done", "progress", "message")})

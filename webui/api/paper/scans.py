"""Scans in the JSON API (bản quét): a clerk uploads a scan, follows its recognition by the worker,
then registers it with the fields read and confirmed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.documents import documents
from engine.documents.storage import FileStore
from engine.models import User
from engine.scans import queue
from engine.signatures import signatures
from webui.api.paper.documents import Decision, Registered
from webui.api.util import authed, current_user
from webui.api.work.workflow import Password
from webui.common.context import platform, signing_desk, transaction
from webui.contract.route import api_route
from webui.contract.shapes import Code, Files, Form

bp = Blueprint("scans", __name__, url_prefix="/api/v1/scans")


class ScanUpload(Form):
    file: Files
    agency: Code | None = None


class ScanState(BaseModel):
    id: int
    filename: str
    status: str
    pages: int
    pages_done: int
    progress: int
    message: str | None
    fields: dict[str, Any] | None
    duplicates: list[dict[str, Any]]


class ScanEntry(Decision):
    agency: Code | None = None
    data: dict[str, Any]
    agency_password: Password | None = Field(
        None, description="mật khẩu (hoặc mã PIN) chứng thư số của cơ quan: ký số bản chuyển đổi từ văn bản giấy")


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


@api_route(bp, "", "POST", "Tải bản quét văn bản giấy lên để nhận dạng chữ (OCR) và điền sẵn thông tin vào sổ",
           form=ScanUpload, response=ScanState, status=202, errors=(401, 403, 413))
def upload(body: ScanUpload) -> Any:
    """A scan (PDF without a text layer, at most 100 pages), stored and queued for the worker."""
    with transaction(False) as (session, now):
        user = current_user(session, now)
        queue.clerk_of(session, user, body.agency)  # a refused person's upload is not even stored
    upload = body.file[0]
    stored = queue.store_scan(_store(), upload.stream, platform().settings.max_upload_bytes)

    def action(session: Session, user: User, now: datetime) -> Any:
        scan = queue.queue(session, user, body.agency, upload.filename or "ban-quet.pdf", stored, now)
        return queue.view(session, user, scan.id)

    return authed(True, action, 202)


@api_route(bp, "/<int:scan_id>", "GET", "Tiến độ nhận dạng bản quét và thông tin đọc được", response=ScanState,
           errors=(401, 403, 404))
def show(scan_id: int) -> Any:
    """Progress (pages done), then the fields read and the register entries they may duplicate."""
    return authed(False, lambda session, user, now: queue.view(session, user, scan_id))


@api_route(bp, "/<int:scan_id>/register", "POST", "Vào sổ văn bản đến từ bản quét với thông tin văn thư đã xác nhận",
           body=ScanEntry, response=Registered, status=201, errors=(401, 403, 404, 409, 422))
def register(scan_id: int, body: ScanEntry) -> Any:
    """The fields as the clerk confirmed them; the recognised PDF/A, signed by the agency with the
    conversion mark outside any transaction, becomes the main file."""
    given = body.model_dump(by_alias=True, exclude_unset=True, exclude={"agency_password"})
    settings = platform().settings
    with transaction(False) as (session, now):
        job = queue.conversion_job(session, _store(), signing_desk(signatures.Credentials()).keys,
                                   current_user(session, now), scan_id, body.agency_password)
    converted = job.make(platform().clock.now())

    def action(session: Session, user: User, now: datetime) -> Any:
        doc, found = queue.register(session, _store(), user, converted, given, settings.max_upload_bytes, now)
        return {"document": documents.view(doc), "duplicates": found.get("duplicates", []), "intake": found}

    return authed(True, action, 201)

"""Documents in the JSON API: entering them in the registers, their files."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, Response, request
from sqlalchemy.orm import Session

from engine.documents import documents
from engine.documents.storage import FileStore
from engine.models import User
from engine.office import desk, queries
from engine.registry import intake, placement
from engine.signatures import signatures

from ..common import downloads
from ..common.context import platform, signing_desk, transaction
from .util import authed, body, current_user

bp = Blueprint("documents", __name__, url_prefix="/api/v1/documents")


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


def _keys() -> signatures.Keys:
    return signing_desk(signatures.Credentials()).keys


@bp.post("")
def enter() -> Any:
    """Vào sổ: register an incoming document, or a secret entry (metadata only)."""
    given = body()

    def action(session: Session, user: User, now: datetime) -> Any:
        doc, found = desk.enter(session, user, given, now)
        return {"document": documents.view(doc), "duplicates": found.get("duplicates", []), "intake": found}

    return authed(True, action, 201)


@bp.post("/<int:document_id>/register")
def register(document_id: int) -> Any:
    """Vào sổ a received document: its PDF's signatures are verified first (outside the
    transaction); an invalid signature needs ``note``, a possible duplicate
    ``confirm_duplicates``, else 409 with what was found and nothing numbered."""
    given = body()
    with transaction(False) as (session, now):
        sha = desk.main_file(session, current_user(session, now), document_id)
    check = intake.check_file(_store(), _keys(), sha, platform().clock.now()) if sha else None

    def action(session: Session, user: User, now: datetime) -> Any:
        doc, found = desk.register(session, user, document_id, given, check, _store(), _keys(), now)
        return {"document": documents.view(doc), "duplicates": found["duplicates"], "intake": found}

    return authed(True, action)


@bp.post("/<int:document_id>/refuse")
def refuse(document_id: int) -> Any:
    """Từ chối tiếp nhận a received document, with a reason; it is never numbered."""
    reason = body().get("reason")
    return authed(True, lambda s, u, now: documents.view(desk.refuse(s, u, document_id, reason, now)))


@bp.get("/<int:document_id>")
def get(document_id: int) -> Any:
    """One document with its metadata, files and recipients."""
    return authed(False, lambda s, u, now: desk.get(s, u, document_id, now))


@bp.post("/<int:document_id>/recall")
def recall(document_id: int) -> Any:
    """Thu hồi an issued document, with a reason."""
    reason = body().get("reason")
    return authed(True, lambda s, u, now: documents.view(desk.recall(s, u, document_id, reason, now)))


@bp.post("/<int:document_id>/void")
def void(document_id: int) -> Any:
    """Hủy a register entry, with a reason: its number stays used, printed as void."""
    reason = body().get("reason")
    return authed(True, lambda s, u, now: documents.view(desk.void(s, u, document_id, reason, now)))


@bp.post("/<int:document_id>/successor")
def successor(document_id: int) -> Any:
    """Đính chính (``kind`` correct) or thay thế (replace) an issued document, with a reason:
    a new draft in the outgoing procedure, linked to it; the old one is frozen when the new
    one is issued."""
    given = body()

    def action(session: Session, user: User, now: datetime) -> Any:
        case = desk.successor(session, user, document_id, given.get("kind"), given.get("reason"), now)
        return queries.case_view(session, case)

    return authed(True, action, 201)


@bp.get("/<int:document_id>/tree")
def tree(document_id: int) -> Any:
    """Cây công việc: who handed the document to whom, with deadlines, notes and outcomes."""
    return authed(False, lambda s, u, now: {"items": desk.work_tree(s, u, document_id, now)})


@bp.get("/<int:document_id>/versions")
def versions(document_id: int) -> Any:
    """The main file's versions in order: upload, approval_signature, leader_signature, agency_signature,
    attachment_stamp, restored."""
    return authed(False, lambda s, u, now: {"items": desk.file_versions_of(s, u, document_id, now)})


@bp.post("/<int:document_id>/files")
def upload(document_id: int) -> Any:
    """Attach a PDF (multipart field ``file``; ``role`` main or appendix)."""
    upload = request.files.get("file")
    role = request.form.get("role", "main")
    settings = platform().settings

    def action(session: Session, user: User, now: datetime) -> Any:
        name, stream = ((upload.filename or ""), upload.stream) if upload else ("", None)
        record = desk.upload(session, _store(), user, document_id, name, stream, role,
                             settings.max_upload_bytes, now)
        return {"id": record.id, "sha256": record.sha256, "size": record.size, "role": record.role}

    stored = authed(True, action, 201)
    _precheck(document_id)
    return stored


def _precheck(document_id: int) -> None:
    """After an upload: check a received document's new main file outside the transaction."""
    with transaction(False) as (session, now):
        sha = desk.unchecked_file(session, current_user(session, now), document_id, now)
    if sha is not None:
        check = intake.check_file(_store(), _keys(), sha, platform().clock.now())
        with transaction(True) as (session, now):
            desk.keep_check(session, current_user(session, now), document_id, check, now)


@bp.get("/<int:document_id>/files/<int:file_id>")
def download(document_id: int, file_id: int) -> Any:
    """The stored PDF."""
    with transaction(False) as (session, now):
        path, filename = desk.download(session, _store(), current_user(session, now), document_id, file_id, now)
    return downloads.send(path, filename, "application/pdf")


@bp.put("/<int:document_id>/placement")
def place(document_id: int) -> Any:
    """Đặt vị trí số và ngày on page 1 of a draft without a "Số:" line, before the leader signs."""
    given = body()
    return authed(True, lambda s, u, now: placement.place_boxes(s, u, document_id, given, now))


def _png(render: Any) -> Any:
    with transaction(False) as (session, now):
        return Response(render(session, _store(), current_user(session, now), now), mimetype="image/png")


@bp.get("/<int:document_id>/page-one.png")
def page_one(document_id: int) -> Any:
    """Page 1 of the draft's main file, one pixel per PDF point: where the boxes are placed."""
    return _png(lambda s, store, u, now: placement.page_one(s, store, u, document_id, now))


@bp.get("/<int:document_id>/issue-preview.png")
def issue_preview(document_id: int) -> Any:
    """The clerk's preview of page 1 with the number and date the issue would print (none taken)."""
    return _png(lambda s, store, u, now: placement.issue_preview(s, store, u, document_id, now))

"""Internal messages in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, request
from sqlalchemy.orm import Session

from engine.documents.storage import FileStore
from engine.models import User
from engine.office import conversations

from ..common import downloads
from ..common.context import platform, transaction
from .util import authed, body, current_user, page_args

bp = Blueprint("conversations", __name__, url_prefix="/api/v1/conversations")


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


@bp.get("")
def listing() -> Any:
    """My conversations with their unread counts."""
    page, per_page = page_args()
    return authed(False, lambda s, u, now: conversations.listing(s, u, page, per_page))


@bp.post("")
def create() -> Any:
    """Start a conversation: ``{"members": [usernames], "title": optional}``."""
    given = body()

    def action(session: Session, user: User, now: datetime) -> Any:
        conversation = conversations.create(session, user, given, now)
        return {"id": conversation.id, "title": conversation.title, "direct": conversation.direct}

    return authed(True, action, 201)


@bp.get("/<int:conversation_id>/messages")
def messages(conversation_id: int) -> Any:
    """The messages of a conversation, oldest first within the page."""
    page, per_page = page_args()
    return authed(False, lambda s, u, now: conversations.messages(s, u, conversation_id, page, per_page))


@bp.post("/<int:conversation_id>/messages")
def post(conversation_id: int) -> Any:
    """Send a message: JSON ``{text, document_id?, case_id?}``, or multipart with ``text``
    and PDF ``file`` fields."""
    if request.mimetype == "multipart/form-data":
        given: dict[str, Any] = {"text": request.form.get("text", "")}
        for key in ("document_id", "case_id"):
            if request.form.get(key):
                given[key] = int(request.form[key]) if request.form[key].isdigit() else request.form[key]
        files = [(f.filename or "", f.stream) for f in request.files.getlist("file")]
    else:
        given, files = body(), []
    max_bytes = platform().settings.max_upload_bytes

    def action(session: Session, user: User, now: datetime) -> Any:
        message = conversations.post(session, _store(), user, conversation_id, given, files, max_bytes, now)
        return {"id": message.id, "files": [{"id": f.id, "sha256": f.sha256} for f in message.files]}

    return authed(True, action, 201)


@bp.post("/<int:conversation_id>/read")
def read(conversation_id: int) -> Any:
    """Mark the conversation read up to its latest message."""

    def action(session: Session, user: User, now: datetime) -> Any:
        conversations.mark_read(session, user, conversation_id, now)
        return {"ok": True}

    return authed(True, action)


@bp.get("/<int:conversation_id>/messages/<int:message_id>/files/<int:file_id>")
def download(conversation_id: int, message_id: int, file_id: int) -> Any:
    """A file sent in the conversation, to its members only."""
    with transaction(False) as (session, now):
        path, filename = conversations.file_for_download(session, _store(), current_user(session, now),
                                                         conversation_id, message_id, file_id)
    return downloads.send(path, filename, "application/pdf")

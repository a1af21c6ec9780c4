"""Internal messages in the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.documents.storage import FileStore
from engine.models import User
from engine.office import conversations
from webui.api.util import authed, current_user
from webui.common import downloads
from webui.common.context import platform, transaction
from webui.contract.route import api_route
from webui.contract.shapes import Body, Files, Form, Id, Name, Page, Paged

bp = Blueprint("conversations", __name__, url_prefix="/api/v1/conversations")

MessageText = Annotated[str, Field(max_length=20_000)]


class NewConversation(Body):
    messages: ClassVar[dict[str, Any]] = {"members": _l("Danh sách tên đăng nhập.")}
    members: Annotated[list[Name], Field(max_length=200, description="usernames")]
    title: Name | None = None


class Message(Body):
    text: MessageText | None = None
    document_id: Id | None = None
    case_id: Id | None = None


class MessageForm(Form):
    text: MessageText | None = None
    document_id: Id | None = None
    case_id: Id | None = None
    file: Files = []


class Conversation(BaseModel):
    id: int
    title: str | None
    direct: bool


class Sent(BaseModel):
    id: int
    files: list[dict[str, Any]]


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


@api_route(bp, "", "GET", "Các cuộc trò chuyện của tôi, với số tin chưa đọc", query=Paged, response=Page)
def listing(query: Paged) -> Any:
    """My conversations with their unread counts."""
    return authed(False, lambda s, u, now: conversations.listing(s, u, query.page, query.per_page))


@api_route(bp, "", "POST", "Bắt đầu trò chuyện (một-một hoặc nhóm)", body=NewConversation, response=Conversation,
           status=201, errors=(401, 403))
def create(body: NewConversation) -> Any:
    """Start a conversation: ``{"members": [usernames], "title": optional}``."""
    given = body.model_dump(by_alias=True, exclude_unset=True)

    def action(session: Session, user: User, now: datetime) -> Any:
        conversation = conversations.create(session, user, given, now)
        return {"id": conversation.id, "title": conversation.title, "direct": conversation.direct}

    return authed(True, action, 201)


@api_route(bp, "/<int:conversation_id>/messages", "GET", "Tin nhắn", query=Paged, response=Page,
           errors=(401, 403, 404))
def messages(conversation_id: int, query: Paged) -> Any:
    """The messages of a conversation, oldest first within the page."""
    return authed(False, lambda s, u, now: conversations.messages(s, u, conversation_id, query.page,
                                                                  query.per_page))


@api_route(bp, "/<int:conversation_id>/messages", "POST",
           "Gửi tin nhắn (có thể kèm tệp PDF, liên kết văn bản hoặc hồ sơ)", body=Message, form=MessageForm,
           response=Sent, status=201, errors=(401, 403, 404, 413))
def post(conversation_id: int, body: Message | MessageForm) -> Any:
    """Send a message: JSON ``{text, document_id?, case_id?}``, or multipart with ``text``
    and PDF ``file`` fields."""
    files = [(f.filename or "", f.stream) for f in body.file] if isinstance(body, MessageForm) else []
    given = body.model_dump(by_alias=True, exclude_unset=True, exclude={"file"})
    if isinstance(body, MessageForm):
        given.setdefault("text", "")
    max_bytes = platform().settings.max_upload_bytes

    def action(session: Session, user: User, now: datetime) -> Any:
        message = conversations.post(session, _store(), user, conversation_id, given, files, max_bytes, now)
        return {"id": message.id, "files": [{"id": f.id, "sha256": f.sha256} for f in message.files]}

    return authed(True, action, 201)


@api_route(bp, "/<int:conversation_id>/read", "POST", "Đánh dấu đã đọc", errors=(401, 403, 404))
def read(conversation_id: int) -> Any:
    """Mark the conversation read up to its latest message."""

    def action(session: Session, user: User, now: datetime) -> Any:
        conversations.mark_read(session, user, conversation_id, now)
        return {"ok": True}

    return authed(True, action)


@api_route(bp, "/<int:conversation_id>/messages/<int:message_id>/files/<int:file_id>", "GET",
           "Tải tệp đính kèm tin nhắn", media=("application/pdf",), errors=(401, 403, 404))
def download(conversation_id: int, message_id: int, file_id: int) -> Any:
    """A file sent in the conversation, to its members only."""
    with transaction(False) as (session, now):
        path, filename = conversations.file_for_download(session, _store(), current_user(session, now),
                                                         conversation_id, message_id, file_id)
    return downloads.send(path, filename, "application/pdf")

"""Internal messages (tin nhắn nội bộ) in the pages: my conversations with their unread
marks, starting one, a conversation with its messages and the reply form (text, PDF
files, a linked document or case), and the files sent — through engine.office.conversations,
which keeps each conversation to its members and audits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from engine.core.errors import Forbidden, InvalidData
from engine.documents.storage import FileStore
from engine.models import User
from engine.office import conversations, workspace
from engine.org import permissions
from webui.common import downloads
from webui.common.context import platform
from webui.common.pageutil import PER_PAGE, page_number, render, staff
from webui.forms.fields import Field

bp = Blueprint("messages", __name__)


def _store() -> FileStore:
    return FileStore(platform().settings.files_dir)


@bp.get("/messages")
def index() -> Any:
    """My conversations, the latest first, each with the number of messages I have not read."""
    page = page_number(request.args)
    with staff(write=False) as (db, user, _now):
        return render("messages/index.html", db, user, found=conversations.listing(db, user, page, PER_PAGE))


def _new_form(db: Session, user: User, values: Mapping[str, Any], errors: Mapping[str, str]) -> list[Field]:
    agencies = permissions.agencies_of(db, user)
    if not agencies:
        raise Forbidden("Bạn chưa thuộc cơ quan nào.")
    # The sender's agency is the conversation's (engine.office.conversations.create): its people are offered.
    people = workspace.directory(db, min(agencies))["people"]
    return [
        Field(key="members", name="members", title=str(_l("Người nhận")), widget="checkboxes", required=True,
              value=list(values.get("members", [])), error=errors.get("members"), data_choices=True,
              choices=[(p["username"], f"{p['full_name']} – {p['unit']}") for p in people
                       if p["username"] != user.username]),
        Field(key="title", name="title", title=str(_l("Tên nhóm (khi nhắn cho nhiều người)")), widget="text",
              value=values.get("title"), error=errors.get("title"), limits={"maxlength": 200}),
        Field(key="text", name="text", title=str(_l("Nội dung")), widget="textarea", required=True,
              value=values.get("text"), error=errors.get("text"), limits={"maxlength": conversations.MAX_TEXT}),
        Field(key="document_id", name="document_id", title=str(_l("Kèm liên kết văn bản (mã số)")), widget="text",
              value=values.get("document_id"), error=errors.get("document_id")),
        Field(key="case_id", name="case_id", title=str(_l("Kèm liên kết hồ sơ công việc (mã số)")), widget="text",
              value=values.get("case_id"), error=errors.get("case_id")),
    ]


@bp.get("/messages/new")
def new() -> Any:
    """The form to write to one person or a group of my agency (``?case_id=`` or
    ``?document_id=``: about that case or document, as from the case page)."""
    linked = {k: request.args[k] for k in ("case_id", "document_id") if request.args.get(k)}
    with staff(write=False) as (db, user, _now):
        return render("messages/new.html", db, user, fields=_new_form(db, user, linked, {}), error=None)


@bp.post("/messages/new")
def create() -> Any:
    """Start the conversation with its first message (both or neither); a direct
    conversation already open with that person is continued instead."""
    given: dict[str, Any] = {"members": request.form.getlist("members"),
                             "title": request.form.get("title", "").strip() or None}
    message = _message(request.form)
    try:
        with staff(write=True) as (db, user, now):
            conversation = conversations.create(db, user, given, now)
            conversations.post(db, _store(), user, conversation.id, message, [],
                               platform().settings.max_upload_bytes, now)
            conversation_id = conversation.id
    except InvalidData as refused:
        with staff(write=False) as (db, user, _now):
            fields = _new_form(db, user, {**request.form.to_dict(), **given}, refused.fields)
            return render("messages/new.html", db, user, 422, fields=fields, error=refused.message)
    flash(gettext("Đã gửi tin nhắn."), "success")
    return redirect(f"/messages/{conversation_id}")


def _conversation(db: Session, user: User, conversation_id: int, page: int, status: int = 200,
                  errors: Mapping[str, str] | None = None, error: str | None = None,
                  values: Mapping[str, str] | None = None) -> tuple[str, int]:
    conversation = conversations.summary(db, user, conversation_id)
    return render("messages/conversation.html", db, user, status, conversation=conversation,
                  names={m["username"]: m["full_name"] for m in conversation["members"]},
                  found=conversations.messages(db, user, conversation_id, page, PER_PAGE),
                  errors=errors or {}, error=error, values=values or {})


@bp.get("/messages/<int:conversation_id>")
def show(conversation_id: int) -> Any:
    """A conversation, its latest messages first on page 1 (oldest first within a page).
    Opening it marks it read: the unread mark of the list and the header go."""
    page = page_number(request.args)
    with staff(write=True) as (db, user, now):
        conversations.mark_read(db, user, conversation_id, now)
        db.flush()  # the header's unread count, read next, must see it
        return _conversation(db, user, conversation_id, page)


def _message(form: Mapping[str, str]) -> dict[str, Any]:
    """The posted message: its text, and the document or case it links as typed (a number,
    or the text itself for the service to refuse)."""
    given: dict[str, Any] = {"text": form.get("text", "")}
    for key in ("document_id", "case_id"):
        raw = (form.get(key) or "").strip()
        if raw:
            given[key] = int(raw) if raw.isdigit() else raw
    return given


@bp.post("/messages/<int:conversation_id>")
def reply(conversation_id: int) -> Any:
    """Send a message: text, PDF files (checked like a document's) and optionally a linked
    document or case every member may see."""
    given = _message(request.form)
    files = [(f.filename or "", f.stream) for f in request.files.getlist("file") if f.filename]
    try:
        with staff(write=True) as (db, user, now):
            conversations.post(db, _store(), user, conversation_id, given, files,
                               platform().settings.max_upload_bytes, now)
    except InvalidData as refused:
        with staff(write=False) as (db, user, _now):
            return _conversation(db, user, conversation_id, 1, 422, refused.fields, refused.message,
                                 request.form.to_dict())
    return redirect(f"/messages/{conversation_id}")


@bp.get("/messages/<int:conversation_id>/<int:message_id>/files/<int:file_id>")
def file(conversation_id: int, message_id: int, file_id: int) -> Any:
    """A file sent in the conversation, to its members only."""
    with staff(write=False) as (db, user, _now):
        path, filename = conversations.file_for_download(db, _store(), user, conversation_id, message_id, file_id)
    return downloads.send(path, filename, "application/pdf", attachment=request.args.get("download") == "1")

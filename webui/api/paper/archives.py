"""Records to archives in the JSON API: the records due for hand-over and for destruction, a
record's hand-over package (gói nộp lưu), and the destruction lists' steps (engine.archives)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.archives import destruction, retention
from engine.models import User
from webui.api.util import authed, current_user
from webui.common import exports, handover
from webui.common.context import transaction
from webui.contract.route import api_route
from webui.contract.shapes import Body, Id, Items, Text

bp = Blueprint("archives", __name__, url_prefix="/api/v1/archives")


class ArchivesDue(BaseModel):
    """closed records due for hand-over, and those whose retention period is over"""

    handover: list[dict[str, Any]]
    expired: list[dict[str, Any]]


class NewDestructionList(Body):
    summary: ClassVar[Any] = _l("Thông tin chưa hợp lệ.")
    messages: ClassVar[dict[str, Any]] = {"record_ids": _l("Danh sách mã hồ sơ."), "reason": _l("Từ 3 đến 1000 ký tự.")}
    record_ids: Annotated[list[Id], Field(min_length=1, max_length=500)]
    reason: Text


class DestructionReview(Body):
    messages: ClassVar[dict[str, Any]] = {"agree": _l("Cần true hoặc false."), "note": _l("Từ 3 đến 1000 ký tự.")}
    agree: bool
    note: Text | None = None


class HeadDecision(Body):
    messages: ClassVar[dict[str, Any]] = {"agree": _l("Cần true hoặc false.")}
    agree: bool


class DestructionCarryOut(Body):
    messages: ClassVar[dict[str, Any]] = {"backups_note": _l("Từ 3 đến 1000 ký tự.")}
    backups_note: Text


class DestructionList(BaseModel):
    """status proposed → reviewed → approved → destroyed (or rejected), its entries and who did each step"""

    model_config = {"extra": "allow"}
    id: int
    status: str


@api_route(bp, "/due", "GET", "Hồ sơ đến hạn nộp lưu và hồ sơ hết thời hạn bảo quản", response=ArchivesDue,
           errors=(401, 403))
def due() -> Any:
    """My agency's closed records due for hand-over, and those whose retention is over (register keepers)."""
    return authed(False, lambda s, u, now: retention.due_for(s, u, now))


@api_route(bp, "/records/<int:record_id>/package", "GET", "Gói nộp lưu của hồ sơ (METS, EAD, PREMIS, SHA-256)",
           media=("application/zip",), errors=(401, 403, 404, 422))
def package(record_id: int) -> Any:
    """The record's E-ARK CSIP package as a zip, validated against the METS, EAD and PREMIS XSDs."""
    return handover.download(current_user, record_id)


@api_route(bp, "/destructions", "GET", "Danh mục tài liệu hết giá trị của cơ quan", response=Items, errors=(401, 403))
def lists() -> Any:
    """My agency's destruction lists, newest first."""
    return authed(False, lambda s, u, now: {"items": destruction.listing(s, u)})


@api_route(bp, "/destructions", "POST", "Lập danh mục tài liệu hết giá trị", body=NewDestructionList,
           response=DestructionList, status=201, errors=(401, 403, 422))
def propose(body: NewDestructionList) -> Any:
    """List closed records whose retention period is over, with the reason."""
    given = body.model_dump()
    return authed(True, lambda s, u, now: destruction.view(s, destruction.propose(s, u, given, now)), 201)


@api_route(bp, "/destructions/<int:list_id>", "GET", "Danh mục tài liệu hết giá trị", response=DestructionList,
           errors=(401, 404))
def get(list_id: int) -> Any:
    """One destruction list with its entries."""
    return authed(False, lambda s, u, now: destruction.get(s, u, list_id))


@api_route(bp, "/destructions/<int:list_id>/review", "POST", "Thẩm tra danh mục hủy (chánh văn phòng)",
           body=DestructionReview, response=DestructionList, errors=(401, 403, 404, 409))
def review(list_id: int, body: DestructionReview) -> Any:
    """The office chief agrees (on to the head) or refuses, with a note."""
    given = body.model_dump(exclude_unset=True)
    return authed(True, lambda s, u, now: destruction.view(s, destruction.review(s, u, list_id, given, now)))


@api_route(bp, "/destructions/<int:list_id>/approve", "POST", "Người đứng đầu cơ quan phê duyệt hủy", body=HeadDecision,
           response=DestructionList, errors=(401, 403, 404, 409))
def approve(list_id: int, body: HeadDecision) -> Any:
    """The head of the agency approves or refuses the reviewed list."""
    given = body.model_dump()
    return authed(True, lambda s, u, now: destruction.view(s, destruction.approve(s, u, list_id, given, now)))


@api_route(bp, "/destructions/<int:list_id>/carry-out", "POST", "Thực hiện hủy và lập biên bản",
           body=DestructionCarryOut, response=DestructionList, errors=(401, 403, 404, 409))
def carry_out(list_id: int, body: DestructionCarryOut) -> Any:
    """Delete the records' files, note the backups, make the minutes (the metadata stays)."""
    given = body.model_dump()

    def action(session: Session, user: User, now: datetime) -> Any:
        done = destruction.carry_out(session, handover.store(), user, list_id, given, exports.fonts(), now)
        return destruction.view(session, done)

    return authed(True, action)


@api_route(bp, "/destructions/<int:list_id>/minutes.pdf", "GET", "Biên bản hủy tài liệu", media=("application/pdf",),
           errors=(401, 404))
def minutes(list_id: int) -> Any:
    """The minutes of a destruction carried out."""
    with transaction(True) as (session, now):  # reading the minutes is audited
        user = current_user(session, now)
        return exports.send(destruction.minutes_pdf(session, handover.store(), user, list_id, now))

"""My delegations (ủy quyền) in the JSON API, as the settings page offers them: the list of
those I gave and hold, a new one, and revoking one (engine.org.delegations owns every rule)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar, Literal

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from engine.models import User
from engine.org import delegations
from webui.api.util import authed
from webui.contract.route import api_route
from webui.contract.shapes import Body, DateText, Name, Paged

bp = Blueprint("delegations_api", __name__, url_prefix="/api/v1/me/delegations")


class NewDelegation(Body):
    summary: ClassVar[Any] = _l("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.")
    messages: ClassVar[dict[str, Any]] = {
        **dict.fromkeys(("starts_on", "ends_on"), _l("Ngày không hợp lệ (dạng YYYY-MM-DD).")),
        "scope": _l("Danh sách quy trình không hợp lệ.")}
    delegate: Name
    starts_on: DateText
    ends_on: DateText
    scope: Annotated[list[Name], Field(max_length=200, description="process ids; none: every process")] | None = None


class Delegation(BaseModel):
    id: int
    person: dict[str, Any]
    starts_on: str = Field(json_schema_extra={"format": "date"})
    ends_on: str = Field(json_schema_extra={"format": "date"})
    scope: list[str]
    state: Literal["upcoming", "active", "ended", "revoked"]


class Delegations(BaseModel):
    items: list[Delegation]
    page: int
    per_page: int
    total: int
    received: list[Delegation]


@api_route(bp, "", "GET", "Các ủy quyền tôi đã giao và đang nhận", query=Paged, response=Delegations)
def listing(query: Paged) -> Any:
    """The delegations I gave (one page, newest first) and those I hold now or later."""
    return authed(False, lambda s, u, now: delegations.listing(s, u, query.page, query.per_page, now))


@api_route(bp, "/form", "GET", "Biểu mẫu ủy quyền (người và quy trình được chọn): JSON Schema")
def form() -> Any:
    """The JSON Schema of a new delegation, with the colleagues and processes I may choose."""
    return authed(False, lambda s, u, now: delegations.form(s, u))


@api_route(bp, "", "POST", "Ủy quyền cho đồng nghiệp cùng cơ quan", body=NewDelegation, response=Delegation,
           status=201)
def create(body: NewDelegation) -> Any:
    """Delegate to a colleague: ``{"delegate", "starts_on", "ends_on", "scope"}``."""
    given = body.model_dump(by_alias=True, exclude_unset=True)

    def action(session: Session, user: User, now: datetime) -> Any:
        return delegations.describe(session, user, delegations.create(session, user, given, now), now)

    return authed(True, action, 201)


@api_route(bp, "/<int:delegation_id>/revoke", "POST", "Thu hồi ủy quyền", response=Delegation,
           errors=(401, 403, 404, 422))
def revoke(delegation_id: int) -> Any:
    """Thu hồi: the delegate can no longer act for me from now on."""

    def action(session: Session, user: User, now: datetime) -> Any:
        return delegations.describe(session, user, delegations.revoke(session, user, delegation_id, now), now)

    return authed(True, action)

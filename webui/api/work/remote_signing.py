"""Ký số từ xa in the JSON API: a leader's signature approved on their phone (start, then ask
where it stands every few seconds, or cancel), a service's callback, and the agency's services for
its administrators. The flow opens its own short transactions (engine.remote_signing.flow): none
is open around it."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from flask import Blueprint, jsonify, request
from pydantic import Field
from sqlalchemy.orm import Session

from engine.models import User
from engine.org import administration
from engine.remote_signing import flow, providers
from webui.api.util import authed, current_user
from webui.common.context import platform, remote_signing, transaction
from webui.contract.route import api_route
from webui.contract.shapes import Body, Code, Id, Items, Query

bp = Blueprint("api_remote_signing", __name__, url_prefix="/api/v1")
_TASK = "/tasks/<task_id>/remote-signing"


class Start(Body):
    data: dict[str, Any] = Field(default_factory=dict, description="the task's form (decision sign)")
    provider: Id
    account: Annotated[str, Field(max_length=100, description="the signer's user id at the service")] = ""
    pin: Annotated[str | None, Field(max_length=64, description="used once, never stored")] = None


class Service(Body):
    agency: Code | None = None
    name: Annotated[str, Field(max_length=100)] = ""
    kind: Annotated[str, Field(max_length=16, description="csc or approval")] = ""
    endpoint: Annotated[str, Field(max_length=500)] = ""
    client_id: Annotated[str, Field(max_length=200)] = ""
    secret: Annotated[str, Field(max_length=500, description="never shown back, logged nor audited")] = ""
    timeout_seconds: Annotated[int, Field(ge=30, le=300)] = 180
    enabled: bool = True


class AgencyQuery(Query):
    agency: Code | None = None


def _me() -> int:
    with transaction(False) as (session, now):
        return current_user(session, now).id


@api_route(bp, _TASK, "GET", "Các dịch vụ ký số từ xa cho bước ký của công việc", errors=(401, 403, 404, 409))
def choices(task_id: str) -> Any:
    """The services the task's sign step offers, and the account I signed with last time."""
    return authed(False, lambda s, u, now: flow.choices(s, u, task_id, now))


@api_route(bp, _TASK, "POST", "Ký bằng chữ ký số từ xa: gửi yêu cầu xác nhận đến điện thoại", body=Start,
           status=201, errors=(401, 403, 404, 409, 422))
def start(task_id: str, body: Start) -> Any:
    """The hash goes to my phone; the task is completed once I approve there (ask ``…/check``)."""
    answer = flow.start(remote_signing(), _me(), task_id, body.data, body.provider, body.account, body.pin or None,
                        platform().clock.now())
    return jsonify(answer), 201


@api_route(bp, _TASK + "/<request_id>/check", "POST", "Trạng thái yêu cầu ký số từ xa (hỏi dịch vụ trước)",
           errors=(401, 404))
def check(task_id: str, request_id: str) -> Any:
    """Where my request stands (waiting, completed, rejected, expired, cancelled, failed)."""
    return jsonify(flow.check(remote_signing(), _me(), task_id, request_id, platform().clock.now()))


@api_route(bp, _TASK + "/<request_id>/cancel", "POST", "Hủy yêu cầu ký số từ xa đang chờ", errors=(401, 404, 409))
def cancel(task_id: str, request_id: str) -> Any:
    return jsonify(flow.cancel(remote_signing(), _me(), task_id, request_id, platform().clock.now()))


@api_route(bp, "/remote-signing/callback/<int:provider_id>", "POST",
           "Thông báo kết quả của dịch vụ ký số từ xa (dịch vụ gọi; X-Signature: HMAC-SHA256 của thân)",
           raw=("application/json",), public=True, errors=(403, 404, 422))
def callback(provider_id: int) -> Any:
    """The service's own call (no one is logged in): a transaction's outcome, the body signed
    with the agency's secret in ``X-Signature`` (signing.remote.approval)."""
    flow.receive(remote_signing(), provider_id, request.get_data(), request.headers.get("X-Signature", ""),
                 platform().clock.now())
    return jsonify({"received": True})


@api_route(bp, "/admin/remote-signing-providers", "GET", "Dịch vụ ký số từ xa của cơ quan (quản trị)",
           query=AgencyQuery, response=Items, errors=(401, 403))
def listing(query: AgencyQuery) -> Any:
    """The agency's services, without their secrets."""
    keys = remote_signing().keys

    def action(session: Session, user: User, now: datetime) -> Any:
        agency = administration.agency_for(session, user, query.agency)
        return {"items": [providers.describe(keys, agency, p) for p in providers.of_agency(session, agency.id)]}

    return authed(False, action)


def _save(body: Service, provider_id: int | None) -> Any:
    keys = remote_signing().keys
    given = body.model_dump()

    def action(session: Session, user: User, now: datetime) -> Any:
        agency = administration.agency_for(session, user, body.agency)
        return providers.describe(keys, agency, providers.save(session, keys, user, agency, given, now, provider_id))

    return authed(True, action, 200 if provider_id else 201)


@api_route(bp, "/admin/remote-signing-providers", "POST", "Thêm dịch vụ ký số từ xa", body=Service, status=201,
           errors=(401, 403, 422))
def create(body: Service) -> Any:
    return _save(body, None)


@api_route(bp, "/admin/remote-signing-providers/<int:provider_id>", "POST",
           "Sửa dịch vụ ký số từ xa (khóa bí mật để trống: giữ nguyên)", body=Service, errors=(401, 403, 404, 422))
def save(provider_id: int, body: Service) -> Any:
    return _save(body, provider_id)

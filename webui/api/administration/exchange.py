"""Liên thông in the JSON API. Within one installation, exchange agreements: an administrator
approves or withdraws their agency's side; an agreement holds once both agencies' administrators
approved (``bp``). Between installations, edXML packages (``packages_bp``): the endpoint partners
POST packages to, the agency directory, the clerk's "Văn bản đến điện tử" and a document's
statuses per recipient."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel, Field, RootModel, WithJsonSchema

from engine.core.clock import VIETNAM
from engine.core.errors import NotFound
from engine.interagency import agreements
from engine.models import Document
from engine.org.permissions import ensure_can_view_document
from engine.signatures import signatures
from exchange import clerk, codec, directory, inbound, statuses
from webui.api.util import authed
from webui.common.context import platform, signing_desk
from webui.contract.route import api_route
from webui.contract.shapes import Body, Code, Items, Query, Text

bp = Blueprint("exchange", __name__, url_prefix="/api/v1/exchange-agreements")
packages_bp = Blueprint("exchange_packages", __name__, url_prefix="/api/v1/exchange")


class Pair(BaseModel):
    agency: Code
    partner: Code


class Agreement(BaseModel):
    agency: str
    partner: str
    partner_name: str
    approved_by_us: bool
    approved_by_them: bool
    active: bool = Field(description="both administrators approved: messages may pass")


class Agreements(BaseModel):
    items: list[Agreement]


@api_route(bp, "", "GET", "Thỏa thuận liên thông của các cơ quan tôi quản trị", response=Agreements,
           errors=(401, 403))
def listing() -> Any:
    """For each agency I administer, every other agency and where our agreement stands."""
    return authed(False, lambda s, u, now: {"items": agreements.listing(s, u)})


@api_route(bp, "/<agency>/<partner>", "PUT", "Cơ quan tôi đồng ý liên thông với cơ quan đối tác", path=Pair,
           response=Agreement, errors=(401, 403, 404))
def approve(agency: str, partner: str) -> Any:
    """Approve my agency's side of the agreement with ``partner``."""
    return authed(True, lambda s, u, now: agreements.approve(s, u, agency, partner, now))


@api_route(bp, "/<agency>/<partner>", "DELETE", "Cơ quan tôi rút đồng ý liên thông", path=Pair,
           response=Agreement, errors=(401, 403, 404))
def withdraw(agency: str, partner: str) -> Any:
    """Withdraw my agency's approval: no message passes between the two any more."""
    return authed(True, lambda s, u, now: agreements.withdraw(s, u, agency, partner, now))


class AgencyPath(BaseModel):
    agency: Code


class Partner(RootModel[Annotated[dict[str, Any], WithJsonSchema(directory.SCHEMA)]]):
    """A directory entry: the service's own JSON Schema is the shape (directory.save checks it,
    with its messages)."""


class IncomingQuery(Query):
    state: Literal[tuple(clerk.STATES)] = "waiting"  # type: ignore[valid-type]


class RegisterReceived(Body):
    process: Annotated[str, Field(max_length=100)] | None = None
    note: Text | None = None
    confirm_duplicates: bool | None = None


class RefuseReceived(Body):
    reason: Text


class PackageStatus(BaseModel):
    status: str = Field(description="01 đã đến … 16; 02 từ chối tiếp nhận")
    description: str
    document_id: str = Field(description="DocumentId edXML")
    duplicate: bool = Field(description="the same package was received before")


@api_route(packages_bp, "/edxml", "POST", "Nhận gói tin edXML (văn bản hoặc trạng thái) từ hệ thống của cơ quan khác",
           description="Không dùng mã Bearer: cơ quan gửi xác thực bằng HMAC-SHA256 với khóa bí mật dùng chung "
                       "(tiêu đề X-QLVB-Organ-From, X-QLVB-Organ-To, X-QLVB-Timestamp, X-QLVB-Signature); gói tin "
                       "được kiểm tra (XSD, chữ ký số của cơ quan gửi) trước khi lưu.",
           raw=("application/xml",), public=True, response=PackageStatus, status=201, errors=(401, 413, 422))
def receive_package() -> Response:
    """A partner installation's package (a document or a status), authenticated by the HMAC
    headers of exchange.transport.auth; answered with the status it has here (01, or 02 refused)."""
    headers = {name: request.headers.get(name, "") for name in inbound.HEADERS}
    reply = inbound.receive_http(platform(), headers, request.get_data(cache=False), codec.parse)
    response = jsonify(reply.body)
    response.status_code = reply.http
    return response


@api_route(packages_bp, "/partners/<agency>", "GET", "Danh bạ cơ quan liên thông của cơ quan (quản trị)",
           path=AgencyPath, response=Items, errors=(401, 403, 404))
def partners(agency: str) -> Any:
    """The agency's directory (danh bạ cơ quan liên thông); its administrators only."""
    return authed(False, lambda s, u, now: {"items": directory.listing(s, u, agency)})


@api_route(packages_bp, "/partners/<agency>", "PUT", "Thêm hoặc sửa một cơ quan trong danh bạ (theo mã định danh)",
           path=AgencyPath, body=Partner, errors=(401, 403, 404))
def save_partner(agency: str, body: Partner) -> Any:
    """Add a partner to the directory, or change the one with the same organ identifier."""
    return authed(True, lambda s, u, now: directory.save(s, u, agency, body.root, now))


@api_route(packages_bp, "/incoming", "GET", "Văn bản đến điện tử (văn thư, quản trị)", query=IncomingQuery,
           response=Items, errors=(401, 403))
def incoming(query: IncomingQuery) -> Any:
    """Văn bản đến điện tử: documents received in packages, by state (waiting: to register or refuse)."""
    return authed(False, lambda s, u, now: {"items": clerk.listing(s, u, query.state)})


@api_route(packages_bp, "/incoming/<int:received_id>/register", "POST",
           "Vào sổ văn bản đến điện tử; báo 03 cho cơ quan gửi",
           body=RegisterReceived, errors=(401, 403, 404, 409))
def register(received_id: int, body: RegisterReceived) -> Any:
    """Vào sổ: the agency's incoming procedure starts on it; the sender is told 03 with the number."""
    data = body.model_dump(by_alias=True, exclude_unset=True)
    desk = signing_desk(signatures.Credentials())
    return authed(True, lambda s, u, now: clerk.register(s, u, received_id, data, desk, now))


@api_route(packages_bp, "/incoming/<int:received_id>/refuse", "POST",
           "Từ chối tiếp nhận; báo 02 với lý do cho cơ quan gửi",
           body=RefuseReceived, errors=(401, 403, 404, 409))
def refuse(received_id: int, body: RefuseReceived) -> Any:
    """Từ chối tiếp nhận, with the reason the sender is told (02)."""
    return authed(True, lambda s, u, now: clerk.refuse(s, u, received_id, body.reason, now))


@api_route(packages_bp, "/documents/<int:document_id>/statuses", "GET",
           "Trạng thái văn bản tại từng nơi nhận liên thông (mới nhất, lịch sử, các lần gửi)", response=Items,
           errors=(401, 403, 404))
def document_statuses(document_id: int) -> Any:
    """Each electronic recipient of one of our documents: its latest status, history and sends."""
    def read(s: Any, u: Any, now: Any) -> dict[str, Any]:
        doc = s.get(Document, document_id)
        if doc is None:
            raise NotFound("Không tìm thấy văn bản.")
        ensure_can_view_document(s, u, doc, now.astimezone(VIETNAM).date())
        return {"items": statuses.of_document(s, doc)}
    return authed(False, read)

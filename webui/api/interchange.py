"""Liên thông between installations in the JSON API: the endpoint partners POST packages to,
the agency directory, the clerk's "Văn bản đến điện tử" and a document's statuses per recipient."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from engine.core.clock import VIETNAM
from engine.core.errors import NotFound
from engine.models import Document
from engine.org.permissions import ensure_can_view_document
from engine.signatures import signatures
from exchange import clerk, codec, directory, inbound, statuses

from ..common.context import platform, signing_desk
from .util import authed, body

bp = Blueprint("exchange_packages", __name__, url_prefix="/api/v1/exchange")


@bp.post("/edxml")
def receive_package() -> Response:
    """A partner installation's package (a document or a status), authenticated by the HMAC
    headers of exchange.transport.auth; answered with the status it has here (01, or 02 refused)."""
    headers = {name: request.headers.get(name, "") for name in inbound.HEADERS}
    reply = inbound.receive_http(platform(), headers, request.get_data(cache=False), codec.parse)
    response = jsonify(reply.body)
    response.status_code = reply.http
    return response


@bp.get("/partners/<agency>")
def partners(agency: str) -> Any:
    """The agency's directory (danh bạ cơ quan liên thông); its administrators only."""
    return authed(False, lambda s, u, now: {"items": directory.listing(s, u, agency)})


@bp.put("/partners/<agency>")
def save_partner(agency: str) -> Any:
    """Add a partner to the directory, or change the one with the same organ identifier."""
    data = body()
    return authed(True, lambda s, u, now: directory.save(s, u, agency, data, now))


@bp.get("/incoming")
def incoming() -> Any:
    """Văn bản đến điện tử: documents received in packages, by state (waiting: to register or refuse)."""
    state = request.args.get("state", "waiting")
    return authed(False, lambda s, u, now: {"items": clerk.listing(s, u, state)})


@bp.post("/incoming/<int:received_id>/register")
def register(received_id: int) -> Any:
    """Vào sổ: the agency's incoming procedure starts on it; the sender is told 03 with the number."""
    data = body()
    desk = signing_desk(signatures.Credentials())
    return authed(True, lambda s, u, now: clerk.register(s, u, received_id, data, desk, now))


@bp.post("/incoming/<int:received_id>/refuse")
def refuse(received_id: int) -> Any:
    """Từ chối tiếp nhận, with the reason the sender is told (02)."""
    data = body()
    return authed(True, lambda s, u, now: clerk.refuse(s, u, received_id, data.get("reason"), now))


@bp.get("/documents/<int:document_id>/statuses")
def document_statuses(document_id: int) -> Any:
    """Each electronic recipient of one of our documents: its latest status, history and sends."""
    def read(s: Any, u: Any, now: Any) -> dict[str, Any]:
        doc = s.get(Document, document_id)
        if doc is None:
            raise NotFound("Không tìm thấy văn bản.")
        ensure_can_view_document(s, u, doc, now.astimezone(VIETNAM).date())
        return {"items": statuses.of_document(s, doc)}
    return authed(False, read)

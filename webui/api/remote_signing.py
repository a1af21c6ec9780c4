"""Ký số từ xa in the JSON API: a leader's signature approved on their phone (start, then ask
where it stands every few seconds, or cancel), and the agency's services for its administrators.
The flow opens its own short transactions (engine.remote_signing.flow): none is open around it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request

from engine.core.errors import InvalidData
from engine.org import administration
from engine.remote_signing import flow, providers

from ..common.context import platform, remote_signing, transaction
from .util import authed, body, current_user

bp = Blueprint("api_remote_signing", __name__, url_prefix="/api/v1")


def _me() -> int:
    with transaction(False) as (session, now):
        return current_user(session, now).id


@bp.get("/tasks/<task_id>/remote-signing")
def choices(task_id: str) -> Any:
    """The services the task's sign step offers, and the account I signed with last time."""
    return authed(False, lambda s, u, now: flow.choices(s, u, task_id, now))


@bp.post("/tasks/<task_id>/remote-signing")
def start(task_id: str) -> Any:
    """``{"data": the task's form (decision "sign"), "provider", "account", "pin"?}``: the hash
    goes to my phone; the task is completed once I approve there."""
    given = body()
    data = given.get("data", {})
    if not isinstance(data, dict):
        raise InvalidData("Dữ liệu biểu mẫu phải là một đối tượng.", {"data": "Cần một đối tượng JSON."})
    pin = given.get("pin")
    answer = flow.start(remote_signing(), _me(), task_id, data, given.get("provider"), given.get("account"),
                        str(pin) if pin else None, platform().clock.now())
    return jsonify(answer), 201


@bp.post("/tasks/<task_id>/remote-signing/<request_id>/check")
def check(task_id: str, request_id: str) -> Any:
    """Where my request stands (waiting, completed, rejected, expired, cancelled, failed)."""
    return jsonify(flow.check(remote_signing(), _me(), task_id, request_id, platform().clock.now()))


@bp.post("/tasks/<task_id>/remote-signing/<request_id>/cancel")
def cancel(task_id: str, request_id: str) -> Any:
    return jsonify(flow.cancel(remote_signing(), _me(), task_id, request_id, platform().clock.now()))


@bp.post("/remote-signing/callback/<int:provider_id>")
def callback(provider_id: int) -> Any:
    """The service's own call (no one is logged in): a transaction's outcome, the body signed
    with the agency's secret in ``X-Signature`` (signing.remote.approval)."""
    flow.receive(remote_signing(), provider_id, request.get_data(), request.headers.get("X-Signature", ""),
                 platform().clock.now())
    return jsonify({"received": True})


@bp.get("/admin/remote-signing-providers")
def listing() -> Any:
    """The agency's services (``?agency=code``), without their secrets."""
    keys = remote_signing().keys

    def action(session: Any, user: Any, now: Any) -> Any:
        agency = administration.agency_for(session, user, request.args.get("agency") or None)
        return {"items": [providers.describe(keys, agency, p) for p in providers.of_agency(session, agency.id)]}

    return authed(False, action)


@bp.post("/admin/remote-signing-providers")
def create() -> Any:
    return save(None)


@bp.post("/admin/remote-signing-providers/<int:provider_id>")
def save(provider_id: int | None) -> Any:
    """Add a service or change one: ``{agency?, name, kind, endpoint, client_id, secret,
    timeout_seconds, enabled}``; a blank secret keeps the one set."""
    given = body()
    keys = remote_signing().keys

    def action(session: Any, user: Any, now: Any) -> Any:
        agency = administration.agency_for(session, user, str(given.get("agency") or "") or None)
        row = providers.save(session, keys, user, agency, given, now, provider_id)
        return providers.describe(keys, agency, row)

    return authed(True, action, 200 if provider_id else 201)

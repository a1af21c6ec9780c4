"""Dịch vụ ký số từ xa of an agency: its administrators add and change them; the client secret is
kept like the agency's own key, in a file of the PKI folder readable by the server only, and is
never shown back, logged or audited (the audit says only that it changed)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.db import MAX_INT
from engine.core.errors import InvalidData, NotFound, Text
from engine.models import Agency, Case, Document, HumanTask, RemoteProvider, User
from engine.signatures.signatures import Keys
from signing.remote import ProviderConfig
from signing.remote.base import Kind

KINDS = {Kind.CSC.value: "CSC API v1 (Cloud Signature Consortium)",
         Kind.APPROVAL.value: Text("Xác nhận trên ứng dụng điện thoại (kiểu SmartCA, MySign)")}
TIMEOUTS = (30, 300)  # seconds the signer may take to approve: a split request lasts 5 minutes at most
MAX_SECRET = 500
_INVALID = "Cấu hình dịch vụ ký số từ xa chưa hợp lệ, vui lòng kiểm tra lại."
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def secret_path(keys: Keys, agency: Agency, provider_id: int) -> Path:
    return keys.agency_file(agency.code, f".remote-{provider_id}.secret")


def describe(keys: Keys, agency: Agency, row: RemoteProvider) -> dict[str, Any]:
    """What administrators and leaders see: never the secret, only whether one is set."""
    return {"id": row.id, "name": row.name, "kind": row.kind, "kind_title": KINDS[row.kind],
            "endpoint": row.endpoint, "client_id": row.client_id, "timeout_seconds": row.timeout_seconds,
            "enabled": row.enabled, "has_secret": secret_path(keys, agency, row.id).is_file()}


def of_agency(session: Session, agency_id: int, enabled_only: bool = False) -> list[RemoteProvider]:
    query = select(RemoteProvider).where(RemoteProvider.agency_id == agency_id)
    if enabled_only:
        query = query.where(RemoteProvider.enabled.is_(True))
    return list(session.scalars(query.order_by(RemoteProvider.name, RemoteProvider.id)))


def get(session: Session, agency_id: int, provider_id: Any) -> RemoteProvider:
    given = str(provider_id)
    row = session.get(RemoteProvider, int(given)) if given.isdigit() and int(given) <= MAX_INT else None
    if row is None or row.agency_id != agency_id:
        raise NotFound("Không tìm thấy dịch vụ ký số từ xa của cơ quan.")
    return row


def secret_of(keys: Keys, agency: Agency, row: RemoteProvider) -> str | None:
    try:
        return secret_path(keys, agency, row.id).read_text(encoding="utf-8")
    except OSError:
        return None


def config(keys: Keys, agency: Agency, row: RemoteProvider) -> ProviderConfig:
    secret = secret_of(keys, agency, row)
    if secret is None:
        raise InvalidData("Dịch vụ ký số từ xa chưa có khóa bí mật: hãy báo quản trị hệ thống.",
                          {"provider": "Chưa cấu hình khóa bí mật."})
    return ProviderConfig(Kind(row.kind), row.endpoint, row.client_id, secret, row.timeout_seconds)


def _endpoint(value: str, errors: dict[str, str]) -> str:
    """https, or http to this machine only (a test service): the secret travels in the requests."""
    parts = urlsplit(value)
    if not value:
        errors["endpoint"] = "Bắt buộc."
    elif len(value) > 500 or not parts.hostname or parts.query or parts.fragment:
        errors["endpoint"] = "Cần một địa chỉ như https://ky-so.example.vn."
    elif parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in _LOOPBACK):
        errors["endpoint"] = "Địa chỉ phải dùng https://."
    return value.rstrip("/")


def _fields(given: Mapping[str, Any], new: bool) -> tuple[dict[str, Any], str | None]:
    errors: dict[str, str] = {}
    text = {name: str(given.get(name) or "").strip() for name in ("name", "kind", "endpoint", "client_id")}
    for name, limit in (("name", 100), ("client_id", 200)):
        if not text[name]:
            errors[name] = "Bắt buộc."
        elif len(text[name]) > limit:
            errors[name] = Text("Tối đa %(n)s ký tự.", n=limit)
    if text["kind"] not in KINDS:
        errors["kind"] = "Chọn một loại dịch vụ."
    endpoint = _endpoint(text["endpoint"], errors)
    timeout = str(given.get("timeout_seconds") or "180").strip()
    if not timeout.isdigit() or not TIMEOUTS[0] <= int(timeout) <= TIMEOUTS[1]:
        errors["timeout_seconds"] = Text("Từ %(low)s đến %(high)s giây.", low=TIMEOUTS[0], high=TIMEOUTS[1])
    secret = str(given.get("secret") or "")
    if new and not secret:
        errors["secret"] = "Bắt buộc."  # noqa: S105 - a message, not a password
    elif len(secret) > MAX_SECRET or "\n" in secret:
        errors["secret"] = Text("Tối đa %(n)s ký tự, trên một dòng.", n=MAX_SECRET)
    if errors:
        raise InvalidData(_INVALID, errors)
    enabled = given.get("enabled") in (True, "on", "true", "1")
    return ({"name": text["name"], "kind": text["kind"], "endpoint": endpoint, "client_id": text["client_id"],
             "timeout_seconds": int(timeout), "enabled": enabled}, secret or None)


def save(session: Session, keys: Keys, admin: User, agency: Agency, given: Mapping[str, Any], now: datetime,
         provider_id: Any = None) -> RemoteProvider:
    """Add a service (``provider_id`` None) or change one; a blank secret keeps the one set."""
    row = get(session, agency.id, provider_id) if provider_id is not None else RemoteProvider(agency_id=agency.id)
    values, secret = _fields(given, provider_id is None)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.append(session, at=now, action="remote_provider_saved", actor_id=admin.id,
                 payload={"agency_id": agency.id, "provider_id": row.id, **values, "secret_changed": bool(secret)},
                 agency_id=agency.id)
    if secret:
        _write_secret(secret_path(keys, agency, row.id), secret)
    return row


def _write_secret(path: Path, secret: str) -> None:
    """Created readable by the server's user only, replaced whole (as key files are)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as out:
        out.write(secret)
    os.replace(partial, path)


def for_task(session: Session, task_id: str) -> list[dict[str, Any]]:
    """The services a leader may choose on a task's sign step: the enabled ones of the agency of
    the task's document (what the page and the API offer; the flow checks again)."""
    task = session.get(HumanTask, task_id)
    case = session.get(Case, task.case_id) if task is not None else None
    doc = session.get(Document, case.document_id) if case is not None and case.document_id else None
    if doc is None:
        return []
    return [{"id": p.id, "name": p.name, "kind": p.kind, "kind_title": KINDS[p.kind],
             "timeout_seconds": p.timeout_seconds} for p in of_agency(session, doc.agency_id, enabled_only=True)]

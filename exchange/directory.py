"""Danh bạ cơ quan liên thông: the agencies of other installations or platforms an agency
exchanges edXML packages with, kept by the agency's administrators. Each entry says where
packages go (an HTTP endpoint or a drop folder), the certificate the partner signs its packages
with (checked on receipt), and where the secret shared with it is kept (never the secret)."""

from __future__ import annotations

import os
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from cryptography import x509
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData, NotFound
from engine.models import Agency, Partner, User
from engine.org import permissions
from engine.workflow import forms

TRANSPORTS = ("http", "folder")
ORGAN_ID = r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[0-9A-Z]{3}$"
_REF = re.compile(r"^(env:[A-Z][A-Z0-9_]{0,99}|[A-Za-z0-9][A-Za-z0-9_.-]{0,99})$")

SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["organ_id", "name", "transport", "endpoint"], "additionalProperties": False,
    "properties": {
        "organ_id": {"type": "string", "title": "Mã định danh", "pattern": ORGAN_ID},
        "name": {"type": "string", "title": "Tên cơ quan", "minLength": 2, "maxLength": 200},
        "transport": {"type": "string", "title": "Hình thức gửi", "enum": list(TRANSPORTS)},
        "endpoint": {"type": "string", "title": "Địa chỉ nhận", "minLength": 1, "maxLength": 500},
        "certificate_pem": {"type": "string", "title": "Chứng thư số (PEM)", "maxLength": 20000},
        "credentials_ref": {"type": "string", "title": "Khóa bí mật dùng chung (tham chiếu)", "maxLength": 200},
        "active": {"type": "boolean", "title": "Đang dùng"},
    },
}


def _agency(session: Session, user: User, agency_code: str) -> Agency:
    mine = permissions.administered(session, user)
    if agency_code not in mine:
        raise NotFound(f"Bạn không quản trị cơ quan '{agency_code}'.")
    agency = session.get(Agency, mine[agency_code])
    assert agency is not None
    return agency


def view(p: Partner) -> dict[str, Any]:
    return {"id": p.id, "organ_id": p.organ_id, "name": p.name, "transport": p.transport, "endpoint": p.endpoint,
            "certificate_pem": p.certificate_pem, "credentials_ref": p.credentials_ref, "active": p.active,
            "certificate_subject": certificate_subject(p.certificate_pem),
            "updated_at": p.updated_at.isoformat()}


def certificate_subject(pem: str) -> str | None:
    if not pem.strip():
        return None
    try:
        return x509.load_pem_x509_certificate(pem.encode()).subject.rfc4514_string()
    except ValueError:
        return None


def listing(session: Session, user: User, agency_code: str) -> list[dict[str, Any]]:
    agency = _agency(session, user, agency_code)
    rows = session.scalars(select(Partner).where(Partner.agency_id == agency.id).order_by(Partner.name))
    return [view(p) for p in rows]


def _check(clean: dict[str, Any]) -> None:
    if clean["transport"] == "http":
        url = urlsplit(clean["endpoint"])
        if url.scheme not in ("http", "https") or not url.netloc:
            raise InvalidData("Địa chỉ nhận không hợp lệ.", {"endpoint": "Cần địa chỉ http:// hoặc https://."})
        if not clean.get("credentials_ref"):
            raise InvalidData("Gửi qua HTTP cần khóa bí mật dùng chung.",
                              {"credentials_ref": "Nhập env:TÊN_BIẾN hoặc tên tệp trong thư mục PKI/exchange."})
    elif not Path(clean["endpoint"]).is_absolute():
        raise InvalidData("Thư mục trao đổi không hợp lệ.", {"endpoint": "Cần đường dẫn tuyệt đối."})
    ref = clean.get("credentials_ref") or ""
    if ref and not _REF.match(ref):
        raise InvalidData("Tham chiếu khóa bí mật không hợp lệ.",
                          {"credentials_ref": "env:TÊN_BIẾN hoặc tên tệp (chữ, số, . _ -)."})
    pem = clean.get("certificate_pem") or ""
    if pem.strip() and certificate_subject(pem) is None:
        raise InvalidData("Chứng thư số không đọc được.", {"certificate_pem": "Cần một chứng thư số dạng PEM."})


def save(session: Session, user: User, agency_code: str, data: Any, now: datetime) -> dict[str, Any]:
    """Add the partner, or change the one with the same organ identifier; audited."""
    agency = _agency(session, user, agency_code)
    clean = forms.validate(SCHEMA, data)
    _check(clean)
    row = session.scalars(select(Partner).where(Partner.agency_id == agency.id,
                                                Partner.organ_id == clean["organ_id"])).first()
    created = row is None
    if row is None:
        row = Partner(agency_id=agency.id, organ_id=clean["organ_id"])
        session.add(row)
    row.name, row.transport, row.endpoint = clean["name"].strip(), clean["transport"], clean["endpoint"].strip()
    row.certificate_pem = (clean.get("certificate_pem") or "").strip()
    row.credentials_ref = clean.get("credentials_ref") or ""
    row.active = clean.get("active", True)
    row.updated_at, row.updated_by = now, user.id
    session.flush()
    audit.append(session, at=now, action="exchange_partner_saved", actor_id=user.id,
                 payload={"agency": agency.code, "organ_id": row.organ_id, "name": row.name, "created": created,
                          "transport": row.transport, "endpoint": row.endpoint, "active": row.active,
                          "certificate": certificate_subject(row.certificate_pem)}, agency_id=agency.id)
    return view(row)


def for_organ(session: Session, agency_id: int, organ_id: str) -> Partner | None:
    """The active entry of ``organ_id`` in the agency's directory."""
    return session.scalars(select(Partner).where(Partner.agency_id == agency_id, Partner.organ_id == organ_id,
                                                 Partner.active.is_(True))).first()


def secret(partner: Partner, pki_dir: Path, env: dict[str, str] | None = None) -> bytes | None:
    """The secret shared with ``partner`` (HMAC of the HTTP transport), or None if not found."""
    ref = partner.credentials_ref
    if not ref:
        return None
    if ref.startswith("env:"):
        value = (env if env is not None else os.environ).get(ref[4:], "")
        return value.encode() or None
    path = pki_dir / "exchange" / ref
    try:
        value = path.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    return value.encode() or None

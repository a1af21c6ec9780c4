"""An agency's signing settings (cấu hình ký số của cơ quan): its RFC 3161 time-stamping
authority and what happens when a certificate's status cannot be checked before signing."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData
from engine.models import AgencySigningSettings
from signing.pades.longterm import Settings
from signing.pades.revocation import UnreachablePolicy

# An agency nobody configured signs with the warning recorded rather than not at all: the demo
# PKI's certificates name no OCSP responder or CRL, and an installation's first day must work.
DEFAULT_POLICY = UnreachablePolicy.WARN


def of_agency(session: Session, agency_id: int) -> Settings:
    row = session.get(AgencySigningSettings, agency_id)
    if row is None:
        return Settings(unreachable=DEFAULT_POLICY)
    return Settings(tsa_url=row.tsa_url, unreachable=UnreachablePolicy(row.unreachable_policy))


def describe(session: Session, agency_id: int) -> dict[str, str | None]:
    current = of_agency(session, agency_id)
    return {"tsa_url": current.tsa_url, "unreachable_policy": current.unreachable.value}


def update(session: Session, agency_id: int, tsa_url: str | None, policy: str, actor_id: int,
           now: datetime) -> dict[str, str | None]:
    """Set the agency's TSA (http or https URL, empty: none) and policy; one audit entry."""
    url = (tsa_url or "").strip() or None
    if url is not None and (urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc
                            or len(url) > 500):
        raise InvalidData("Địa chỉ máy chủ cấp dấu thời gian không hợp lệ.",
                          {"tsa_url": "Cần địa chỉ http:// hoặc https:// (tối đa 500 ký tự)."})
    if policy not in {p.value for p in UnreachablePolicy}:
        raise InvalidData("Chính sách không hợp lệ.", {"unreachable_policy": "Chọn refuse hoặc warn."})
    row = session.get(AgencySigningSettings, agency_id)
    if row is None:
        row = AgencySigningSettings(agency_id=agency_id)
        session.add(row)
    row.tsa_url, row.unreachable_policy, row.updated_by, row.updated_at = url, policy, actor_id, now
    session.flush()
    audit.append(session, at=now, action="signing_settings_updated", actor_id=actor_id,
                 payload={"agency_id": agency_id, "tsa_url": url, "unreachable_policy": policy}, agency_id=agency_id)
    return describe(session, agency_id)

"""The trust store (kho chứng thư số tin cậy): the CA certificates signatures are checked
against, besides the files under ``QLVB_PKI_DIR``. An agency's administrators add and remove
its own (PEM or DER upload, SHA-256 fingerprint shown); the installation's operator adds those of
every agency with ``qlvb trust add`` (``agency_id`` None). A self-signed certificate is a root
(trust anchor), any other CA certificate an intermediate that helps build paths to one.

Circular 15/2025/TT-BKHCN Art. 5–6 and Appendix II: the national root (Root CA of the National
Electronic Authentication Centre, NEAC) for public CAs and the government-specialised root of the
Government Cipher Committee (Ban Cơ yếu Chính phủ) side by side.
"""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Conflict, InvalidData, NotFound, Text
from engine.models import TrustAnchor

if TYPE_CHECKING:
    from engine.signatures.signatures import Keys

MAX_BYTES = 16 * 1024
_FIELD = "certificate"
ROOT, INTERMEDIATE = "root", "intermediate"


def parse(data: bytes) -> x509.Certificate:
    """A CA certificate from an upload, PEM or DER, refused with a Vietnamese reason."""
    if not data:
        raise InvalidData("Chưa chọn tệp chứng thư số.", {_FIELD: "Chọn tệp .cer, .crt hoặc .pem."})
    if len(data) > MAX_BYTES:
        raise InvalidData("Tệp chứng thư số quá lớn.", {_FIELD: Text("Tối đa %(n)s KB.", n=MAX_BYTES // 1024)})
    try:
        cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError:
        raise InvalidData("Tệp không phải chứng thư số X.509.", {_FIELD: "Cần tệp .cer, .crt hoặc .pem."}) from None
    try:
        is_ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        is_ca = False
    if not is_ca:
        message = "Chứng thư số này không phải của tổ chức chứng thực (thiếu Basic Constraints CA)."
        raise InvalidData(message, {_FIELD: message})
    return cert


def fingerprint(der: bytes) -> str:
    return hashlib.sha256(der).hexdigest()


def describe(row: TrustAnchor) -> dict[str, Any]:
    return {"id": row.id, "agency_id": row.agency_id, "kind": row.kind, "label": row.label, "subject": row.subject,
            "sha256": row.sha256, "not_after": row.not_after.isoformat(), "added_at": row.added_at.isoformat()}


def add(session: Session, agency_id: int | None, data: bytes, label: str, actor_id: int | None,
        now: datetime) -> TrustAnchor:
    cert = parse(data)
    der = cert.public_bytes(Encoding.DER)
    sha = fingerprint(der)
    same = select(TrustAnchor).where(TrustAnchor.sha256 == sha, TrustAnchor.agency_id.is_(None) if agency_id is None
                                     else TrustAnchor.agency_id == agency_id)
    if session.scalar(same) is not None:
        raise Conflict("Chứng thư số này đã có trong kho tin cậy.")
    kind = ROOT if cert.issuer == cert.subject else INTERMEDIATE
    subject = cert.subject.rfc4514_string()[:500]
    row = TrustAnchor(agency_id=agency_id, kind=kind, label=(label.strip() or subject)[:255], subject=subject,
                      sha256=sha, der=der, not_after=cert.not_valid_after_utc, added_by=actor_id, added_at=now)
    session.add(row)
    session.flush()
    audit.append(session, at=now, action="trust_anchor_added", actor_id=actor_id,
                 payload={k: v for k, v in describe(row).items() if k != "added_at"})
    return row


def remove(session: Session, agency_id: int | None, anchor_id: int, actor_id: int | None, now: datetime) -> None:
    row = session.get(TrustAnchor, anchor_id)
    if row is None or row.agency_id != agency_id:
        raise NotFound("Không có chứng thư số này trong kho tin cậy của cơ quan.")
    payload = {k: v for k, v in describe(row).items() if k != "added_at"}
    session.delete(row)
    session.flush()
    audit.append(session, at=now, action="trust_anchor_removed", actor_id=actor_id, payload=payload)


def listed(session: Session, agency_id: int | None) -> list[TrustAnchor]:
    """The installation's certificates, then the agency's (``agency_id`` None: the installation's)."""
    scope = TrustAnchor.agency_id.is_(None) if agency_id is None else or_(TrustAnchor.agency_id.is_(None),
                                                                           TrustAnchor.agency_id == agency_id)
    return list(session.scalars(select(TrustAnchor).where(scope).order_by(TrustAnchor.agency_id.is_not(None),
                                                                          TrustAnchor.id)))


def keys_for(session: Session, keys: Keys, agency_id: int | None) -> Keys:
    """``keys`` whose trust roots and intermediates include the trust store's for ``agency_id``."""
    rows = listed(session, agency_id)
    return dataclasses.replace(keys, extra_roots=tuple(r.der for r in rows if r.kind == ROOT),
                               extra_intermediates=tuple(r.der for r in rows if r.kind == INTERMEDIATE))

"""A leader's or the agency's signature under the 2025 rules (engine.signatures asks): the
certificate's status is checked first with the agency's policy, the agency's time-stamp is taken,
the revocation data embedded (PAdES B-LT), and the evidence recorded once the file is stored."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from signing import longterm, pdfsign
from signing.keys import KeySource, to_asn1

from . import evidence, settings, trust_store

if TYPE_CHECKING:
    from engine.signatures import Keys


def sign(session: Session, keys: Keys, agency_id: int, pdf: bytes, step: pdfsign.Step, key: KeySource,
         now: datetime) -> longterm.Signed:
    """``pdf`` signed for ``step`` by ``key`` after the status check (``SigningError`` when the
    check or the agency's policy refuses)."""
    trusted = trust_store.keys_for(session, keys, agency_id)
    roots = [to_asn1(r) for r in trusted.trust_roots()]
    return longterm.sign_checked(pdf, step, key, roots, settings.of_agency(session, agency_id), now)


def keep(session: Session, document_id: int, sha256: str, field: str, user_id: int | None,
         signed: longterm.Signed, certificate_der: bytes, now: datetime) -> dict[str, Any]:
    """Record the evidence of a stored signature; what the audit entry and the signer are told."""
    evidence.record(session, document_id, sha256, field, user_id, signed, certificate_der, now)
    return {"level": signed.level, "revocation": signed.check.status.value, "revocation_source": signed.check.source,
            **({"warning": signed.warning} if signed.warning else {})}

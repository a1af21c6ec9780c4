"""A leader's or the agency's signature under the 2025 rules (engine.signatures.signatures asks): the
certificate's status is checked first with the agency's policy, the agency's time-stamp is taken,
the revocation data embedded (PAdES B-LT), and the evidence recorded once the file is stored."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from asn1crypto import x509 as asn1_x509
from pyhanko.sign.timestamps import TimeStamper
from sqlalchemy.orm import Session

from engine.signatures import evidence, signing_settings, trust_store
from signing.keystore.keys import KeySource, to_asn1
from signing.pades import longterm, pdfsign, split

if TYPE_CHECKING:
    from engine.signatures.signatures import Keys


def sign(session: Session, keys: Keys, agency_id: int, pdf: bytes, step: pdfsign.Step, key: KeySource,
         now: datetime) -> longterm.Signed:
    """``pdf`` signed for ``step`` by ``key`` after the status check (``SigningError`` when the
    check or the agency's policy refuses)."""
    roots, chosen = _context(session, keys, agency_id)
    return longterm.sign_checked(pdf, step, key, roots, chosen, now)


def finish_split(session: Session, keys: Keys, agency_id: int, pending: split.PendingSignature, field: str,
                 request_id: str, value: bytes, now: datetime) -> longterm.Signed:
    """The token's signature embedded after the same check, time-stamped, B-LT."""
    roots, chosen = _context(session, keys, agency_id)
    return longterm.finish_split_checked(pending, field, request_id, value, roots, chosen, now)


def precheck(session: Session, keys: Keys, agency_id: int, certificate_der: bytes, now: datetime) -> TimeStamper | None:
    """Before a token holder is asked to sign: the status check (``SigningError`` when refused);
    the agency's time-stamper, for the room the signature needs."""
    roots, chosen = _context(session, keys, agency_id)
    longterm.check_only(to_asn1(certificate_der), [to_asn1(c) for c in keys.intermediates()], roots, chosen, now)
    return chosen.timestamper()


def _context(session: Session, keys: Keys, agency_id: int) -> tuple[list[asn1_x509.Certificate], longterm.Settings]:
    trusted = trust_store.keys_for(session, keys, agency_id)
    return [to_asn1(r) for r in trusted.trust_roots()], signing_settings.of_agency(session, agency_id)


def keep(session: Session, document_id: int, sha256: str, field: str, user_id: int | None,
         signed: longterm.Signed, certificate_der: bytes, now: datetime) -> dict[str, Any]:
    """Record the evidence of a stored signature; what the audit entry and the signer are told."""
    evidence.record(session, document_id, sha256, field, user_id, signed, certificate_der, now)
    return {"level": signed.level, "revocation": signed.check.status.value, "revocation_source": signed.check.source,
            **({"warning": signed.warning} if signed.warning else {})}

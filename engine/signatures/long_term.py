"""A leader's or the agency's signature under the 2025 rules (engine.signatures.signatures asks): the
certificate's status is checked first with the agency's policy, the agency's time-stamp is taken,
the revocation data embedded (PAdES B-LT), and the evidence recorded once the file is stored."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
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


def precheck(session: Session, keys: Keys, agency_id: int, certificate_der: bytes, now: datetime) -> TimeStamper | None:
    """Before a token holder is asked to sign: the status check (``SigningError`` when refused);
    the agency's time-stamper, for the room the signature needs."""
    return policy(session, keys, agency_id).precheck(certificate_der, (), now)


@dataclass(frozen=True)
class Policy:
    """An agency's trust roots (the trust store's included) and signing settings, read in a
    transaction; the checks reaching OCSP, CRL and TSA servers may then run outside it, as ký số
    từ xa's do while the leader approves on the phone (engine.remote_signing)."""

    keys: Keys
    settings: longterm.Settings

    def roots(self) -> list[asn1_x509.Certificate]:
        return [to_asn1(r) for r in self.keys.trust_roots()]

    def sign(self, pdf: bytes, step: pdfsign.Step, key: KeySource, now: datetime) -> longterm.Signed:
        """``pdf`` signed for ``step`` by ``key`` after the status check (``SigningError`` when the
        check or the agency's policy refuses)."""
        return longterm.sign_checked(pdf, step, key, self.roots(), self.settings, now)

    def precheck(self, certificate_der: bytes, chain: Sequence[bytes], now: datetime) -> TimeStamper | None:
        """The status check of a certificate ``chain`` (DER) comes with, before the hash is sent."""
        intermediates = [to_asn1(c) for c in chain] + [to_asn1(c) for c in self.keys.intermediates()]
        longterm.check_only(to_asn1(certificate_der), intermediates, self.roots(), self.settings, now)
        return self.settings.timestamper()

    def finish_split(self, pending: split.PendingSignature, request_id: str, value: bytes,
                     now: datetime) -> longterm.Signed:
        return longterm.finish_split_checked(pending, request_id, value, self.roots(), self.settings, now)


def policy(session: Session, keys: Keys, agency_id: int) -> Policy:
    return Policy(trust_store.keys_for(session, keys, agency_id), signing_settings.of_agency(session, agency_id))


def keep(session: Session, document_id: int, sha256: str, field: str, user_id: int | None,
         signed: longterm.Signed, certificate_der: bytes, now: datetime) -> dict[str, Any]:
    """Record the evidence of a stored signature; what the audit entry and the signer are told."""
    evidence.record(session, document_id, sha256, field, user_id, signed, certificate_der, now)
    return {"level": signed.level, "revocation": signed.check.status.value, "revocation_source": signed.check.source,
            **({"warning": signed.warning} if signed.warning else {})}

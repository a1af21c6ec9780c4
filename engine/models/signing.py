"""What the 2025 signing rules keep (Circular 15/2025/TT-BKHCN Art. 5–6): the evidence of each
signature, the trust anchors administrators add, and each agency's signing settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class SignatureEvidence(Base):
    """One signature made by the platform: the signer's certificate, the status check made before
    it (OCSP response or CRL, the result, the warning the signer saw) and the PAdES level."""

    __tablename__ = "signature_evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64))  # the signed version of the file
    field: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_at: Mapped[datetime]
    level: Mapped[str] = mapped_column(String(8))  # B-B, B-T, B-LT
    status: Mapped[str] = mapped_column(String(16))  # good, unreachable (signed with the warning)
    source: Mapped[str | None] = mapped_column(String(8))  # ocsp, crl
    checked_at: Mapped[datetime]
    warning: Mapped[str | None] = mapped_column(Text)
    certificate: Mapped[bytes] = mapped_column(LargeBinary)  # DER
    ocsp_responses: Mapped[str] = mapped_column(Text)  # JSON list of base64 DER
    crls: Mapped[str] = mapped_column(Text)  # JSON list of base64 DER


class TrustAnchor(Base):
    """A CA certificate trusted for signatures: a root (trust anchor) or an intermediate, for the
    whole installation (``agency_id`` None) or one agency."""

    __tablename__ = "trust_anchors"
    __table_args__ = (UniqueConstraint("agency_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(16))  # root, intermediate
    label: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))  # fingerprint of the DER
    der: Mapped[bytes] = mapped_column(LargeBinary)
    not_after: Mapped[datetime]
    added_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]


class AgencySigningSettings(Base):
    """An agency's time-stamping authority and what it does when a status cannot be checked."""

    __tablename__ = "agency_signing_settings"

    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    tsa_url: Mapped[str | None] = mapped_column(String(500))
    unreachable_policy: Mapped[str] = mapped_column(String(16))  # refuse, warn
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime]

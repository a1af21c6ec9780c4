"""Liên thông between agencies: which pairs may exchange messages, and the tokens that let
a reply reach only the case that sent the request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class ExchangeAgreement(Base):
    """Two agencies whose cases may message each other, once the administrators of both
    have approved; stored once per pair, the lower agency id first."""

    __tablename__ = "exchange_agreements"
    __table_args__ = (UniqueConstraint("agency_id", "partner_id"),
                      CheckConstraint("agency_id < partner_id", name="pair_ordered"))

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # Each side's approval (None: not approved); the demo's are seeded without a person.
    agency_approved_at: Mapped[datetime | None]
    agency_approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    partner_approved_at: Mapped[datetime | None]
    partner_approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class ReplyToken(Base):
    """Issued with every message a case sends: the receiving case replies with it, and the
    reply reaches the case that sent the request, from the agency it was sent to only.
    Stored as its SHA-256; the token itself is in the receiving case's data."""

    __tablename__ = "reply_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)  # the requesting case
    responder_agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    message: Mapped[str] = mapped_column(String(255))  # the request's name, for the audit
    issued_at: Mapped[datetime]

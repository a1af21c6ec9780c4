"""Liên thông between installations (edXML, QCVN 102): the agency directory, the outbox of
packages to send, the packages received, and the statuses the recipients sent back. The
code that uses them is in the ``exchange`` package."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Partner(Base):
    """Danh bạ cơ quan liên thông: an agency of another installation or platform, as one of
    our agencies' administrators recorded it (organ identifier → name, where and how to send,
    the certificate its packages are signed with, and where the shared secret is kept)."""

    __tablename__ = "exchange_partners"
    __table_args__ = (UniqueConstraint("agency_id", "organ_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))  # ours, whose directory it is in
    organ_id: Mapped[str] = mapped_column(String(13))  # mã định danh, QĐ 20/2020
    name: Mapped[str] = mapped_column(String(200))
    transport: Mapped[str] = mapped_column(String(16))  # http, folder
    endpoint: Mapped[str] = mapped_column(String(500))  # the URL, or the drop folder
    certificate_pem: Mapped[str] = mapped_column(Text, default="")
    # The shared secret of the HTTP transport: "env:NAME" or a file name under QLVB_PKI_DIR/exchange/.
    credentials_ref: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OutboxItem(Base):
    """One package to send to one partner: a document (``edoc``, with its Bussiness type) or a
    status (``status``, with its code). The package is built by the worker outside any
    transaction, kept in the file store by its hash, and sent again with back-off until the
    partner accepts it; its bytes never change between attempts."""

    __tablename__ = "exchange_outbox"
    __table_args__ = (Index("ix_exchange_outbox_due", "state", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))  # the sending agency
    partner_id: Mapped[int] = mapped_column(ForeignKey("exchange_partners.id"))
    kind: Mapped[str] = mapped_column(String(8))  # edoc, status
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    edxml_document_id: Mapped[str] = mapped_column(String(300))  # the DocumentId it concerns
    business_type: Mapped[int] = mapped_column(default=0)  # 0 new, 1 recall, 2 update, 3 replace
    status_code: Mapped[str | None] = mapped_column(String(2))
    details_json: Mapped[str] = mapped_column(Text, default="{}")  # what the package says besides
    package_sha256: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default="pending")  # pending, sent, failed
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class Received(Base):
    """A package received for one of our agencies, by its DocumentId and Bussiness type: the
    same one again is answered with its status, different content under the same id refused."""

    __tablename__ = "exchange_received"
    __table_args__ = (UniqueConstraint("agency_id", "edxml_document_id", "business_type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    partner_id: Mapped[int] = mapped_column(ForeignKey("exchange_partners.id"))
    edxml_document_id: Mapped[str] = mapped_column(String(300))
    business_type: Mapped[int] = mapped_column(default=0)
    package_sha256: Mapped[str] = mapped_column(String(64))  # its content's digest (edxml.content_digest)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    # waiting (in the clerk's "Văn bản đến điện tử"), registered, refused, recalled, superseded,
    # applied (a recall), started (a liên thông case), delivered (a reply to a waiting case)
    state: Mapped[str] = mapped_column(String(12))
    last_status: Mapped[str] = mapped_column(String(2))
    received_at: Mapped[datetime]
    # A request that started a liên thông case here: the SHA-256 of the reply token the case
    # answers with (exchange.forwarding), so that its reply goes back as a package.
    reply_token_hash: Mapped[str | None] = mapped_column(String(64), index=True)


class StatusEntry(Base):
    """A status of one of our outgoing documents at one recipient (01 arrived … 16), as the
    recipient sent it back, or as we recorded it (13: we recalled it)."""

    __tablename__ = "exchange_statuses"
    __table_args__ = (Index("ix_exchange_statuses_document", "document_id", "organ_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    organ_id: Mapped[str] = mapped_column(String(13))
    code: Mapped[str] = mapped_column(String(2))
    description: Mapped[str] = mapped_column(String(1000), default="")
    staff: Mapped[str] = mapped_column(String(200), default="")
    at: Mapped[datetime]  # the recipient's timestamp
    recorded_at: Mapped[datetime]


class AddressEntry(Base):
    """Danh bạ nơi nhận, as an agency's administrators keep it (engine.office.address_book): an
    agency documents are sent to, with its organ code when it has one and how it receives them.
    An entry with the organ code of an agency the book derives (this installation's, a liên
    thông partner) takes its place; one no longer in use takes it out of the book."""

    __tablename__ = "address_book_entries"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))  # whose book it is in
    organ_id: Mapped[str | None] = mapped_column(String(13))  # mã định danh, QĐ 20/2020, if it has one
    name: Mapped[str] = mapped_column(String(200))
    delivery: Mapped[str] = mapped_column(String(16))  # electronic, paper
    active: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

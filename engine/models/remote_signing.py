"""Ký số từ xa: each agency's remote signing services, and the leaders' requests waiting for
approval on their phones (engine.remote_signing)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum


class RemoteProvider(Base):
    """A service an agency's leaders sign through. Its secret is not here: it is a key file beside
    the agency's own key (``Keys.agency_file(code, ".remote-<id>.secret")``)."""

    __tablename__ = "remote_signing_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16))  # signing.remote.base.Kind
    endpoint: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(200))
    timeout_seconds: Mapped[int]
    enabled: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class RemoteState(enum.StrEnum):
    WAITING = "waiting"  # sent to the service, the leader has not approved yet
    COMPLETED = "completed"  # signed, and the task completed with it
    REJECTED = "rejected"  # refused on the phone
    EXPIRED = "expired"  # not approved in time
    CANCELLED = "cancelled"  # withdrawn by the leader
    FAILED = "failed"  # the service failed, or the signature or the case refused it


class RemoteRequest(Base):
    """One leader's signature waiting for their approval: the prepared PDF and the form of their
    decision (to complete the task once signed), the service's reference, and how it ended."""

    __tablename__ = "remote_signing_requests"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # = the split request's id
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("remote_signing_providers.id"))
    account: Mapped[str] = mapped_column(String(100))  # the leader's user id at the service
    state: Mapped[RemoteState] = mapped_column(str_enum(RemoteState, 16), index=True)
    source_sha256: Mapped[str] = mapped_column(String(64))  # the main file the signing started from
    payload: Mapped[str] = mapped_column(Text)  # signing.pades.split.PendingSignature as JSON
    form_json: Mapped[str] = mapped_column(Text)  # the decision's form data
    reference: Mapped[str | None] = mapped_column(String(200))  # the service's transaction id
    message: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]

"""Scans (bản quét) waiting for, in or done with OCR in the worker (engine/scans)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum


class ScanStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Scan(Base):
    __tablename__ = "scans"
    __table_args__ = (Index("ix_scans_status", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    filename: Mapped[str] = mapped_column(String(255))
    source_sha256: Mapped[str] = mapped_column(String(64))  # the upload, in the file store
    pages: Mapped[int]
    status: Mapped[ScanStatus] = mapped_column(str_enum(ScanStatus, 16))
    pages_done: Mapped[int] = mapped_column(default=0)
    result_sha256: Mapped[str | None] = mapped_column(String(64))  # the PDF/A with its text layer
    fields_json: Mapped[str | None] = mapped_column(Text)  # the register fields read, for the clerk to confirm
    message: Mapped[str | None] = mapped_column(String(500))  # why it failed, in Vietnamese
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]

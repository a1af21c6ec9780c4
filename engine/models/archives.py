"""Danh mục tài liệu hết giá trị: a list of records proposed for destruction, reviewed, approved
by the head of the agency and carried out with minutes (engine/archives/destruction.py). The list
and its entries (each record's catalogue data copied when listed) are kept after the files go."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum


class DestructionStatus(enum.StrEnum):
    PROPOSED = "proposed"  # listed by the archivist (a register keeper)
    REVIEWED = "reviewed"  # agreed by the office chief (the appraisal council's view)
    APPROVED = "approved"  # decided by the head of the agency
    DESTROYED = "destroyed"  # files deleted, minutes made
    REJECTED = "rejected"  # refused at review or approval: the records stay


class DestructionList(Base):
    __tablename__ = "destruction_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    status: Mapped[DestructionStatus] = mapped_column(str_enum(DestructionStatus, 16))
    proposed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    proposed_at: Mapped[datetime]
    reason: Mapped[str] = mapped_column(String(1000))
    reviewed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None]
    review_note: Mapped[str | None] = mapped_column(String(1000))
    approved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    destroyed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    destroyed_at: Mapped[datetime | None]
    backups_note: Mapped[str | None] = mapped_column(String(1000))  # where copies outside the platform were
    minutes_sha256: Mapped[str | None] = mapped_column(String(64))  # biên bản hủy, a PDF in the file store


class DestructionEntry(Base):
    """A record in a destruction list, with its catalogue data as listed (kept as the law asks)."""

    __tablename__ = "destruction_entries"

    list_id: Mapped[int] = mapped_column(ForeignKey("destruction_lists.id"), primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True, index=True)
    code: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(500))
    retention: Mapped[str] = mapped_column(String(30))
    end_year: Mapped[int]
    documents: Mapped[int]
    files_deleted: Mapped[int | None]  # set when carried out
    file_digests: Mapped[str | None] = mapped_column(Text)  # the SHA-256 of each file deleted, one per line

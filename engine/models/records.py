"""Hồ sơ: records that group documents (Decree 30 Appendix VI, the record fields), and the lists
of records proposed for destruction once their retention is over (engine/archives/destruction.py):
the list and its entries (each record's catalogue data copied when listed) are kept after the files go;
and each agency's retention table (bảng thời hạn bảo quản), whose items a record takes its retention from."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum


class RetentionItem(Base):
    """An item of an agency's retention table: a group of records and how long they are kept
    (engine/archives/table.py). Retired, never deleted: records name it."""

    __tablename__ = "retention_items"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(20))  # số thứ tự in the table, e.g. "01.05"
    heading: Mapped[str] = mapped_column(String(500))  # tên nhóm hồ sơ, tài liệu
    term: Mapped[str] = mapped_column(String(30))  # "Vĩnh viễn" or "N năm", as Record.retention
    note: Mapped[str | None] = mapped_column(String(1000))
    active: Mapped[bool] = mapped_column(default=True)  # False: retired, no longer offered to new records
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("agency_id", "year", "notation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int]  # FileCatalog: the year of the record catalogue
    notation: Mapped[str] = mapped_column(String(20))  # FileNotation: số và ký hiệu hồ sơ
    title: Mapped[str] = mapped_column(String(500))
    retention: Mapped[str] = mapped_column(String(30))  # thời hạn bảo quản: "10 năm", "Vĩnh viễn"
    # The table item the retention came from; None for records opened before the agency had a table.
    retention_item_id: Mapped[int | None] = mapped_column(ForeignKey("retention_items.id"), index=True)
    access: Mapped[str] = mapped_column(String(30))  # chế độ sử dụng: "Công khai", "Hạn chế"
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    personal: Mapped[bool] = mapped_column(default=False)  # hồ sơ cá nhân: only its owner sees it
    description: Mapped[str | None] = mapped_column(String(500))
    closed_on: Mapped[date | None]  # the work it records ended: the archiving deadline counts from here
    archived: Mapped[bool] = mapped_column(default=False)  # handed to the agency's archive (nộp lưu)
    created_at: Mapped[datetime]


class RecordDocument(Base):
    """A document in a record: the document itself, never a copy of it."""

    __tablename__ = "record_documents"

    record_id: Mapped[int] = mapped_column(ForeignKey("records.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True, index=True)
    added_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime]


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

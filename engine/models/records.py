"""Hồ sơ: records that group documents (Decree 30 Appendix VI, the record fields)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Record(Base):
    __tablename__ = "records"
    __table_args__ = (UniqueConstraint("agency_id", "year", "notation"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    year: Mapped[int]  # FileCatalog: the year of the record catalogue
    notation: Mapped[str] = mapped_column(String(20))  # FileNotation: số và ký hiệu hồ sơ
    title: Mapped[str] = mapped_column(String(500))
    retention: Mapped[str] = mapped_column(String(30))  # thời hạn bảo quản: "10 năm", "Vĩnh viễn"
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

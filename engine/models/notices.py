"""In-app notifications (thông báo), also sent by e-mail to those who ask for it."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base, str_enum


class NotificationKind(enum.StrEnum):
    TASK = "task"  # a new task for me
    COMMENT_REQUEST = "comment_request"  # góp ý: shown in green
    RETURNED = "returned"  # a task came back to me with a note
    DEADLINE_SOON = "deadline_soon"
    OVERDUE = "overdue"
    MESSAGE = "message"
    ISSUED_TO_UNIT = "issued_to_unit"  # a document issued to my unit
    RECALLED = "recalled"  # a document sent to me (my unit, my agency) was recalled: thu hồi
    CORRECTED = "corrected"  # … corrected by a later one: đính chính
    REPLACED = "replaced"  # … replaced by a later one: thay thế
    ACCOUNT = "account"  # a change to my account: a position, a password reset, awaiting approval or made
    ISSUED = "issued"  # a document I drafted was issued: phát hành


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_unread", "user_id", "read_at", "id"),
        # A deadline is announced once per task and person, however often the worker sweeps.
        UniqueConstraint("user_id", "kind", "task_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[NotificationKind] = mapped_column(str_enum(NotificationKind, 24))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str | None] = mapped_column(Text)
    # A notice in the platform's own words (an account's request) keeps its title and body as
    # messages (engine.core.errors.dumped), said in the reader's language; others are data.
    said_json: Mapped[str | None] = mapped_column(Text)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"))
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]
    emailed_at: Mapped[datetime | None]


class InfoKind(enum.StrEnum):
    FOR_INFORMATION = "info"  # để biết: a direction sent it to my unit or to me, nothing to do but read it
    NOTICE = "notice"  # văn bản thông báo: handled "for information" and filed (seed 002, Art. 8)


class InfoItem(Base):
    """A document in someone's list of documents to read (để biết) or filed as a notice
    (văn bản thông báo): one row per person, with the unit it came through."""

    __tablename__ = "info_items"
    __table_args__ = (
        UniqueConstraint("user_id", "document_id", "kind"),
        Index("ix_info_items_user_kind_read", "user_id", "kind", "read_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[InfoKind] = mapped_column(str_enum(InfoKind, 16))
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))  # the unit it came through
    from_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    read_at: Mapped[datetime | None]


class DocumentRead(Base):
    """Đã đọc: when a person first opened a document (its page or a task on it), or marked it
    read from a list; a document without a row is shown unread (in bold) in their lists."""

    __tablename__ = "document_reads"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), primary_key=True)
    read_at: Mapped[datetime]

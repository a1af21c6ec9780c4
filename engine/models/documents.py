"""Documents (văn bản đến / đi) with the Decree 30 Appendix VI fields, their files,
recipients and links, and the registers (sổ) that number them."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, str_enum

if TYPE_CHECKING:
    from .signing import SignatureEvidence


class Direction(enum.StrEnum):
    INCOMING = "incoming"  # văn bản đến
    OUTGOING = "outgoing"  # văn bản đi


class Urgency(enum.StrEnum):  # độ khẩn
    NORMAL = "thuong"
    URGENT = "khan"
    VERY_URGENT = "thuong_khan"
    FLASH = "hoa_toc"


class Secrecy(enum.StrEnum):  # độ mật (levels of secrecy, not passwords)
    NONE = "thuong"
    SECRET = "mat"  # noqa: S105
    TOP_SECRET = "toi_mat"  # noqa: S105
    ABSOLUTE = "tuyet_mat"


class DocumentStatus(enum.StrEnum):
    DRAFT = "draft"  # dự thảo (outgoing) or received, not yet registered (incoming)
    REGISTERED = "registered"  # incoming, numbered in the incoming register
    ISSUED = "issued"  # outgoing, numbered and sent
    FINISHED = "finished"  # incoming, handled and filed
    RECALLED = "recalled"  # thu hồi
    REFUSED = "refused"  # incoming, từ chối tiếp nhận: never numbered
    CORRECTED = "corrected"  # outgoing, đính chính by a later document, frozen
    REPLACED = "replaced"  # outgoing, thay thế by a later document, frozen


class Delivery(enum.StrEnum):
    ELECTRONIC = "electronic"
    PAPER = "paper"


class SignatureStatus(enum.StrEnum):
    """What the platform knows of an issued document's signatures (issue: digital signatures)."""

    NONE = "none"  # issued without a digital signature
    VALID = "valid"  # leader's and agency's signatures validated
    INVALID = "invalid"
    PAPER = "paper"  # signed by hand, recorded as an exception (Lai Châu)


class RegisterBook(Base):
    """Sổ: one configured numbering series of an agency, numbered from 01 each year."""

    __tablename__ = "register_books"
    __table_args__ = (UniqueConstraint("agency_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    code: Mapped[str] = mapped_column(String(32))  # outgoing, incoming, outgoing_secret, copies, …
    name: Mapped[str] = mapped_column(String(255))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 16))
    secret: Mapped[bool] = mapped_column(default=False)
    copies: Mapped[bool] = mapped_column(default=False)  # sao y, sao lục, trích sao
    closed_at: Mapped[datetime | None]  # khóa sổ: gives no more numbers, its entries stay readable


class RegisterCounter(Base):
    """The last number a book gave in a year; locked by whoever takes the next one."""

    __tablename__ = "register_counters"

    book_id: Mapped[int] = mapped_column(ForeignKey("register_books.id"), primary_key=True)
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(default=0)


class Document(Base):
    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("book_id", "year", "number"),
        Index("ix_documents_agency_direction_year", "agency_id", "direction", "year", "number"),
        Index("ix_documents_number_symbol", "number_symbol"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    direction: Mapped[Direction] = mapped_column(str_enum(Direction, 16))
    status: Mapped[DocumentStatus] = mapped_column(str_enum(DocumentStatus, 16))
    doc_type: Mapped[str] = mapped_column(String(8))  # abbreviation (QĐ, CV, …), see doctypes.py
    subject: Mapped[str] = mapped_column(String(500))  # trích yếu
    urgency: Mapped[Urgency] = mapped_column(str_enum(Urgency, 16), default=Urgency.NORMAL)
    secrecy: Mapped[Secrecy] = mapped_column(str_enum(Secrecy, 16), default=Secrecy.NONE)
    # Number and symbol: given by a register at issuance (outgoing) or registration (incoming).
    book_id: Mapped[int | None] = mapped_column(ForeignKey("register_books.id"))
    year: Mapped[int | None]
    number: Mapped[int | None]
    # The document's own "05/QĐ-UBND": ours once issued; the sender's for an incoming one.
    number_symbol: Mapped[str | None] = mapped_column(String(64))
    document_date: Mapped[date | None]  # ngày tháng văn bản
    issuer_organ_id: Mapped[str | None] = mapped_column(String(13))  # cơ quan ban hành (mã định danh)
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    arrival_date: Mapped[date | None]  # ngày đến
    signer_authority: Mapped[str | None] = mapped_column(String(8))  # TM. KT. TL. TUQ. Q.
    signer_position: Mapped[str | None] = mapped_column(String(100))
    signer_name: Mapped[str | None] = mapped_column(String(50))
    signature_mode: Mapped[Delivery] = mapped_column(str_enum(Delivery, 16), default=Delivery.ELECTRONIC)
    signature_status: Mapped[SignatureStatus] = mapped_column(
        str_enum(SignatureStatus, 16), default=SignatureStatus.NONE
    )
    signatures_json: Mapped[str | None] = mapped_column(Text)  # the last verification, one report per signature
    verified_sha256: Mapped[str | None] = mapped_column(String(64))  # the file that verification was of
    # Tiếp nhận (engine/registry/intake.py): the note that registers a document whose signature is
    # invalid, or why it was refused.
    intake_note: Mapped[str | None] = mapped_column(String(2000))
    refusal_reason: Mapped[str | None] = mapped_column(String(2000))
    # Hủy: a voided register entry keeps its number, printed "ĐÃ HỦY" with the reason.
    void_reason: Mapped[str | None] = mapped_column(String(2000))
    voided_at: Mapped[datetime | None]
    voided_by: Mapped[int | None]  # users.id; who and why are in the audit log too
    issued_at: Mapped[datetime | None]  # outgoing: when it was numbered and sent
    finished_at: Mapped[datetime | None]  # incoming: when its handling ended
    drafting_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    due_date: Mapped[date | None]  # hạn xử lý
    page_amount: Mapped[int | None]
    description: Mapped[str | None] = mapped_column(String(500))
    copy_kind: Mapped[str | None] = mapped_column(String(4))  # SY, TrS, SL
    copy_pages: Mapped[str | None] = mapped_column(String(64))  # a trích sao's extract: "1-2,4"
    backfilled: Mapped[bool] = mapped_column(default=False)  # entered after an outage
    # The number and date boxes placed by hand on page 1 of a draft without a "Số:" line
    # (engine/registry/placement.py): {"sha256": <the main file they were placed on>, "number": [x1, y1,
    # x2, y2], "date": [...]} in PDF points.
    placement_json: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # Summary, number, issuer and full text, lower-cased without diacritics, for search
    # (indexed by FTS5 on SQLite and GIN on PostgreSQL: migration 0008, engine/documents/search.py).
    search_text: Mapped[str] = mapped_column(Text, default="")

    files: Mapped[list[DocumentFile]] = relationship(order_by="DocumentFile.id", cascade="all, delete-orphan")
    recipients: Mapped[list[Recipient]] = relationship(order_by="Recipient.id", cascade="all, delete-orphan")
    # what the platform checked and kept when it signed (Circular 15/2025 Art. 5), read for its warnings
    signature_evidence: Mapped[list[SignatureEvidence]] = relationship(order_by="SignatureEvidence.id",
                                                                       viewonly=True)
    # Links are written by id where they arise (a reply, a copy); these only read them.
    links: Mapped[list[DocumentLink]] = relationship(
        foreign_keys="DocumentLink.source_id", order_by="DocumentLink.id", viewonly=True
    )
    linked_from: Mapped[list[DocumentLink]] = relationship(
        foreign_keys="DocumentLink.target_id", order_by="DocumentLink.id", viewonly=True
    )


class DocumentFile(Base):
    """A file of a document, stored once by content (``QLVB_DATA_DIR/files/ab/abcd…``)."""

    __tablename__ = "document_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # main, appendix
    filename: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int]
    content_type: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime]
    # Counted once when stored, within a budget (engine/documents/pdf_pages.py); None: unknown.
    page_count: Mapped[int | None]
    # An appendix the agency signed: its verification then, one report per signature (the main
    # file's is the document's signatures_json)
    signatures_json: Mapped[str | None] = mapped_column(Text)


class FileVersion(Base):
    """One version of a document's main file, in order (engine.documents.file_versions): the chain that says
    which file a leader signed and what was added to it before it was issued."""

    __tablename__ = "file_versions"
    __table_args__ = (UniqueConstraint("document_id", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    seq: Mapped[int]  # 1, 2, … per document
    sha256: Mapped[str] = mapped_column(String(64))
    # upload, leader_signature, agency_signature (number and date filled, then the agency's
    # signature), restored (the unsigned version back when a signed draft is returned)
    reason: Mapped[str] = mapped_column(String(24))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    certificate_id: Mapped[int | None] = mapped_column(ForeignKey("user_certificates.id"))  # a signature's
    created_at: Mapped[datetime]


class Recipient(Base):
    """Nơi nhận: an internal unit or an external agency, by paper or electronically."""

    __tablename__ = "recipients"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    organ_id: Mapped[str | None] = mapped_column(String(13))
    name: Mapped[str] = mapped_column(String(200))
    delivery: Mapped[Delivery] = mapped_column(str_enum(Delivery, 16))


class LinkKind(enum.StrEnum):
    REPLY_TO = "reply_to"  # trả lời văn bản đến
    COPY_OF = "copy_of"  # bản sao của
    REPLACES = "replaces"  # thay thế
    CORRECTS = "corrects"  # đính chính
    RECEIVED_FROM = "received_from"  # the incoming entry made from another agency's outgoing document


class DocumentLink(Base):
    __tablename__ = "document_links"
    __table_args__ = (UniqueConstraint("source_id", "target_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    kind: Mapped[LinkKind] = mapped_column(str_enum(LinkKind, 16))

    source: Mapped[Document] = relationship(foreign_keys=[source_id], viewonly=True)
    target: Mapped[Document] = relationship(foreign_keys=[target_id], viewonly=True)


class AssignmentRole(enum.StrEnum):
    MAIN = "main"  # xử lý chính
    CO = "co"  # phối hợp
    INFO = "info"  # nhận để biết


class AssignmentStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"  # finished: handled, filed, or replied
    RETURNED = "returned"  # sent back to the one who assigned it, with a reason


class Assignment(Base):
    """Giao việc: one hand-over of a document, a node of its work tree (cây công việc):
    who handed it to which unit or person, in what role, with what deadline and note,
    and how it ended."""

    __tablename__ = "assignments"
    __table_args__ = (Index("ix_assignments_status_deadline", "status", "deadline"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("assignments.id"))
    from_user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    to_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    to_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    role: Mapped[AssignmentRole] = mapped_column(str_enum(AssignmentRole, 8))
    deadline: Mapped[date | None]
    note: Mapped[str | None] = mapped_column(Text)
    status: Mapped[AssignmentStatus] = mapped_column(str_enum(AssignmentStatus, 16))
    outcome: Mapped[str | None] = mapped_column(String(32))  # finished, filed, replied, returned, forwarded
    outcome_note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]


class PendingSignature(Base):
    """Split signing between its two halves: the prepared PDF waits here for the value the
    holder's token signs; used once, then deleted."""

    __tablename__ = "pending_signatures"

    id: Mapped[str] = mapped_column(String(128), primary_key=True)  # the one-time request id
    task_id: Mapped[str] = mapped_column(String(36), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    payload: Mapped[str] = mapped_column(Text)  # signing.pades.split.PendingSignature as JSON
    source_sha256: Mapped[str | None] = mapped_column(String(64))  # the main file the signing started from
    expires_at: Mapped[datetime]

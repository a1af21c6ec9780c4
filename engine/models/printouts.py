"""Printouts (bản in): each paper copy the platform prints of an electronic document or a
register carries a lookup code (Law on Electronic Transactions 2023 Art. 12.2; Decree 137/2024
Art. 5); this row is what the code looks up."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base


class Printout(Base):
    __tablename__ = "printouts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # mã tra cứu, printed and in the QR code
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)  # the owner printed
    kind: Mapped[str] = mapped_column(String(16))  # document, register, record, statistics
    title: Mapped[str] = mapped_column(String(300))  # what was printed, as the public page names it
    document_id: Mapped[int | None] = mapped_column(ForeignKey("documents.id"), index=True)
    printed_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    printed_at: Mapped[datetime]

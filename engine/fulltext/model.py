"""The text of a document's main PDF, as extracted (migration 0029)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.models.base import Base


class DocumentText(Base):
    """One row per document whose main file was read: ``sha256`` names the file the text came
    from, so a new main file (a signed version, a replaced draft) is read again; until then the
    document stays found by the words of the previous one."""

    __tablename__ = "document_texts"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(Text, default="")
    # ok, or why there is no (whole) text: empty (a scan without text), partial, failed.
    outcome: Mapped[str] = mapped_column(String(16))
    extracted_at: Mapped[datetime]

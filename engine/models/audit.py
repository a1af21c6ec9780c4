"""The append-only, hash-chained audit log: one chain per agency and one for the installation."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .base import Base

# The installation's own chain: events of no agency, and every entry written before migration
# 0036, when there was one chain for all.
INSTALLATION = 0


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (UniqueConstraint("chain", "seq"), Index("ix_audit_entries_case", "case_id", "id"))

    # The order entries were written in across chains, from a sequence that locks nothing; the
    # entries of one case are all in its agency's chain, so ``id`` orders them as ``seq`` would.
    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[int]  # INSTALLATION or the agency's id (no foreign key: 0 is no agency)
    seq: Mapped[int]  # the position in its chain, from 1
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    on_behalf_of_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"))
    task_id: Mapped[str | None] = mapped_column(String(36))
    payload: Mapped[str] = mapped_column(Text)  # canonical JSON
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The end of one chain: locked by each append to that chain only, so the chain stays
    linear and agencies never wait on each other's."""

    __tablename__ = "audit_heads"

    chain: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))


class AuditCheckpoint(Base):
    """A chain's head as it was at ``at``, authenticated with a key derived from the
    installation's secret key (engine/audit/checkpoints.py): entries cut off after it, head
    and all, no longer pass ``qlvb audit verify``."""

    __tablename__ = "audit_checkpoints"
    __table_args__ = (Index("ix_audit_checkpoints_chain", "chain", "seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chain: Mapped[int]
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime]
    key_id: Mapped[str] = mapped_column(String(16))  # which key made ``mac``: its hash's start
    mac: Mapped[str] = mapped_column(String(64))  # HMAC-SHA256, hexadecimal

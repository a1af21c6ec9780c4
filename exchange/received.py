"""What arrives from a partner, once the edXML library has validated it, as the import needs
it: a document (``Incoming``) or a status of one of ours (``StatusIn``). Kept apart from the
library's own model so that the import reads like the platform's documents."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

NEW, RECALL, UPDATE, REPLACE = 0, 1, 2, 3  # Bussiness/BussinessDocType


@dataclass(frozen=True)
class IncomingFile:
    role: str  # main, appendix
    filename: str
    data: bytes


@dataclass(frozen=True)
class Incoming:
    document_id: str  # the edXML DocumentId
    business_type: int
    sender_organ: str
    recipients: tuple[str, ...]  # the To organ identifiers
    # documents.Document fields: doc_type, subject, number_symbol, document_date (ISO), issuer_name,
    # issuer_organ_id, signer_authority, signer_position, signer_name, due_date, urgency, page_amount
    metadata: dict[str, Any]
    files: tuple[IncomingFile, ...] = ()
    replaces: tuple[str, ...] = ()  # DocumentIds an update or replacement is of
    reason: str = ""  # BussinessDocReason
    response_for: tuple[str, ...] = ()  # DocumentIds of the documents it answers
    # What makes two packages the same (edxml.content_digest): not the bytes, which another
    # sender's retry may change (a new signing time, another hop in the trace).
    digest: str = ""
    steering_type: int = 1  # 2: chỉ đạo, a direction to act (starts a liên thông case, exchange.forwarding)


@dataclass(frozen=True)
class StatusIn:
    document_id: str  # the DocumentId of our document it answers
    sender_organ: str
    code: str
    description: str
    staff: str
    at: datetime
    extra: dict[str, Any] = field(default_factory=dict)

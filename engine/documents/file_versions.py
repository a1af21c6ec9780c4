"""The chain of a document's main file: every version in order, with its hash, who made it, when
and why (an upload, the leader's signature, the number and the agency's signature at issuance, the
unsigned draft restored when a signed one is returned). It is what binds a leader's signature to the
version they were asked to sign, and an issue to the version the leader signed
(engine.signatures.signatures); and it decides whether the main file may still be replaced."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import FileVersion


class Reason(enum.StrEnum):
    UPLOAD = "upload"
    LEADER_SIGNATURE = "leader_signature"
    APPROVAL_SIGNATURE = "approval_signature"  # a leader of the circulation chain signs the draft (ký nháy)
    AGENCY_SIGNATURE = "agency_signature"  # the number and date filled, then the agency's signature
    PAPER_CONVERSION = "paper_conversion"  # a paper-signed document's scan: number, date, the agency's mark
    ATTACHMENT_STAMP = "attachment_stamp"  # a copy issued before copies had their form (older chains)
    RESTORED = "restored"  # the draft returned after the leader signed: the unsigned version again
    ARCHIVE_TIMESTAMP = "archive_timestamp"  # handed to the archive: a document time-stamp (PAdES B-LTA), renewed


def record(session: Session, document_id: int, sha256: str, reason: Reason, user_id: int, now: datetime,
           certificate_id: int | None = None) -> FileVersion:
    seq = session.scalar(select(func.coalesce(func.max(FileVersion.seq), 0))
                         .where(FileVersion.document_id == document_id)) or 0
    version = FileVersion(document_id=document_id, seq=seq + 1, sha256=sha256, reason=reason.value, user_id=user_id,
                          certificate_id=certificate_id, created_at=now)
    session.add(version)
    session.flush()
    return version


def chain(session: Session, document_id: int) -> list[FileVersion]:
    return list(session.scalars(select(FileVersion).where(FileVersion.document_id == document_id)
                                .order_by(FileVersion.seq)))


def current(session: Session, document_id: int) -> FileVersion | None:
    return session.scalar(select(FileVersion).where(FileVersion.document_id == document_id)
                          .order_by(FileVersion.seq.desc()).limit(1))


def as_of(session: Session, document_id: int, moment: datetime) -> FileVersion | None:
    """The version that was current at ``moment`` (e.g. when a sign task opened)."""
    return session.scalar(select(FileVersion).where(FileVersion.document_id == document_id,
                                                    FileVersion.created_at <= moment)
                          .order_by(FileVersion.seq.desc()).limit(1))


def draft_signed(session: Session, document_id: int) -> FileVersion | None:
    """The current version if a leader of the chain or the signer signed it."""
    version = current(session, document_id)
    return version if version is not None and version.reason in DRAFT_SIGNATURES else None


def leader_signed(session: Session, document_id: int) -> FileVersion | None:
    """The current version if a leader signed it: the main file is then frozen until the case is
    returned to drafting (which discards the signature) or issued."""
    version = current(session, document_id)
    return version if version is not None and version.reason == Reason.LEADER_SIGNATURE else None


# Signatures made on the draft before issuance: the approvals of a circulation chain, then the leader's.
DRAFT_SIGNATURES = frozenset({Reason.APPROVAL_SIGNATURE, Reason.LEADER_SIGNATURE})


def signed_since_upload(session: Session, signed: FileVersion) -> list[FileVersion]:
    """The draft signatures that lead to ``signed`` (it included), oldest first: the versions
    back to the last one nobody signed."""
    found = []
    for version in reversed([v for v in chain(session, signed.document_id) if v.seq <= signed.seq]):
        if version.reason not in DRAFT_SIGNATURES:
            break
        found.append(version)
    return found[::-1]


def unsigned_before(session: Session, signed: FileVersion) -> FileVersion | None:
    """The version the draft's signatures were made on: the one before the first of them (a
    returned draft loses its approvals with its leader's signature)."""
    first = signed_since_upload(session, signed)[0]
    return session.scalar(select(FileVersion).where(FileVersion.document_id == signed.document_id,
                                                    FileVersion.seq < first.seq)
                          .order_by(FileVersion.seq.desc()).limit(1))

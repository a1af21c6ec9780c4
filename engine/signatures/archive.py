"""Dấu thời gian lưu trữ: a signed document handed to the archive (its record marked archived)
gets a document time-stamp from its agency's TSA over its signatures and their validation data
(PAdES B-LTA), renewed before the TSA's certificate expires, so that it stays verifiable for as
long as it is kept (Luật Lưu trữ 2024 Art. 33–36: digital archive documents stay authentic and
integral). ``qlvb worker`` runs :func:`sweep`.

The network and the cryptography run between two short transactions: the first finds what is
due, the second stores each new version if the document's main file is still the one stamped.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from engine.audit import chain as audit
from engine.core.db import Database
from engine.documents import file_versions
from engine.documents.file_versions import Reason
from engine.documents.storage import FileStore
from engine.models import Document, DocumentFile, Record, RecordDocument, SignatureStatus
from engine.signatures import signing_settings, trust_store
from signing.errors import SigningError
from signing.keystore.keys import to_asn1
from signing.pades import longterm

if TYPE_CHECKING:
    from engine.signatures.signatures import Keys

log = logging.getLogger(__name__)
# Renewed this long before the last time-stamp's TSA certificate expires (and before a new one
# is needed: a document never stamped is due at once).
RENEWAL_MARGIN = timedelta(days=180)


@dataclass(frozen=True)
class Due:
    document_id: int
    sha256: str
    tsa_url: str
    roots: tuple[bytes, ...]
    owner_id: int  # who handed it to the archive: the version is theirs


def _candidates(db: Database, keys: Keys) -> list[Due]:
    with db.read() as session:
        rows = session.execute(
            select(Document, Record.owner_id).join(RecordDocument, RecordDocument.document_id == Document.id)
            .join(Record, Record.id == RecordDocument.record_id)
            .where(Record.archived.is_(True), Document.signature_status == SignatureStatus.VALID)
            .order_by(Document.id)).all()
        found: dict[int, Due] = {}
        for doc, owner in rows:
            main = next((f for f in doc.files if f.role == "main"), None)
            tsa = signing_settings.of_agency(session, doc.agency_id).tsa_url
            if main is None or tsa is None or doc.id in found:
                continue
            roots = tuple(trust_store.keys_for(session, keys, doc.agency_id).trust_roots())
            found[doc.id] = Due(doc.id, main.sha256, tsa, roots, owner)
        return list(found.values())


def _store(db: Database, store: FileStore, due: Due, pdf: bytes, now: datetime) -> bool:
    sha, size = store.put(io.BytesIO(pdf), len(pdf), lambda head: None)
    with db.write() as session:
        doc = session.get(Document, due.document_id)
        main = next((f for f in doc.files if f.role == "main"), None) if doc is not None else None
        if doc is None or main is None or main.sha256 != due.sha256:  # changed meanwhile: next sweep
            return False
        doc.files = [f for f in doc.files if f is not main]
        doc.files.append(DocumentFile(role="main", filename=main.filename, sha256=sha, size=size,
                                      content_type="application/pdf", uploaded_by=due.owner_id, uploaded_at=now,
                                      page_count=main.page_count))
        file_versions.record(session, doc.id, sha, Reason.ARCHIVE_TIMESTAMP, due.owner_id, now)
        expiry = longterm.last_timestamp_expiry(pdf)
        audit.append(session, at=now, action="archive_timestamp", agency_id=doc.agency_id, payload={
            "document": doc.id, "from": due.sha256, "sha256": sha,
            "tsa_certificate_expires": expiry.isoformat() if expiry else None})
    return True


def sweep(db: Database, store: FileStore, keys: Keys, now: datetime, margin: timedelta = RENEWAL_MARGIN) -> int:
    """Time-stamp every archived signed document that has no document time-stamp yet or whose
    last one's TSA certificate expires within ``margin``; the number stamped."""
    stamped = 0
    for due in _candidates(db, keys):
        pdf = store.path(due.sha256).read_bytes()
        if not longterm.needs_renewal(pdf, now, margin):
            continue
        try:
            renewed = longterm.archive_timestamp(pdf, longterm.timestamper(due.tsa_url),
                                                 [to_asn1(r) for r in due.roots])
        except SigningError as err:  # the TSA or a responder down: tried again at the next sweep
            log.warning("archive time-stamp of document %s failed: %s", due.document_id, err.message)
            continue
        stamped += _store(db, store, due, renewed, now)
    return stamped

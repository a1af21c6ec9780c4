"""A clerk's scan from upload to a registered incoming document: stored and checked in the
request (nothing is kept of a refused file), recognised by the worker outside any transaction,
its progress written in short ones, then registered with the fields the clerk confirmed and the
PDF/A, signed by the agency with the conversion mark (engine.scans.conversion), as the main file."""

from __future__ import annotations

import io
import json
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.db import Database, after_commit
from engine.core.errors import NotFound
from engine.documents import filenames, uploads
from engine.documents.file_versions import Reason
from engine.documents.pdf_check import check_head
from engine.documents.storage import FileStore
from engine.fulltext import index as fulltext_index
from engine.models import Document, Scan, ScanStatus, User
from engine.office import desk
from engine.org import permissions
from engine.registry.intake import earlier_entries
from engine.scans import conversion, fields, ocr
from engine.signatures.keys import Keys


def store_scan(store: FileStore, stream: IO[bytes], max_bytes: int) -> tuple[str, int]:
    """Stores an upload once ocr.inspect accepted it (outside any transaction: qpdf and pdftotext
    read it); its SHA-256 and pages. A refused file leaves nothing behind."""
    seen: list[ocr.Inspected] = []
    sha, _size = store.put(stream, max_bytes, ocr.check_head, lambda path: seen.append(ocr.inspect(path)))
    return sha, seen[0].pages


def clerk_of(session: Session, user: User, agency: str | None) -> int:
    """The agency whose clerk ``user`` is (Forbidden for anyone else)."""
    return desk.clerk_agency(session, user, agency)


def queue(session: Session, user: User, agency: str | None, filename: str, stored: tuple[str, int],
          now: datetime) -> Scan:
    """Queues a stored scan of the clerk's agency for the worker."""
    agency_id = clerk_of(session, user, agency)
    sha, pages = stored
    scan = Scan(agency_id=agency_id, uploaded_by=user.id, filename=filenames.safe(filename), source_sha256=sha,
                pages=pages, status=ScanStatus.QUEUED, created_at=now)
    session.add(scan)
    session.flush()
    audit.append(session, at=now, action="scan_uploaded", actor_id=user.id, agency_id=agency_id,
                 payload={"scan": scan.id, "pages": scan.pages, "sha256": sha})
    return scan


def _stale(now: datetime) -> Any:
    """A running scan whose worker died: its budget is over and nobody finished it."""
    return (Scan.status == ScanStatus.RUNNING) & (Scan.started_at < now - timedelta(
        seconds=ocr.SECONDS_PER_PAGE * ocr.MAX_PAGES + 60))


def _claim(db: Database, now: datetime) -> Scan | None:
    with db.write() as session:
        scan = session.scalars(select(Scan).where(or_(Scan.status == ScanStatus.QUEUED, _stale(now)))
                               .order_by(Scan.id).limit(1)).first()
        if scan is None:
            return None
        # Two workers may pick the same row on PostgreSQL: the update decides which one has it.
        same_start = Scan.started_at.is_(None) if scan.started_at is None else Scan.started_at == scan.started_at
        taken = session.execute(update(Scan).where(Scan.id == scan.id, Scan.status == scan.status, same_start)
                                .values(status=ScanStatus.RUNNING, started_at=now, pages_done=0))
        return scan if taken.rowcount == 1 else None  # type: ignore[attr-defined]


def _progress(db: Database, scan_id: int, pages_done: int) -> None:
    with db.write() as session:
        session.execute(update(Scan).where(Scan.id == scan_id).values(pages_done=pages_done))


def _finish(db: Database, scan: Scan, now: datetime, **values: Any) -> None:
    with db.write() as session:
        message = values.pop("message", None)
        session.execute(update(Scan).where(Scan.id == scan.id).values(
            finished_at=now, message=str(message)[:500] if message is not None else None, **values))
        audit.append(session, at=now, action="scan_recognised" if values["status"] == ScanStatus.DONE
                     else "scan_failed", agency_id=scan.agency_id,
                     payload={"scan": scan.id, "message": str(message) if message else None})


def run_next(db: Database, store: FileStore, now: datetime) -> bool:
    """The worker's job: recognise the oldest waiting scan; whether there was one."""
    scan = _claim(db, now)
    if scan is None:
        return False
    with tempfile.TemporaryDirectory(prefix="qlvb-ocr-") as folder:
        target = Path(folder, "ocr.pdf")
        try:
            ocr.recognise(store.path(scan.source_sha256), target, scan.pages,
                          lambda done: _progress(db, scan.id, done))
            pages = ocr.pages_text(target)
        except ocr.OcrFailed as failed:
            _finish(db, scan, now, status=ScanStatus.FAILED, message=failed.message)
            return True
        read = fields.read(pages[0], pages[-1])
        with target.open("rb") as result:
            sha, _ = store.put(result, target.stat().st_size + 1, check_head)
    _finish(db, scan, now, status=ScanStatus.DONE, pages_done=scan.pages, result_sha256=sha,
            fields_json=json.dumps(read.as_dict(), ensure_ascii=False))
    return True


def _scan(session: Session, user: User, scan_id: int) -> Scan:
    scan = session.get(Scan, scan_id)
    if scan is None:
        raise NotFound("Không tìm thấy bản quét.")
    permissions.ensure_clerk(session, user, scan.agency_id)  # the agency's clerks, no one else
    return scan


def view(session: Session, user: User, scan_id: int) -> dict[str, Any]:
    """The scan's progress; once read, the fields to confirm and the register entries the read
    number may duplicate."""
    scan = _scan(session, user, scan_id)
    read = json.loads(scan.fields_json) if scan.fields_json else None
    duplicates: list[dict[str, Any]] = []
    if read and read.get("number_symbol"):
        probe = Document(agency_id=scan.agency_id, number_symbol=read["number_symbol"],
                         issuer_name=read.get("issuer_name"), files=[])
        duplicates = earlier_entries(session, probe)
    return {"id": scan.id, "filename": scan.filename, "status": scan.status.value, "pages": scan.pages,
            "pages_done": scan.pages_done, "progress": round(100 * scan.pages_done / scan.pages) if scan.pages else 0,
            "message": scan.message, "fields": read, "duplicates": duplicates}


def conversion_job(session: Session, store: FileStore, keys: Keys, user: User, scan_id: int,
                   agency_password: str | None) -> conversion.Conversion:
    """The job signing the recognised scan as the copy of record, read in a short transaction;
    made (``make``) with none open."""
    return conversion.job(session, store, keys, user, _scan(session, user, scan_id), agency_password)


def attach_result(session: Session, store: FileStore, user: User, converted: conversion.Converted, doc: Document,
                  max_bytes: int, now: datetime) -> None:
    """The converted copy of record (the recognised PDF/A with the conversion mark and the agency's
    signature) becomes ``doc``'s main file, and so feeds full-text search."""
    scan = _scan(session, user, converted.scan_id)
    conversion.check_unmoved(scan, converted)
    uploads.check_attachable(session, doc, "main")  # before the file is stored
    received = uploads.receive(store, scan.filename.rsplit(".", 1)[0] + ".pdf", io.BytesIO(converted.pdf), max_bytes,
                               with_text=False)  # read after the transaction, as before
    added = uploads.attach(session, user, doc, received, "main", now, Reason.PAPER_CONVERSION)
    audit.append(session, at=now, action="scan_registered", actor_id=user.id, agency_id=scan.agency_id,
                 payload={"scan": scan.id, "document": doc.id, "recognised_sha256": scan.result_sha256,
                          "sha256": added.sha256, "converter": converted.converter,
                          "converted_at": converted.converted_at.isoformat(), "signature_level": converted.level})
    doc_id = doc.id
    after_commit(session, lambda database: fulltext_index.index(database, store, now, document_ids=[doc_id]))


def register(session: Session, store: FileStore, user: User, converted: conversion.Converted, given: dict[str, Any],
             max_bytes: int, now: datetime) -> tuple[Document, dict[str, Any]]:
    """Vào sổ the scanned document with the fields as the clerk confirmed them, its converted
    copy of record as its main file."""
    scan = _scan(session, user, converted.scan_id)
    conversion.check_unmoved(scan, converted)
    doc, found = desk.enter(session, user, {**given, "direction": "incoming"}, now)
    attach_result(session, store, user, converted, doc, max_bytes, now)
    return doc, found

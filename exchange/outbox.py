"""The outbox (hộp thư đi liên thông): packages waiting to reach a partner, sent by the worker.

An item is queued in the transaction of what causes it (an issue, a registration, a task
reached), so it is sent if and only if that commits. The worker leases due items in a short
transaction (``SKIP LOCKED`` on PostgreSQL, the write lock on SQLite), builds each package once
(crypto and files, outside any transaction; the bytes are kept by hash and never rebuilt, so a
retry sends the same package), sends it, and records the outcome in another short transaction:
delivered, refused for good, or tried again after 1, 2, 4 … times the base delay, at most an
hour. A worker killed mid-send leaves the item leased; it is due again when the lease ends and
the receiver's idempotent import makes the second delivery harmless."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.db import Database
from engine.models import Agency, OutboxItem, Partner, StatusEntry

from .transport import Envelope, Outcome, Transport

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
MAX_DELAY = timedelta(hours=1)
BATCH = 20

# Reads what a package needs in a read transaction and returns the work that builds it
# (signing, base64 of the files) to run outside any transaction.
Prepare = Callable[[Session, OutboxItem], Callable[[], bytes]]


def enqueue(session: Session, partner: Partner, kind: str, edxml_document_id: str, now: datetime, *,
            document_id: int | None = None, business_type: int = 0, status_code: str | None = None,
            details: dict[str, Any] | None = None) -> OutboxItem:
    item = OutboxItem(agency_id=partner.agency_id, partner_id=partner.id, kind=kind, document_id=document_id,
                      edxml_document_id=edxml_document_id, business_type=business_type, status_code=status_code,
                      details_json=json.dumps(details or {}, ensure_ascii=False), state="pending",
                      attempts=0, next_attempt_at=now, created_at=now)
    session.add(item)
    session.flush()
    return item


def delay(attempts: int, base: float) -> timedelta:
    return min(timedelta(seconds=base * 2 ** max(attempts - 1, 0)), MAX_DELAY)


def _lease(db: Database, now: datetime, limit: int) -> list[int]:
    with db.write() as session:
        query = (select(OutboxItem).where(OutboxItem.state == "pending", OutboxItem.next_attempt_at <= now)
                 .order_by(OutboxItem.next_attempt_at, OutboxItem.id).limit(limit))
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        items = list(session.scalars(query))
        for item in items:
            item.next_attempt_at = now + LEASE
        return [item.id for item in items]


def _build(db: Database, store_put: Callable[[bytes], str], prepare: Prepare, item_id: int) -> str:
    """The item's package hash, building and storing the package the first time."""
    with db.read() as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        if item.package_sha256:
            return item.package_sha256
        work = prepare(session, item)
    sha = store_put(work())
    with db.write() as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        if not item.package_sha256:  # another worker may have built it meanwhile: keep the first
            item.package_sha256 = sha
        return item.package_sha256


def _record(db: Database, item_id: int, outcome: Outcome, now: datetime, base_delay: float) -> None:
    with db.write() as session:
        item = session.get(OutboxItem, item_id)
        partner = session.get(Partner, item.partner_id) if item else None
        if item is None or partner is None or item.state != "pending":
            return
        item.attempts += 1
        payload = {"outbox": item.id, "kind": item.kind, "document": item.document_id,
                   "edxml_document_id": item.edxml_document_id, "organ_id": partner.organ_id, "partner": partner.name,
                   "business_type": item.business_type, "status_code": item.status_code,
                   "transport": partner.transport, "attempts": item.attempts}
        if outcome.delivered:
            item.state, item.sent_at, item.last_error = "sent", now, None
            audit.append(session, at=now, action="exchange_sent", payload={**payload, "answer": outcome.answer})
        elif outcome.retry:
            item.next_attempt_at, item.last_error = now + delay(item.attempts, base_delay), outcome.error[:1000]
        else:
            item.state, item.last_error = "failed", outcome.error[:1000]
            audit.append(session, at=now, action="exchange_send_refused", payload={**payload, "error": outcome.error})
            if item.kind == "edoc" and item.document_id is not None:
                # Refused with nothing stored there: the recipient will send no status of its own.
                answer = outcome.answer
                session.add(StatusEntry(document_id=item.document_id, organ_id=partner.organ_id, code="02",
                                        description=str(answer.get("description") or outcome.error)[:1000],
                                        staff="", at=now, recorded_at=now))


def _envelope(db: Database, item_id: int, package: bytes) -> tuple[Partner, Envelope]:
    with db.read() as session:
        item = session.get(OutboxItem, item_id)
        assert item is not None
        partner = session.get(Partner, item.partner_id)
        agency = session.get(Agency, item.agency_id)
        assert partner is not None and agency is not None
        session.expunge(partner)
        return partner, Envelope(agency.identifier_code, partner.organ_id, package, f"{agency.code}-{item.id}")


def run(db: Database, now: Callable[[], datetime], prepare: Prepare, store_put: Callable[[bytes], str],
        store_get: Callable[[str], bytes], transport_for: Callable[[Partner], Transport], base_delay: float,
        limit: int = BATCH) -> int:
    """One sweep of the due items; returns how many were delivered. A package that cannot be
    built (a missing key) is tried again like a failed delivery, with the reason kept."""
    delivered = 0
    for item_id in _lease(db, now(), limit):
        try:
            sha = _build(db, store_put, prepare, item_id)
            partner, envelope = _envelope(db, item_id, store_get(sha))
            outcome = transport_for(partner).send(partner, envelope)
        except Exception as err:  # noqa: BLE001 - one item's failure must not stop the others
            log.exception("outbox item %s failed", item_id)
            outcome = Outcome(False, retry=True, error=f"{type(err).__name__}: {err}"[:1000])
        _record(db, item_id, outcome, now(), base_delay)
        delivered += outcome.delivered
    return delivered


def view(item: OutboxItem, partner: Partner) -> dict[str, Any]:
    return {"id": item.id, "kind": item.kind, "organ_id": partner.organ_id, "partner_name": partner.name,
            "transport": partner.transport, "business_type": item.business_type, "status_code": item.status_code,
            "state": item.state, "attempts": item.attempts, "last_error": item.last_error,
            "created_at": item.created_at.isoformat(), "sent_at": item.sent_at.isoformat() if item.sent_at else None,
            "next_attempt_at": item.next_attempt_at.isoformat() if item.state == "pending" else None}

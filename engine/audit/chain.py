"""The audit trail: every action, appended to one hash chain.

Each entry's hash covers its sequence number, time, actors, action, case, task, payload
and the previous entry's hash; the single ``audit_head`` row holds the end of the chain
and is locked by every append, so the chain is linear even under concurrent writers and
a deleted tail is caught as surely as a deleted middle entry.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from engine.models import AuditEntry, AuditHead

GENESIS = "0" * 64

# Every action appends, so the chain is read and extended with statements built once and
# written at once, not through the session's unit of work, which cost a task completion more
# than the three statements (engine/core/db.py). Nothing reads an entry back in the transaction
# that appends it, and the head is never loaded as an object, so none goes stale.
_HEAD = AuditHead.metadata.tables[AuditHead.__tablename__]
_HEAD_FOR_UPDATE = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_INSERT_ENTRY = insert(AuditEntry.metadata.tables[AuditEntry.__tablename__])
_MOVE_HEAD = update(_HEAD).where(AuditHead.id == 1)


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    seq: int, at: datetime, actor_id: int | None, on_behalf_of_id: int | None, action: str,
    case_id: int | None, task_id: str | None, payload: str, prev_hash: str,
) -> str:
    fields = [str(seq), at.isoformat(), str(actor_id), str(on_behalf_of_id), action, str(case_id),
              str(task_id), payload, prev_hash]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def ensure_head(session: Session) -> None:
    if session.execute(_HEAD_FOR_UPDATE).first() is None:
        session.execute(insert(_HEAD), {"id": 1, "seq": 0, "hash": GENESIS})


def append(
    session: Session, *, at: datetime, action: str, payload: dict[str, Any], actor_id: int | None = None,
    on_behalf_of_id: int | None = None, case_id: int | None = None, task_id: str | None = None,
) -> None:
    head = session.execute(_HEAD_FOR_UPDATE).first()
    if head is None:
        raise RuntimeError("the audit chain is not initialised: run 'qlvb init-db'")
    seq, prev = head.seq + 1, head.hash
    body = canonical(payload)
    digest = entry_hash(seq, at, actor_id, on_behalf_of_id, action, case_id, task_id, body, prev)
    session.execute(_INSERT_ENTRY, {
        "seq": seq, "at": at, "actor_id": actor_id, "on_behalf_of_id": on_behalf_of_id, "action": action,
        "case_id": case_id, "task_id": task_id, "payload": body, "prev_hash": prev, "hash": digest,
    })
    session.execute(_MOVE_HEAD, {"seq": seq, "hash": digest})


_ALTERED = "nội dung đã bị sửa (hash không khớp)"


def _intact(e: AuditEntry) -> bool:
    """Whether the entry's stored hash is still the hash of its content."""
    return entry_hash(e.seq, e.at, e.actor_id, e.on_behalf_of_id, e.action, e.case_id, e.task_id, e.payload,
                      e.prev_hash) == e.hash


TIME = "time"


# Requests run side by side: each stamps its entries with the time it started and appends them
# when it commits, under the head's lock, so a quick request may append after a slower one that
# started later (the crash test's four clients gave a few milliseconds of it, hundreds of times).
# An entry earlier than the one before it by more than a request can last is a wrong clock or a
# made-up time.
REQUEST_SKEW = timedelta(minutes=5)


def _backwards(e: AuditEntry, before: AuditEntry | None) -> str | None:
    """The chain's times never decrease by more than ``REQUEST_SKEW``: an entry earlier than that
    was written with a wrong clock or inserted afterwards with a made-up time, even if its hashes
    were redone."""
    if before is None or e.at >= before.at - REQUEST_SKEW:
        return None
    return f"thời điểm {e.at.isoformat()} sớm hơn mục liền trước ({before.at.isoformat()}): thời gian chạy ngược"


@dataclass(frozen=True)
class Finding:
    seq: int
    message: str
    kind: str = "chain"  # or TIME: the chain holds, but an entry's time runs backwards

    def __str__(self) -> str:
        return f"#{self.seq}: {self.message}"


def verify(session: Session, batch: int = 5000) -> tuple[int, list[Finding]]:
    """Check the whole chain; returns how many entries were read and what is wrong."""
    findings: list[Finding] = []
    expected_seq, prev = 1, GENESIS
    count, last_seq = 0, 0
    previous: AuditEntry | None = None
    while True:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.seq > last_seq).order_by(AuditEntry.seq).limit(batch)
        ).all()
        if not rows:
            break
        for e in rows:
            count += 1
            if e.seq != expected_seq:
                findings.append(Finding(e.seq, f"thiếu mục {expected_seq}–{e.seq - 1} (đã bị xóa)"))
            if e.prev_hash != prev:
                findings.append(Finding(e.seq, "không nối với mục liền trước (bị xóa hoặc đổi thứ tự)"))
            if not _intact(e):
                findings.append(Finding(e.seq, _ALTERED))
            if (backwards := _backwards(e, previous)) is not None:
                findings.append(Finding(e.seq, backwards, TIME))
            expected_seq, prev, last_seq, previous = e.seq + 1, e.hash, e.seq, e
    head = session.get(AuditHead, 1)
    if head is not None and (head.seq != last_seq or head.hash != prev):
        findings.append(Finding(head.seq, f"cuối chuỗi là mục {head.seq} nhưng chỉ còn đến mục {last_seq}"))
    return count, findings


def case_entries(session: Session, case_id: int) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.seq)))


def neighbours(session: Session, entries: list[AuditEntry]) -> dict[int, AuditEntry]:
    """The entries just before and after each of ``entries`` that are not among them, by seq."""
    own = {e.seq for e in entries}
    wanted = sorted({s for e in entries for s in (e.seq - 1, e.seq + 1) if s > 0} - own)
    if not wanted:
        return {}
    return {n.seq: n for n in session.scalars(select(AuditEntry).where(AuditEntry.seq.in_(wanted)))}


def verify_entries(session: Session, entries: list[AuditEntry]) -> list[Finding]:
    """Check some entries (one case's) where they sit in the chain, without reading all of it:
    each one's own hash, and its links with the entries just before and just after it (or
    with the chain's head, for the last one). An entry of the case altered, deleted between
    two of its neighbours or moved is caught; a change elsewhere in the chain is ``verify``'s."""
    near = {**{e.seq: e for e in entries}, **neighbours(session, entries)}
    head = session.get(AuditHead, 1)
    findings: list[Finding] = []
    for e in entries:
        if not _intact(e):
            findings.append(Finding(e.seq, _ALTERED))
        before = near.get(e.seq - 1)
        if e.seq > 1 and before is None:
            findings.append(Finding(e.seq, f"mục liền trước ({e.seq - 1}) đã bị xóa"))
        elif e.prev_hash != (before.hash if before else GENESIS):
            findings.append(Finding(e.seq, "không nối với mục liền trước (bị xóa hoặc đổi thứ tự)"))
        after = near.get(e.seq + 1)
        if after is not None:
            if after.prev_hash != e.hash:
                findings.append(Finding(e.seq, f"mục liền sau ({after.seq}) không nối với mục này"))
        elif head is None or head.seq != e.seq:
            findings.append(Finding(e.seq, f"mục liền sau ({e.seq + 1}) đã bị xóa"))
        elif head.hash != e.hash:
            findings.append(Finding(e.seq, "cuối chuỗi không khớp với mục này"))
    return findings

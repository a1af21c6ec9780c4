"""The audit trail: every action, appended to its agency's hash chain.

Each entry's hash covers its chain, position, time, actors, action, case, task, payload and
the previous entry's hash. Each chain has a head row (``audit_heads``) that every append to
it locks, so a chain is linear under concurrent writers while two agencies never wait on
each other: there is one chain per agency, and one for the installation (events of no
agency, and every entry written before migration 0036, when one chain held everything).
Entries are written as their transaction commits, so a head is locked only through the
commit, heads in a fixed order (no deadlock between agencies). A deleted tail is caught by
the head and, were the head redone too, by the signed checkpoints of the heads
(engine/audit/checkpoints.py); ``engine/audit/verification.py`` checks it all.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, event, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, SessionTransaction

from engine.models import INSTALLATION, AuditEntry, AuditHead, Case, Unit, UserPosition

GENESIS = "0" * 64

# Every action appends, so the chain is read and extended with statements built once and
# written at once, not through the session's unit of work, which cost a task completion more
# than the three statements (engine/core/db.py). Nothing reads an entry back in the transaction
# that appends it (entries are written at commit), and the head is never loaded as an object.
_HEAD = AuditHead.metadata.tables[AuditHead.__tablename__]
_HEAD_FOR_UPDATE = (select(AuditHead.seq, AuditHead.hash).where(AuditHead.chain == bindparam("of_chain"))
                    .with_for_update())
_INSERT_ENTRY = insert(AuditEntry.metadata.tables[AuditEntry.__tablename__])
_MOVE_HEAD = update(_HEAD).where(AuditHead.chain == bindparam("of_chain"))
_ACTOR_AGENCY = (select(Unit.agency_id).join(UserPosition, UserPosition.unit_id == Unit.id)
                 .order_by(UserPosition.id).limit(1))


def canonical(payload: Any) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def entry_hash(
    chain: int, seq: int, at: datetime, actor_id: int | None, on_behalf_of_id: int | None, action: str,
    case_id: int | None, task_id: str | None, payload: str, prev_hash: str,
) -> str:
    fields = [str(seq), at.isoformat(), str(actor_id), str(on_behalf_of_id), action, str(case_id),
              str(task_id), payload, prev_hash]
    # The installation's chain keeps the fields of the single chain before 0036, so its old
    # entries still verify; an agency's entries also bind their chain, so none can be moved
    # to another agency's chain without its hash changing.
    if chain != INSTALLATION:
        fields.insert(0, f"agency:{chain}")
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def hash_of(e: AuditEntry) -> str:
    """The hash of the entry's content, as stored."""
    return entry_hash(e.chain, e.seq, e.at, e.actor_id, e.on_behalf_of_id, e.action, e.case_id, e.task_id,
                      e.payload, e.prev_hash)


def _head(session: Session, chain: int) -> Any:
    return session.execute(_HEAD_FOR_UPDATE, {"of_chain": chain}).first()


def ensure_head(session: Session, chain: int = INSTALLATION) -> None:
    """The chain's head row, made at its first entry. Two first entries at once both insert
    it; the later one's insert is ignored (PostgreSQL waits for the earlier one's commit)."""
    if _head(session, chain) is not None:
        return
    dialect = session.get_bind().dialect.name
    values = {"chain": chain, "seq": 0, "hash": GENESIS}
    if dialect == "postgresql":
        session.execute(postgresql.insert(_HEAD).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(_HEAD).values(values).on_conflict_do_nothing())
    else:
        session.execute(insert(_HEAD), values)


def chain_of(session: Session, case_id: int | None, actor_id: int | None) -> int:
    """The chain of an entry that names no agency: its case's agency, else its actor's (the
    agency of the person's first position), else the installation's."""
    if case_id is not None and (case := session.get(Case, case_id)) is not None:
        return case.agency_id
    if actor_id is not None and (agency := session.scalar(_ACTOR_AGENCY.where(UserPosition.user_id == actor_id))):
        return int(agency)
    return INSTALLATION


def append(
    session: Session, *, at: datetime, action: str, payload: dict[str, Any], actor_id: int | None = None,
    on_behalf_of_id: int | None = None, case_id: int | None = None, task_id: str | None = None,
    agency_id: int | None = None,
) -> None:
    """One entry for the end of ``agency_id``'s chain (by default the case's or the actor's
    agency's, see :func:`chain_of`), written when the transaction commits (:func:`_write`)."""
    chain = agency_id if agency_id is not None else chain_of(session, case_id, actor_id)
    entry = {"chain": chain, "at": at, "actor_id": actor_id, "on_behalf_of_id": on_behalf_of_id, "action": action,
             "case_id": case_id, "task_id": task_id, "payload": canonical(payload)}
    # Tagged with the innermost transaction, so that a savepoint rolled back takes its entries with it.
    tagged = session.get_nested_transaction() or session.get_transaction() or session.begin()
    session.info.setdefault(_PENDING, []).append((tagged, entry))


# A transaction's entries are written as it commits, each chain's head locked in the order of
# the chains: a head is then the last lock a transaction takes and is held only through its
# commit, and two transactions that append to the same two chains (a message from agency A's
# case to B's while one from B's goes to A's) lock them in the same order, so they cannot
# deadlock on them.
_PENDING = "audit_pending"


@event.listens_for(Session, "before_commit")
def _write(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: its entries wait for the commit
        return
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    for chain in sorted({entry["chain"] for _, entry in pending}):
        head = _head(session, chain)
        if head is None:
            ensure_head(session, chain)
            head = _head(session, chain)
        seq, prev = head.seq, head.hash
        for _, entry in pending:
            if entry["chain"] != chain:
                continue
            seq += 1
            entry["seq"], entry["prev_hash"] = seq, prev
            entry["hash"] = prev = entry_hash(
                chain, seq, entry["at"], entry["actor_id"], entry["on_behalf_of_id"], entry["action"],
                entry["case_id"], entry["task_id"], entry["payload"], prev)
            session.execute(_INSERT_ENTRY, entry)
        session.execute(_MOVE_HEAD, {"of_chain": chain, "seq": seq, "hash": prev})


@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, previous: SessionTransaction) -> None:
    """Drop the entries of the transaction rolled back and of the savepoints inside it."""
    pending = session.info.get(_PENDING)
    if pending:
        session.info[_PENDING] = [(tx, entry) for tx, entry in pending if not _within(tx, previous)]


def _within(tx: SessionTransaction | None, outer: SessionTransaction) -> bool:
    while tx is not None:
        if tx is outer:
            return True
        tx = tx.parent
    return False


def case_entries(session: Session, case_id: int) -> list[AuditEntry]:
    """The case's entries in the order they were written (a case begun before 0036 has its
    first entries in the installation's chain, the later ones in its agency's)."""
    return list(session.scalars(select(AuditEntry).where(AuditEntry.case_id == case_id).order_by(AuditEntry.id)))


def neighbours(session: Session, entries: list[AuditEntry]) -> dict[tuple[int, int], AuditEntry]:
    """The entries just before and after each of ``entries`` in its chain that are not among
    them, by (chain, seq)."""
    own = {(e.chain, e.seq) for e in entries}
    wanted = {(e.chain, s) for e in entries for s in (e.seq - 1, e.seq + 1) if s > 0} - own
    found: dict[tuple[int, int], AuditEntry] = {}
    for chain in {c for c, _ in wanted}:
        seqs = sorted(s for c, s in wanted if c == chain)
        found.update({(n.chain, n.seq): n for n in session.scalars(
            select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq.in_(seqs)))})
    return found

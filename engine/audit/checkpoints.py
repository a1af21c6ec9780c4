"""Signed checkpoints of the chains' heads, so that a chain cut short is caught even when its
head row was set back to match.

A checkpoint records a chain's head (position and hash) with an HMAC-SHA256 under a key derived
from the installation's secret key (engine/core/secret_key.py: ``QLVB_SECRET_KEY`` or the key
file in the data folder, carried by the backups). Whoever can write the database but not read
that key can neither forge a checkpoint for a shortened chain nor alter one: ``qlvb audit
verify`` then finds a checkpoint past the chain's end, or over an entry whose hash differs.
``qlvb worker`` takes one per chain that moved, every ``EVERY``; ``qlvb audit checkpoint`` at once;
both journal them outside the database too (engine/audit/anchors.py).
Checkpoints are rows apart from the heads, so taking one locks no chain.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.core.secret_key import secret_key
from engine.models import AuditCheckpoint, AuditHead

EVERY = timedelta(minutes=10)
_LABEL = b"qlvb audit checkpoints"


class Checkpoint(Protocol):
    """A checkpoint's row, or its line in the journal outside the database (engine/audit/anchors.py)."""

    @property
    def chain(self) -> int: ...
    @property
    def seq(self) -> int: ...
    @property
    def hash(self) -> str: ...
    @property
    def at(self) -> datetime: ...
    @property
    def key_id(self) -> str: ...
    @property
    def mac(self) -> str: ...


@dataclass(frozen=True)
class Key:
    secret: bytes

    @property
    def id(self) -> str:
        return hashlib.sha256(self.secret).hexdigest()[:16]

    def mac(self, chain: int, seq: int, digest: str, at: datetime) -> str:
        message = "\x1f".join(("checkpoint", str(chain), str(seq), digest, at.isoformat()))
        return hmac.new(self.secret, message.encode(), hashlib.sha256).hexdigest()

    def vouches_for(self, cp: Checkpoint) -> bool:
        return cp.key_id == self.id and hmac.compare_digest(cp.mac, self.mac(cp.chain, cp.seq, cp.hash, cp.at))


def key(data_dir: Path, env: Mapping[str, str]) -> Key:
    """The checkpoints' key, derived from the installation's secret key (never the key itself,
    which also signs the pages' cookies)."""
    return Key(hmac.new(secret_key(data_dir, env).encode(), _LABEL, hashlib.sha256).digest())


def take(session: Session, signer: Key, now: datetime, every: timedelta = EVERY) -> list[AuditCheckpoint]:
    """A checkpoint of each chain whose head moved since its last one, if that is ``every``
    old; the ones taken. Reads the heads without locking them."""
    now = now.astimezone(UTC)  # as the database gives it back, for the MAC to match when verified
    last = {row.chain: row for row in session.execute(
        select(AuditCheckpoint.chain, func.max(AuditCheckpoint.seq).label("seq"),
               func.max(AuditCheckpoint.at).label("at")).group_by(AuditCheckpoint.chain))}
    taken = []
    for head in session.execute(select(AuditHead.chain, AuditHead.seq, AuditHead.hash)):
        before = last.get(head.chain)
        if head.seq == 0 or (before is not None and (before.seq >= head.seq or now - before.at < every)):
            continue
        taken.append(AuditCheckpoint(chain=head.chain, seq=head.seq, hash=head.hash, at=now, key_id=signer.id,
                                     mac=signer.mac(head.chain, head.seq, head.hash, now)))
    session.add_all(taken)
    session.flush()
    return taken


def of_chain(session: Session, chain: int) -> list[AuditCheckpoint]:
    return list(session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.chain == chain)
                                .order_by(AuditCheckpoint.seq, AuditCheckpoint.id)))


def latest(session: Session) -> list[AuditCheckpoint]:
    """Each chain's last checkpoint."""
    last = select(AuditCheckpoint.chain, func.max(AuditCheckpoint.id).label("id")).group_by(AuditCheckpoint.chain)
    ids = [row.id for row in session.execute(last)]
    return list(session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.id.in_(ids))
                                .order_by(AuditCheckpoint.chain)))

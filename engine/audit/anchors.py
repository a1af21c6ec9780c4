"""The checkpoints' copy outside the database (mốc neo ngoài cơ sở dữ liệu).

A checkpoint row catches a chain cut short only while the row is there: whoever can rewrite the
database can also delete the checkpoints that name the lost entries. So each checkpoint, once
committed, is appended as a line to a journal file that the database's users cannot reach
(``QLVB_AUDIT_ANCHOR_FILE``: a file on another machine's mount, shipped by syslog or rsync, or on
write-once storage; by default ``audit-anchors.log`` in the data folder). ``qlvb audit verify``
reads it back: a chain shorter than a checkpoint it lists, or a checkpoint it lists that the
database lost, is an error. Lines carry the checkpoint's MAC, so a forged line is caught as a
forged row is.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine.core.db import after_commit
from engine.models import AuditCheckpoint

_FIELDS = 6


@dataclass(frozen=True)
class Anchor:
    """A checkpoint as the journal keeps it: the same fields as its row."""

    chain: int
    seq: int
    hash: str
    at: datetime
    key_id: str
    mac: str

    @classmethod
    def of(cls, cp: AuditCheckpoint) -> Anchor:
        return cls(cp.chain, cp.seq, cp.hash, cp.at, cp.key_id, cp.mac)

    def line(self) -> str:
        return "\t".join((str(self.chain), str(self.seq), self.hash, self.at.isoformat(), self.key_id, self.mac))


@dataclass(frozen=True)
class Journal:
    anchors: list[Anchor]
    unreadable: list[int]  # line numbers: a line cut or edited by hand


def append(path: Path, anchors: Iterable[Anchor]) -> None:
    """Add lines at the end, on disk before returning: the file is only ever appended to."""
    text = "".join(anchor.line() + "\n" for anchor in anchors)
    if not text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, text.encode())
        os.fsync(fd)
    finally:
        os.close(fd)


def anchor_after_commit(session: Session, taken: Iterable[AuditCheckpoint], path: Path) -> None:
    """Journal ``taken`` once their transaction commits: a line never names a checkpoint that was
    rolled back."""
    anchors = [Anchor.of(cp) for cp in taken]
    if anchors:
        after_commit(session, lambda _database: append(path, anchors))


def read(path: Path) -> Journal:
    if not path.exists():
        return Journal([], [])
    anchors, unreadable = [], []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        fields = line.split("\t")
        try:
            if len(fields) != _FIELDS:
                raise ValueError(line)
            chain, seq, digest, at, key_id, mac = fields
            anchors.append(Anchor(int(chain), int(seq), digest, datetime.fromisoformat(at), key_id, mac))
        except ValueError:
            unreadable.append(number)
    return Journal(anchors, unreadable)

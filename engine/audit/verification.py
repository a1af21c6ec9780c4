"""Checking the audit chains: ``verify`` reads every chain whole (``qlvb audit verify``),
``verify_entries`` only one case's entries where they sit (the auditor's case page, the dossier).

A chain is intact when its positions run 1, 2, 3… without a gap, each entry links to the one
before, each hash is still its content's, its head is its last entry, and each of its
checkpoints is authentic and names an entry that is still there with the same hash. The
checkpoints journalled outside the database (engine/audit/anchors.py) count as checkpoints too,
and one of them missing from the database is itself an error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import checkpoints
from engine.audit.anchors import Anchor, Journal
from engine.audit.chain import GENESIS, hash_of, neighbours
from engine.models import INSTALLATION, AuditCheckpoint, AuditEntry, AuditHead

TIME = "time"
JOURNAL = "journal"  # a line of the checkpoints' journal outside the database; ``seq`` is its number

# Requests run side by side: each stamps its entries with the time it started and appends them
# when it commits, under the head's lock, so a quick request may append after a slower one that
# started later (the crash test's four clients gave a few milliseconds of it, hundreds of times).
# An entry earlier than the one before it by more than a request can last is a wrong clock or a
# made-up time.
REQUEST_SKEW = timedelta(minutes=5)

_ALTERED = "nội dung đã bị sửa (hash không khớp)"
_UNLINKED = "không nối với mục liền trước (bị xóa hoặc đổi thứ tự)"


def chain_name(chain: int) -> str:
    return "chuỗi chung" if chain == INSTALLATION else f"chuỗi cơ quan {chain}"


@dataclass(frozen=True)
class Finding:
    seq: int
    message: str
    kind: str = "chain"  # or TIME: the chain holds, but an entry's time runs backwards; or JOURNAL
    chain: int = INSTALLATION

    def __str__(self) -> str:
        if self.kind == JOURNAL:
            return f"[tệp mốc ngoài cơ sở dữ liệu] dòng {self.seq}: {self.message}"
        return f"[{chain_name(self.chain)}] #{self.seq}: {self.message}"


def _backwards(e: AuditEntry, before: AuditEntry | None) -> str | None:
    """The chain's times never decrease by more than ``REQUEST_SKEW``: an entry earlier than that
    was written with a wrong clock or inserted afterwards with a made-up time, even if its hashes
    were redone."""
    if before is None or e.at >= before.at - REQUEST_SKEW:
        return None
    return f"thời điểm {e.at.isoformat()} sớm hơn mục liền trước ({before.at.isoformat()}): thời gian chạy ngược"


def _checkpoint_findings(cps: Sequence[checkpoints.Checkpoint], hashes: dict[int, str], last_seq: int,
                         signer: checkpoints.Key | None) -> list[tuple[int, str]]:
    found = []
    for cp in cps:
        if signer is not None and not signer.vouches_for(cp):
            found.append((cp.seq, f"mốc kiểm tra lúc {cp.at.isoformat()} không có chữ ký hợp lệ (bị sửa hoặc giả)"))
        elif cp.seq > last_seq:
            found.append((cp.seq, f"mốc kiểm tra lúc {cp.at.isoformat()} ghi cuối chuỗi là mục {cp.seq} nhưng chuỗi "
                                  f"chỉ còn đến mục {last_seq} (bị cắt đuôi)"))
        elif hashes.get(cp.seq) != cp.hash:
            found.append((cp.seq, f"mục không khớp với mốc kiểm tra lúc {cp.at.isoformat()} (bị sửa hoặc thay)"))
    return found


def _lost(kept: list[AuditCheckpoint], anchored: Sequence[Anchor]) -> list[Anchor]:
    """The journal's checkpoints that the database no longer has."""
    rows = {Anchor.of(cp) for cp in kept}
    return sorted({a for a in anchored if a not in rows}, key=lambda a: (a.seq, a.at))


def verify_chain(session: Session, chain: int, signer: checkpoints.Key | None, batch: int = 5000,
                 anchored: Sequence[Anchor] = ()) -> tuple[int, list[Finding]]:
    """Check one chain whole, against its head, its checkpoints and the ones of the journal
    outside the database (``anchored``, this chain's)."""
    kept = checkpoints.of_chain(session, chain)
    lost = _lost(kept, anchored)
    cps: list[checkpoints.Checkpoint] = [*kept, *lost]
    wanted = {cp.seq for cp in cps}
    hashes: dict[int, str] = {}
    found: list[tuple[int, str, str]] = []
    expected_seq, prev, count, last_seq = 1, GENESIS, 0, 0
    previous: AuditEntry | None = None
    while rows := session.scalars(select(AuditEntry).where(AuditEntry.chain == chain, AuditEntry.seq > last_seq)
                                  .order_by(AuditEntry.seq).limit(batch)).all():
        for e in rows:
            count += 1
            if e.seq != expected_seq:
                found.append((e.seq, f"thiếu mục {expected_seq}–{e.seq - 1} (đã bị xóa)", "chain"))
            if e.prev_hash != prev:
                found.append((e.seq, _UNLINKED, "chain"))
            if hash_of(e) != e.hash:
                found.append((e.seq, _ALTERED, "chain"))
            if (backwards := _backwards(e, previous)) is not None:
                found.append((e.seq, backwards, TIME))
            if e.seq in wanted:
                hashes[e.seq] = e.hash
            expected_seq, prev, last_seq, previous = e.seq + 1, e.hash, e.seq, e
    head = session.get(AuditHead, chain)
    if head is not None and (head.seq != last_seq or head.hash != prev):
        found.append((head.seq, f"cuối chuỗi là mục {head.seq} nhưng chỉ còn đến mục {last_seq}", "chain"))
    found += [(seq, message, "chain") for seq, message in _checkpoint_findings(cps, hashes, last_seq, signer)]
    found += [(a.seq, f"mốc kiểm tra lúc {a.at.isoformat()} có trong tệp mốc ngoài cơ sở dữ liệu nhưng không còn "
                      "trong cơ sở dữ liệu (bị xóa)", "chain") for a in lost]
    return count, [Finding(seq, message, kind, chain) for seq, message, kind in found]


def chains(session: Session, journal: Journal | None = None) -> list[int]:
    """Every chain that has a head, an entry or a checkpoint, in the database or the journal."""
    return sorted(set(session.scalars(select(AuditHead.chain)))
                  | set(session.scalars(select(AuditEntry.chain).distinct()))
                  | set(session.scalars(select(AuditCheckpoint.chain).distinct()))
                  | {a.chain for a in (journal.anchors if journal else [])})


def verify(session: Session, signer: checkpoints.Key | None = None, batch: int = 5000,
           journal: Journal | None = None) -> tuple[int, list[Finding]]:
    """Check every chain; returns how many entries were read and what is wrong. Without the
    checkpoints' key (``signer``), checkpoints are compared with the chains but not authenticated;
    ``journal`` is the checkpoints' copy outside the database."""
    count, findings = 0, []
    anchored = journal.anchors if journal else []
    for chain in chains(session, journal):
        read, found = verify_chain(session, chain, signer, batch, [a for a in anchored if a.chain == chain])
        count += read
        findings += found
    findings += [Finding(number, "không đọc được (bị sửa hoặc cắt)", JOURNAL)
                 for number in (journal.unreadable if journal else [])]
    return count, findings


def verify_entries(session: Session, entries: list[AuditEntry]) -> list[Finding]:
    """Check some entries (one case's) where they sit in their chains, without reading all of
    them: each one's own hash, and its links with the entries just before and just after it
    (or with the chain's head, for the last one). An entry of the case altered, deleted between
    two of its neighbours or moved is caught; a change elsewhere is ``verify``'s."""
    near = {**{(e.chain, e.seq): e for e in entries}, **neighbours(session, entries)}
    heads = {h.chain: h for h in session.scalars(
        select(AuditHead).where(AuditHead.chain.in_({e.chain for e in entries})))}
    findings: list[Finding] = []
    for e in entries:
        def note(message: str, e: AuditEntry = e) -> None:
            findings.append(Finding(e.seq, message, chain=e.chain))
        if hash_of(e) != e.hash:
            note(_ALTERED)
        before = near.get((e.chain, e.seq - 1))
        if e.seq > 1 and before is None:
            note(f"mục liền trước ({e.seq - 1}) đã bị xóa")
        elif e.prev_hash != (before.hash if before else GENESIS):
            note(_UNLINKED)
        after, head = near.get((e.chain, e.seq + 1)), heads.get(e.chain)
        if after is not None:
            if after.prev_hash != e.hash:
                note(f"mục liền sau ({after.seq}) không nối với mục này")
        elif head is None or head.seq != e.seq:
            note(f"mục liền sau ({e.seq + 1}) đã bị xóa")
        elif head.hash != e.hash:
            note("cuối chuỗi không khớp với mục này")
    return findings

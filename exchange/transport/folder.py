"""The folder transport, for an adapter to a provincial platform: packages to send are
written into ``<endpoint>/outbox`` (whole, then renamed, so the adapter never reads half a
file); packages the adapter received are read from ``<endpoint>/inbox`` by the worker and
moved to ``inbox/done`` or ``inbox/refused`` (with the reason beside it)."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

from engine.models import Partner

from . import Envelope, Outcome

SUFFIX = ".edxml"


class FolderTransport:
    def send(self, partner: Partner, envelope: Envelope) -> Outcome:
        folder = Path(partner.endpoint) / "outbox"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / f"{envelope.name}{SUFFIX}"
            fd, tmp = tempfile.mkstemp(dir=folder, prefix=".part-")
            with os.fdopen(fd, "wb") as out:
                out.write(envelope.package)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except OSError as err:
            return Outcome(False, retry=True, error=f"Không ghi được vào thư mục trao đổi: {err.strerror}")
        return Outcome(True, answer={"file": target.name})


def waiting(partner: Partner, limit: int = 50) -> Iterator[Path]:
    """The packages waiting in the partner's inbox folder, oldest first."""
    inbox = Path(partner.endpoint) / "inbox"
    if not inbox.is_dir():
        return iter(())
    found = sorted((p for p in inbox.iterdir() if p.is_file() and p.name.endswith(SUFFIX)),
                   key=lambda p: p.stat().st_mtime)
    return iter(found[:limit])


def settle(path: Path, refused_reason: str | None) -> None:
    """Move a package read from the inbox out of the way, with the reason if refused."""
    where = path.parent / ("refused" if refused_reason else "done")
    where.mkdir(exist_ok=True)
    os.replace(path, where / path.name)
    if refused_reason:
        (where / f"{path.name}.reason.txt").write_text(refused_reason + "\n", encoding="utf-8")

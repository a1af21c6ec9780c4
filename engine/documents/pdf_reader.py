"""Untrusted PDFs read by the helper program of engine/documents/pdf_helper.py: started once per
process and fed files, each read in a child it forks, held to a memory, CPU and wall-clock
budget (so a hostile file stops at its budget, as the ``prlimit`` + ``qpdf``/``pdftotext``
children did, without loading and linking two programs per upload; issue 19).

A threaded server cannot fork itself (no ``preexec_fn``), so the helper is a program of its own,
started with ``subprocess`` and restarted when it has died; it ends when this process closes its
socket. Each request carries a socket of its own, so threads ask in parallel."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from engine.documents import pdf_helper

PROGRAM = Path(pdf_helper.__file__)
WAIT_SECONDS = pdf_helper.WALL_SECONDS + 5  # the helper stops the child at its wall clock first


@dataclass(frozen=True)
class Job:
    """qpdf's answer: its exit code (None: stopped at its budget or broken), the page count
    listed in its JSON (``--json-key=pages``), and which of the names asked for its JSON holds."""
    exit: int | None
    page_count: int | None
    found: tuple[str, ...]


@dataclass(frozen=True)
class Reading:
    job: Job | None  # None when no job was asked, or the answer did not come within the wall clock
    text: str | None  # None when no text was asked or it could not be read within the budget
    late: bool = False  # the wall clock ran out


class _Helper:
    def __init__(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.owner = os.getpid()
        self.control = ours
        self.process = subprocess.Popen(  # noqa: S603 - our own program, by path
            [sys.executable, "-I", "-S", str(PROGRAM), str(theirs.fileno())], pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        theirs.close()

    def alive(self) -> bool:
        return self.owner == os.getpid() and self.process.poll() is None

    def ask(self, request: bytes) -> socket.socket:
        mine, theirs = socket.socketpair()
        try:
            socket.send_fds(self.control, [request], [theirs.fileno()])
        finally:
            theirs.close()
        return mine


_lock = threading.Lock()
_helper: _Helper | None = None


def _ask(request: bytes) -> socket.socket:
    global _helper
    with _lock:
        for attempt in (1, 2):
            if _helper is None or not _helper.alive():
                _helper = _Helper()
            try:
                return _helper.ask(request)
            except OSError:
                if attempt == 2:
                    raise
                _helper = None
    raise AssertionError("unreachable")


def helper_pid() -> int | None:
    """The helper's process id in this process (None before the first read): tests and the
    benchmark count its CPU."""
    return _helper.process.pid if _helper is not None and _helper.alive() else None


def _answer(answer: socket.socket) -> tuple[bytes, bool]:
    """What the child said before it ended, and whether the wall clock ran out first."""
    received = b""
    try:
        answer.settimeout(WAIT_SECONDS)
        while chunk := answer.recv(1 << 16):
            received += chunk
    except TimeoutError:
        return received, True
    finally:
        answer.close()
    return received, False


def read(path: Path, qpdf: tuple[str, ...] | None, names: tuple[str, ...] = (), text_pages: int = 0) -> Reading:
    """qpdf's job on ``path`` with the arguments ``qpdf`` (None: none), and the text of its first
    ``text_pages`` pages (0: none), in one budgeted child."""
    request = json.dumps({"path": str(path.resolve()), "qpdf": list(qpdf) if qpdf is not None else None,
                          "names": list(names), "pages": text_pages}).encode()
    received, late = _answer(_ask(request))
    if not received and not late and helper_pid() is None:  # the helper died, not the file's child
        received, late = _answer(_ask(request))
        if not received and not late and helper_pid() is None:
            raise RuntimeError(f"the PDF helper ({PROGRAM}) ends at its start: are libqpdf and libpoppler-glib there?")
    lines = [json.loads(line) for line in received.split(b"\n")[:-1]]  # whole lines: a child may stop mid-way
    job = next((Job(a["exit"], a["page_count"], tuple(a["found"])) for a in lines if "exit" in a), None)
    text = next((a["text"] for a in lines if "text" in a), None)
    return Reading(job, text, late)

"""The queue of SQLite's writers: one write transaction at a time per database file, its
waiters woken when the holder ends instead of polling.

SQLite's own busy handler sleeps and retries, 1 ms at first and then 100 ms at a time: with
sixteen requests writing at once, the lock often sat free while every waiter slept, and a
process whose threads kept handing it to each other starved another's waiters until their
timeout. In front of ``BEGIN IMMEDIATE`` each writer takes a thread lock (waiters of this
process sleep on it and the next is woken at release) and then an ``flock`` on a file beside
the database (the processes queue in the kernel, woken at release). SQLite's busy timeout
stays for writers that do not pass here (the ``sqlite3`` shell, a backup).

``flock`` has no time-out: a holder is a transaction of this code, bounded by the server's
worker time-out, and the kernel releases the lock of a process that dies.
"""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path


class Gate:
    def __init__(self, lock_file: Path | None) -> None:
        # A plain lock, released by whichever thread returns the connection to the pool; a write
        # opened inside another by the same thread waits its time-out, as it did on SQLite.
        self._thread_lock = threading.Lock()
        self._fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600) if lock_file is not None else None

    def acquire(self, timeout: float) -> None:
        if not self._thread_lock.acquire(timeout=timeout):
            raise TimeoutError("database is locked: no write transaction ended in time")
        if self._fd is not None:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)  # the GIL is released while it waits
            except BaseException:
                self._thread_lock.release()
                raise

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
        self._thread_lock.release()


_gates: dict[str, Gate] = {}
_gates_lock = threading.Lock()


def gate(database: str | None) -> Gate:
    """The gate of a database file (``None`` or ``:memory:``: this process's threads only)."""
    on_disk = bool(database) and database != ":memory:"
    key = str(Path(database).resolve()) if on_disk and database else ""
    with _gates_lock:
        found = _gates.get(key)
        if found is None:
            found = _gates[key] = Gate(Path(key + "-writer.lock") if on_disk else None)
        return found


def _forget() -> None:
    """A forked process opens its own lock file: an flock belongs to the open file, so a
    descriptor inherited from the parent would let both hold the lock at once."""
    global _gates_lock
    _gates_lock = threading.Lock()
    for found in _gates.values():
        if found._fd is not None:
            os.close(found._fd)
    _gates.clear()


os.register_at_fork(after_in_child=_forget)

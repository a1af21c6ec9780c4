"""PKCS#12 keys unlocked once per process and kept for a bounded time (issue 19: decrypting the
file, a PBKDF2, cost 74 ms of every signature, 18 % of an agency day's CPU).

An entry is found by the file (path, size, modification time: a replaced key is a new entry)
and by an HMAC of the password under a key made when the process starts, so a wrong password
is a miss that the file itself refuses, and nothing kept could unlock the file elsewhere. The
keys stay in this process's memory only, for ``TTL`` seconds after they were unlocked, at most
``MAX_ENTRIES`` of them; a fresh process unlocks the same file to the same key.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from signing.keystore.keys import KeySource

TTL = 900.0  # seconds: a leader's session of signings, not a day
MAX_ENTRIES = 256

Loader = Callable[[Path, str], KeySource]


class UnlockedKeys:
    def __init__(self, ttl: float = TTL, max_entries: int = MAX_ENTRIES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._ttl, self._max, self._clock = ttl, max_entries, clock
        self._secret = os.urandom(32)
        self._entries: OrderedDict[tuple[str, int, int, bytes], tuple[float, KeySource]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, path: Path, password: str, load: Loader) -> KeySource:
        """The key of ``path`` unlocked with ``password``: kept, or loaded now by ``load``
        (which raises for a wrong password or an unreadable file, as without the cache)."""
        try:
            stat = path.stat()
        except OSError:
            return load(path, password)  # the loader says, in Vietnamese, what is missing
        key = (str(path), stat.st_size, stat.st_mtime_ns,
               hmac.new(self._secret, password.encode(), hashlib.sha256).digest())
        now = self._clock()
        with self._lock:
            found = self._entries.get(key)
            if found is not None and now - found[0] < self._ttl:
                return found[1]
        source = load(path, password)
        with self._lock:
            self._entries[key] = (now, source)
            self._entries.move_to_end(key)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)
        return source

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


UNLOCKED = UnlockedKeys()

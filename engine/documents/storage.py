"""Content-addressed file storage under ``QLVB_DATA_DIR/files``: a file is stored once by
its SHA-256, whatever number of documents or records refer to it."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from engine.core.errors import InvalidData, Text

CHUNK = 1 << 16


class FileStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
            raise ValueError("not a SHA-256 digest")
        return self.root / sha256[:2] / sha256

    def put(self, stream: IO[bytes], max_bytes: int, check_head: Callable[[bytes], None],
            check_file: Callable[[Path], None] | None = None) -> tuple[str, int]:
        """Store ``stream``; returns its SHA-256 and size.

        The upload is written to a temporary file while hashed and counted, and only moved
        into place once complete and once ``check_head`` accepted its first kilobyte and
        ``check_file`` the whole, so a refused or broken upload leaves nothing behind.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size, head = hashlib.sha256(), 0, b""
        fd, tmp_name = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise InvalidData(
                            Text("Tệp quá lớn (tối đa %(n)s MB).", n=max_bytes // (1024 * 1024)),
                            {"file": "Tệp quá lớn."},
                        )
                    if len(head) < 1024:
                        head += chunk[: 1024 - len(head)]
                    digest.update(chunk)
                    tmp.write(chunk)
            check_head(head)
            if check_file is not None:
                check_file(Path(tmp_name))
            sha = digest.hexdigest()
            target = self.path(sha)
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.exists():
                os.unlink(tmp_name)
            else:
                os.replace(tmp_name, target)
            return sha, size
        except BaseException:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
            raise

"""Secrets a process reads from files, kept from the other users of the machine.

The operator names the file (``QLVB_…_FILE``), or hands it as a systemd credential:
``LoadCredential=<name>:/etc/qlvb/<file>`` in the unit, and systemd gives the service a copy in
``$CREDENTIALS_DIRECTORY``, readable by that service alone, while the original may stay root's
(mode 600) — no file readable by the service's user lying around, nothing in the environment
(``systemctl show`` and ``/proc/<pid>/environ`` would print it). A file anyone on the machine
may read is refused: what it holds is no secret."""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path

from engine.core.errors import InvalidData, Text

DIRECTORY = "CREDENTIALS_DIRECTORY"


def locate(env: Mapping[str, str], variable: str, credential: str) -> Path | None:
    """The file ``variable`` names, else the systemd credential ``credential`` when the service
    was given one, else None."""
    if env.get(variable):
        return Path(env[variable])
    folder = env.get(DIRECTORY)
    if folder and (Path(folder) / credential).is_file():
        return Path(folder) / credential
    return None


def read_secret(path: Path) -> str:
    """The first line of ``path``; refused when it cannot be read, is empty, or others than its
    owner and group may read or write it."""
    try:
        mode = path.stat().st_mode
        if mode & (stat.S_IROTH | stat.S_IWOTH):
            raise InvalidData(Text("Tệp bí mật %(path)s để mọi người trên máy đọc hoặc ghi được (quyền %(mode)s): "
                                   "đặt quyền 600 hoặc 640 (chmod o-rwx), hoặc dùng LoadCredential= của systemd.",
                                   path=str(path), mode=oct(stat.S_IMODE(mode))[2:]))
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise InvalidData(Text("Không đọc được tệp bí mật %(path)s: %(error)s", path=str(path),
                               error=type(err).__name__)) from None
    secret = lines[0].strip() if lines else ""
    if not secret:
        raise InvalidData(Text("Tệp bí mật %(path)s trống.", path=str(path)))
    return secret

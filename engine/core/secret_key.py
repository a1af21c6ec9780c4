"""The installation's secret key (it signs the pages' session cookies): ``QLVB_SECRET_KEY``, or a
key made once and kept in the data folder. It lives here, not in the web UI, because the backup
carries it too: a restored installation keeps its sessions' key."""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path

KEY_FILE = "secret_key"


def secret_key(data_dir: Path, env: Mapping[str, str]) -> str:
    """``QLVB_SECRET_KEY``, or a key made once and kept in the data folder, so that
    sessions survive a restart and every server process of one installation agrees."""
    given = env.get("QLVB_SECRET_KEY")
    if given:
        return given
    path = data_dir / KEY_FILE
    if not path.exists():
        install(data_dir, secrets.token_hex(32), replace=False)
    return path.read_text(encoding="ascii").strip()


def install(data_dir: Path, value: str, replace: bool = True) -> None:
    """Write the key file, readable by its owner only. Written aside and linked into place: two
    processes starting together keep one key; a restore (``replace``) puts its key over any."""
    draft = data_dir / f".{KEY_FILE}.{secrets.token_hex(8)}"
    draft.write_text(value, encoding="ascii")
    draft.chmod(0o600)
    try:
        if replace:
            os.replace(draft, data_dir / KEY_FILE)
        else:
            os.link(draft, data_dir / KEY_FILE)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)

"""Every file the application sends: its name in ``Content-Disposition`` per RFC 6266 (an
ASCII ``filename`` for old clients and the exact UTF-8 ``filename*``), made safe even when it
was stored before upload names were (engine/documents/filenames.py); the safety headers of every
response are set by webui/common/security.py."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from typing import IO
from urllib.parse import quote

from flask import Response, send_file

from engine.documents import filenames


def content_disposition(name: str, attachment: bool) -> str:
    name = filenames.safe(name)
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    ascii_name = "".join(c if c.isprintable() and c not in '"\\%' else "_" for c in ascii_name) or filenames.FALLBACK
    kind = "attachment" if attachment else "inline"
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def send(content: Path | IO[bytes], name: str, mimetype: str, attachment: bool = False) -> Response:
    response = send_file(content, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(name, attachment)
    return response

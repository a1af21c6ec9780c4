"""What makes two received packages "the same" (idempotent import, replay detection).

The bytes differ between two sendings of one package (a new XAdES SigningTime, another hop in
the TraceHeaderList, another serialisation); the content does not. :func:`content_digest` is
a SHA-256 over everything the sender states about the document (metadata, business type and
reason, each file's name, type and SHA-256) and nothing about its journey (trace headers).
The same DocumentId arriving again with another digest is a replay with different content.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from datetime import date, datetime
from enum import Enum

from .model import Attachment, Package


def _plain(value: object) -> object:
    if isinstance(value, Attachment):
        return {"content_id": value.content_id, "name": value.name, "media_type": value.media_type,
                "description": value.description, "sha256": value.sha256}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def content_digest(package: Package) -> str:
    """SHA-256 (hex) of the package's content, its trace headers left out."""
    content = _plain(dataclasses.replace(package, trace_headers=()))
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()

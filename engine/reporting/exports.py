"""A file made for download (a record's PDF, the statistics spreadsheet…): its bytes,
the name it is saved under and its media type."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Export:
    content: bytes
    filename: str
    media_type: str

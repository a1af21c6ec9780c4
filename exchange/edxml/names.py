"""Namespaces, element names and the standard's date formats (QCVN 102: ``yyyy/MM/dd``,
``yyyy/MM/dd HH:mm:ss``)."""

from __future__ import annotations

import re
from datetime import date, datetime

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
DSIG_NS = "http://www.w3.org/2000/09/xmldsig#"
XLINK_NS = "http://www.w3.org/1999/xlink"
# Our extension: the SHA-256 of each attachment, as an attribute of its manifest Reference
# (the standard's manifest has no checksum); foreign attributes are allowed by our XSD and
# ignored by tolerant readers.
QLVB_NS = "urn:qlvb:edxml:1"
SHA256_ATTR = f"{{{QLVB_NS}}}sha256"

ROOT = f"{{{NS}}}edXML"
CID = "cid:"


def q(name: str) -> str:
    """The qualified (Clark) name of an edXML element."""
    return f"{{{NS}}}{name}"


def ds(name: str) -> str:
    return f"{{{DSIG_NS}}}{name}"


def format_date(value: date) -> str:
    return f"{value:%Y/%m/%d}"


def format_timestamp(value: datetime) -> str:
    return f"{value:%Y/%m/%d %H:%M:%S}"


# Implementations differ in the separator (``/`` per the standard, ``-`` in ISO-minded ones):
# accept both, write the standard's.
_DATE = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})")
_TIMESTAMP = re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})[ T](\d{1,2}):(\d{2}):(\d{2})")


def parse_date(text: str) -> date:
    """``yyyy/MM/dd`` (or with ``-``); ValueError otherwise."""
    match = _DATE.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a date: {text!r}")
    return date(*(int(part) for part in match.groups()))


def parse_timestamp(text: str) -> datetime:
    """``yyyy/MM/dd HH:mm:ss`` (or with ``-`` and ``T``); ValueError otherwise."""
    match = _TIMESTAMP.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not a timestamp: {text!r}")
    year, month, day, hour, minute, second = (int(part) for part in match.groups())
    return datetime(year, month, day, hour, minute, second)


def strip_cid(value: str) -> str:
    """A content id without its ``cid:`` prefix (implementations write it both ways)."""
    value = value.strip()
    return value[len(CID):] if value.lower().startswith(CID) else value

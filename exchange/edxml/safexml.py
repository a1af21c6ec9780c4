"""Reading untrusted XML safely: a size limit checked before parsing, and lxml hardened.

The parser loads no DTD, resolves no entity (XXE, billion laughs), reaches no network, and any
document that declares a DTD at all is refused before libxml2 reads it. libxml2's ``huge_tree``
is on by default: without it a text node stops at 10 MB, so an attachment over ~7 MB (base64
grows by a third) could not be received. What its limits guarded against cannot happen here:
with no entity expanded, nothing in the tree is larger than the bytes it came from, and those
are counted against ``max_bytes`` before parsing (and may not exceed ``HUGE_CEILING`` with
``huge_tree``); nesting stays capped, at 2048 levels instead of 256.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from lxml import etree

from .errors import PackageRefused, Reason

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
HUGE_CEILING = 1024 * 1024 * 1024  # libxml2's own cap on a text node under huge_tree
_CHUNK = 1024 * 1024
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

Source = bytes | bytearray | memoryview | BinaryIO | Path | Iterable[bytes]


@dataclass(frozen=True)
class Limits:
    """What a receiver accepts: ``max_bytes`` a package, checked before parsing. ``huge_tree``
    (attachments over ~7 MB) only under a ceiling: an unbounded package never reaches libxml2
    with its limits lifted."""

    max_bytes: int = DEFAULT_MAX_BYTES
    huge_tree: bool = True

    def __post_init__(self) -> None:
        if self.huge_tree and not 0 < self.max_bytes <= HUGE_CEILING:
            raise ValueError(f"huge_tree needs a package limit of at most {HUGE_CEILING} bytes")


DEFAULT_LIMITS = Limits()


def parser(limits: Limits = DEFAULT_LIMITS) -> etree.XMLParser:
    # resolve_entities and load_dtd stay off whatever the limits: huge_tree relies on it.
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        dtd_validation=False,
        no_network=True,
        huge_tree=limits.huge_tree,
        remove_pis=True,
        # A comment inside a value would cut what .text reads ("abc<!---->def" reads "abc") while
        # canonical XML without comments, hence the signature, ignores it: comments go at parse.
        remove_comments=True,
        collect_ids=False,
    )


def _too_large(max_bytes: int) -> PackageRefused:
    limit = f"{max_bytes / 2**20:.4g} MB" if max_bytes >= 2**20 else f"{max_bytes} byte"
    return PackageRefused(Reason.TOO_LARGE, limit=limit)


def _read_stream(stream: BinaryIO | Iterable[bytes], max_bytes: int) -> bytes:
    """At most ``max_bytes`` from ``stream``: a longer one is refused after reading one byte
    past the limit, never loaded whole."""
    chunks: list[bytes] = []
    size = 0
    reader = getattr(stream, "read", None)
    pieces: Iterable[bytes] = iter(lambda: reader(_CHUNK) or b"", b"") if reader else stream
    for chunk in pieces:
        if not isinstance(chunk, bytes | bytearray | memoryview):
            raise TypeError(f"a package is bytes, not {type(chunk).__name__}")
        size += len(chunk)
        if size > max_bytes:
            raise _too_large(max_bytes)
        chunks.append(bytes(chunk))
    return b"".join(chunks)


def read_limited(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The package's bytes from memory, a file, a stream or an iterable of chunks, refused with
    ``TOO_LARGE`` past ``max_bytes`` (a file by its size, before reading it). A source that
    cannot be read (OSError, a client gone) is the receiver's trouble, not the package's:
    that error passes."""
    if isinstance(source, bytes | bytearray | memoryview):
        if len(source) > max_bytes:
            raise _too_large(max_bytes)
        return bytes(source)
    if isinstance(source, Path):
        if source.stat().st_size > max_bytes:
            raise _too_large(max_bytes)
        with source.open("rb") as stream:
            return _read_stream(stream, max_bytes)
    return _read_stream(source, max_bytes)


def parse_xml(data: bytes, limits: Limits = DEFAULT_LIMITS) -> etree._Element:
    """The root of ``data`` parsed safely, or :class:`PackageRefused` (``TOO_LARGE``,
    ``MALFORMED``, ``FORBIDDEN_DTD``)."""
    if len(data) > limits.max_bytes:  # whoever calls, never past the ceiling (read_limited checks it too)
        raise _too_large(limits.max_bytes)
    # A declaration anywhere is refused, before libxml2 spends anything on it.
    if _DTD.search(data):
        raise PackageRefused(Reason.FORBIDDEN_DTD)
    try:
        tree = etree.fromstring(data, parser(limits))
    except (etree.XMLSyntaxError, ValueError) as error:
        # libxml2 names the option that would lift its limits in the message of each.
        reason = Reason.PARSER_LIMIT if "XML_PARSE_HUGE" in str(error) else Reason.MALFORMED
        raise PackageRefused(reason) from error
    if tree is None:
        raise PackageRefused(Reason.MALFORMED)
    docinfo = tree.getroottree().docinfo
    # In another encoding (UTF-16) the byte search above does not see the declaration.
    if docinfo.doctype or docinfo.internalDTD is not None:
        raise PackageRefused(Reason.FORBIDDEN_DTD)
    return tree

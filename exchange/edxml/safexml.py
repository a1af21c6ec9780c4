"""Reading untrusted XML safely: a size limit checked before parsing, and lxml hardened.

The parser loads no DTD, resolves no entity (XXE, billion laughs), reaches no network, keeps
libxml2's limits on (``huge_tree`` off: no text node over 10 MB, no nesting over 256 levels),
and any document that declares a DTD at all is refused.
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
_CHUNK = 1024 * 1024
_DTD = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)

Source = bytes | bytearray | memoryview | BinaryIO | Path | Iterable[bytes]


@dataclass(frozen=True)
class Limits:
    """What a receiver accepts. ``huge_tree`` stays off unless an agency must receive single
    attachments over ~7 MB (libxml2 caps a text node at 10 MB, base64 grows by a third)."""

    max_bytes: int = DEFAULT_MAX_BYTES
    huge_tree: bool = False


DEFAULT_LIMITS = Limits()


def parser(limits: Limits = DEFAULT_LIMITS) -> etree.XMLParser:
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
    """The root of ``data`` parsed safely, or :class:`PackageRefused` (``MALFORMED``,
    ``FORBIDDEN_DTD``)."""
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

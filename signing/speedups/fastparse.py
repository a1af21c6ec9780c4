"""Faster readers for two kinds of PDF token in pyHanko's parser: hex strings and names.

pyHanko 0.38 reads both one byte at a time through generators. A signature's ``/Contents`` is a
hex string of several thousand digits (about 0.4 µs a digit); names are the commonest token of
all (dictionary keys). Measured on 2026-12-04 with cProfile and timers on an issued document:
the two ``/Contents`` took ~8 ms of its ~28 ms validation, and names ~40% of what was left of
parsing, which pyHanko's difference analysis does for every object of the signed revision.

These readers take a token at once with bytes operations and give the same object at the same
stream position. Anything unusual (a ``%`` comment or a stray byte in a hex string, no closing
``>``, a ``#`` escape or a byte outside ``!``..``~`` in a name) goes back to pyHanko's own
reader, so errors and edge cases stay exactly pyHanko's.

They replace ``pyhanko.pdf_utils.generic.read_hex_string_from_stream`` and
``NameObject.read_from_stream``, the names that pyHanko's ``read_object`` and
``DictionaryObject.read_from_stream`` look up at each token; only on the pyHanko version they
were checked against (setup.cfg pins it), since another version may parse differently.
"""

from __future__ import annotations

import binascii
import os
import re
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_DELIMITERS, PDF_WHITESPACE

_HEX_CHUNK = 16384
_NAME_CHUNK = 64
_HEX_DIGITS = generic.HEX_DIGITS
_NAME_END = re.compile(b"[" + re.escape(PDF_WHITESPACE + PDF_DELIMITERS) + b"]")
_PLAIN_NAME = re.compile(rb"[\x21-\x22\x24-\x7e]*")  # printable ASCII but "#": nothing to decode
_pyhanko_hex_reader = generic.read_hex_string_from_stream
_pyhanko_name_reader = generic.NameObject.read_from_stream


def read_hex_string(stream: Any) -> generic.ByteStringObject | generic.TextStringObject:
    """The hex string starting at ``stream``'s position (on its ``<``), read as pyHanko does,
    the stream left just after its ``>``."""
    start = stream.tell()
    stream.read(1)  # the opening "<"
    body = bytearray()
    while True:
        chunk = stream.read(_HEX_CHUNK)
        end = chunk.find(b">")
        if end >= 0:
            body += chunk[:end]
            after = len(chunk) - end - 1  # bytes read past the closing ">"
            break
        if not chunk:  # no ">" before the end: pyHanko says what is wrong
            return _fallback(_pyhanko_hex_reader, stream, start)
        body += chunk
    digits = bytes(body).translate(None, PDF_WHITESPACE)
    # a byte that is not a hex digit, or a "%" comment (which may even hold the ">" found)
    if digits.translate(None, _HEX_DIGITS):
        return _fallback(_pyhanko_hex_reader, stream, start)
    stream.seek(-after, os.SEEK_CUR)
    if len(digits) % 2:
        digits += b"0"  # an odd last digit counts as followed by 0 (ISO 32000-1, 7.3.4.3)
    return generic.pdf_string(binascii.unhexlify(digits))


def read_name(stream: Any) -> generic.NameObject:
    """The name starting at ``stream``'s position (on its ``/``), read as pyHanko does, the
    stream left on the whitespace or delimiter that ends it (or at the end of the stream)."""
    start = stream.tell()
    if stream.read(1) != b"/":
        return _fallback(_pyhanko_name_reader, stream, start)
    name = b""
    while True:
        chunk = stream.read(_NAME_CHUNK)
        end = _NAME_END.search(chunk)
        if end is not None:
            name += chunk[:end.start()]
            stream.seek(end.start() - len(chunk), os.SEEK_CUR)
            break
        if not chunk:  # the end of the stream ends the name
            break
        name += chunk
    if not _PLAIN_NAME.fullmatch(name):  # "#" escapes, or bytes pyHanko refuses
        return _fallback(_pyhanko_name_reader, stream, start)
    return generic.NameObject("/" + name.decode("ascii"))


def _fallback(reader: Any, stream: Any, start: int) -> Any:
    stream.seek(start)
    return reader(stream)


def install() -> None:
    """Make pyHanko's parser use these readers (``signing`` does, on the pyHanko version they
    were checked against). Idempotent."""
    generic.read_hex_string_from_stream = read_hex_string
    generic.NameObject.read_from_stream = staticmethod(read_name)  # type: ignore[method-assign]


def installed() -> bool:
    return (generic.read_hex_string_from_stream is read_hex_string
            and generic.NameObject.read_from_stream is read_name)

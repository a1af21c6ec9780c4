"""A faster reader for PDF hex strings, for pyHanko's parser.

pyHanko 0.38 reads a hex string ``<…>`` one byte at a time through a generator, about 0.4 µs a
digit. A signature's ``/Contents`` is one such string of several thousand digits, so reading the
two signature dictionaries of an issued document took ~8 ms of its ~28 ms validation (measured
with cProfile and timers on 2026-12-04). This reader takes the whole string at once with bytes
operations and gives the same object at the same stream position. Anything unusual (a ``%``
comment inside the string, a byte that is neither a hex digit nor PDF whitespace, no closing
``>``) goes back to pyHanko's own reader, so errors and edge cases stay exactly pyHanko's.

It replaces ``pyhanko.pdf_utils.generic.read_hex_string_from_stream``, the name that pyHanko's
``read_object`` looks up for every ``<`` that does not open a dictionary; only on the pyHanko
version it was checked against (setup.cfg pins it), since another version may parse differently.
"""

from __future__ import annotations

import binascii
import os
from typing import Any

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PDF_WHITESPACE
from pyhanko.version import __version__ as pyhanko_version

CHECKED_VERSION = "0.38.0"
_CHUNK = 16384
_HEX_DIGITS = generic.HEX_DIGITS
_pyhanko_reader = generic.read_hex_string_from_stream


def read_hex_string(stream: Any) -> generic.ByteStringObject | generic.TextStringObject:
    """The hex string starting at ``stream``'s position (on its ``<``), read as pyHanko does,
    the stream left just after its ``>``."""
    start = stream.tell()
    stream.read(1)  # the opening "<"
    body = bytearray()
    while True:
        chunk = stream.read(_CHUNK)
        end = chunk.find(b">")
        if end >= 0:
            body += chunk[:end]
            after = len(chunk) - end - 1  # bytes read past the closing ">"
            break
        if not chunk:  # no ">" before the end: pyHanko says what is wrong
            return _fallback(stream, start)
        body += chunk
    digits = bytes(body).translate(None, PDF_WHITESPACE)
    # a byte that is not a hex digit, or a "%" comment (which may even hold the ">" found)
    if digits.translate(None, _HEX_DIGITS):
        return _fallback(stream, start)
    stream.seek(-after, os.SEEK_CUR)
    if len(digits) % 2:
        digits += b"0"  # an odd last digit counts as followed by 0 (ISO 32000-1, 7.3.4.3)
    return generic.pdf_string(binascii.unhexlify(digits))


def _fallback(stream: Any, start: int) -> generic.ByteStringObject | generic.TextStringObject:
    stream.seek(start)
    return _pyhanko_reader(stream)


def install() -> bool:
    """Make pyHanko's parser use :func:`read_hex_string`; True if it does (it is left alone on
    another pyHanko version). Idempotent."""
    if pyhanko_version != CHECKED_VERSION:
        return False
    generic.read_hex_string_from_stream = read_hex_string
    return True


def installed() -> bool:
    return generic.read_hex_string_from_stream is read_hex_string

"""Faster readers for three kinds of PDF token in pyHanko's parser: hex strings, names and arrays
of numbers.

pyHanko 0.38 reads both one byte at a time through generators. A signature's ``/Contents`` is a
hex string of several thousand digits (about 0.4 µs a digit); names are the commonest token of
all (dictionary keys). Measured on 2026-12-04 with cProfile and timers on an issued document:
the two ``/Contents`` took ~8 ms of its ~28 ms validation, and names ~40% of what was left of
parsing, which pyHanko's difference analysis does for every object of the signed revision.

An array of numbers alone (a font's ``/Widths`` or ``/W``, a ``/Rect``) is read element by
element through ``read_object``, which peeks 20 bytes at every number for an indirect reference:
a Decree 30 draft's three fonts' ``/Widths`` took ~1.2 of the ~5 ms the difference analysis
spends reading an issued document's objects (2026-12-08).

These readers take a token at once with bytes operations and give the same object at the same
stream position. Anything unusual (a ``%`` comment or a stray byte in a hex string, no closing
``>``, a ``#`` escape or a byte outside ``!``..``~`` in a name, an array holding anything but plain
numbers, longer than a chunk, or in a content stream) goes back to pyHanko's own reader, so
errors and edge cases stay exactly pyHanko's.

They replace ``pyhanko.pdf_utils.generic.read_hex_string_from_stream``,
``NameObject.read_from_stream`` and ``ArrayObject.read_from_stream``, the names that pyHanko's ``read_object`` and
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
_ARRAY_CHUNK = 4096
_SPACE = rb"[\x00\t\n\x0c\r ]"  # PDF's white-space characters
_NUMBER = rb"[+-]?+(?:\d++(?:\.\d*+)?+|\.\d++)"
# "[", numbers each ended by white space or "]", "]": no "R" (a reference), no "%" (a comment).
# Possessive throughout: a number splits one way only, so a long array that fails to match (no
# "]" within the chunk) fails in one pass, not by trying every split of every number.
_NUMBERS = re.compile(rb"\[((?:" + _SPACE + rb"*+" + _NUMBER + rb"(?=[\x00\t\n\x0c\r \]]))*+)" + _SPACE +
                      rb"*+\]")
_A_NUMBER = re.compile(_NUMBER)
_pyhanko_hex_reader = generic.read_hex_string_from_stream
_pyhanko_name_reader = generic.NameObject.read_from_stream
_pyhanko_array_reader = generic.ArrayObject.read_from_stream


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


def read_array(stream: Any, container_ref: Any,
               in_content_stream: generic.ContentOpReading = generic.ContentOpReading.NO) -> generic.ArrayObject:
    """The array starting at ``stream``'s position (on its ``[``), read as pyHanko does: each
    number a ``FloatObject`` if it has a dot, else a ``NumberObject``, with ``container_ref``
    (as ``read_object`` gives it), the stream left just after the ``]``."""
    start = stream.tell()
    if in_content_stream == generic.ContentOpReading.NO:
        found = _NUMBERS.match(stream.read(_ARRAY_CHUNK))
        if found is not None:
            stream.seek(start + found.end())
            array = generic.ArrayObject()
            for token in _A_NUMBER.findall(found.group(1)):
                text = token.decode("ascii")
                value = generic.FloatObject(text) if b"." in token else generic.NumberObject(text)
                value.container_ref = container_ref
                array.append(value)
            return array
        stream.seek(start)
    return _pyhanko_array_reader(stream, container_ref, in_content_stream=in_content_stream)


def _fallback(reader: Any, stream: Any, start: int) -> Any:
    stream.seek(start)
    return reader(stream)


def install() -> None:
    """Make pyHanko's parser use these readers (``signing`` does, on the pyHanko version they
    were checked against). Idempotent."""
    generic.read_hex_string_from_stream = read_hex_string
    generic.NameObject.read_from_stream = staticmethod(read_name)  # type: ignore[method-assign]
    generic.ArrayObject.read_from_stream = staticmethod(read_array)  # type: ignore[method-assign]


def installed() -> bool:
    return (generic.read_hex_string_from_stream is read_hex_string
            and generic.NameObject.read_from_stream is read_name
            and generic.ArrayObject.read_from_stream is read_array)

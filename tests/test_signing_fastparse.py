"""The fast readers of hex strings, names and arrays of numbers give exactly what pyHanko's own readers give: the
same object, the same stream position afterwards, the same error on malformed input; and
pyHanko's parser uses them."""

from __future__ import annotations

import io
import random
from collections.abc import Callable

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfReadError

from signing.speedups import fastparse


def _outcome(reader: Callable[[io.BytesIO], object], data: bytes) -> tuple[object, ...]:
    stream = io.BytesIO(data)
    try:
        value = reader(stream)
    except PdfReadError as err:  # PdfStreamError is one
        return "error", type(err).__name__, str(err), stream.tell()
    raw = bytes(value.original_bytes) if isinstance(value, generic.ByteStringObject | generic.TextStringObject) \
        else value
    return "value", type(value).__name__, raw, stream.tell()


HEX_CASES = [
    b"<>", b"<41>", b"<4>", b"<414>", b"< 4 1\n4\r2\t\f\x0043 >", b"<FEFF00410042>rest", b"<feff0041>",
    b"<41> <42>", b"<41 % a comment > with a bracket\n 42>", b"<41%c\r42>", b"<4G>", b"<41 4x>",
    b"<41", b"<", b"<41 42 43", b"<41)>", b"<" + b"ab" * 50000 + b">tail",
]
NAME_CASES = [
    b"/", b"/Type", b"/Type/Sig", b"/Type ", b"/Type\n", b"/A#20B", b"/A#2", b"/A#zz", b"/A#23#41", b"/Caf\xc3\xa9",
    b"/Lat\xe9", b"/ctl\x7f", b"/A(b)", b"/A<", b"/A]", b"/A%c", b"/" + b"N" * 200 + b" x", b"/" + b"N" * 64,
    b"/" + b"N" * 63 + b"#41/", b"Type", b"",
]


@pytest.mark.parametrize("data", HEX_CASES, ids=range(len(HEX_CASES)))
def test_hex_strings_as_pyhanko_reads_them(data: bytes) -> None:
    assert _outcome(fastparse.read_hex_string, data) == _outcome(fastparse._pyhanko_hex_reader, data)


@pytest.mark.parametrize("data", NAME_CASES, ids=range(len(NAME_CASES)))
def test_names_as_pyhanko_reads_them(data: bytes) -> None:
    assert _outcome(fastparse.read_name, data) == _outcome(fastparse._pyhanko_name_reader, data)


def test_random_tokens_as_pyhanko_reads_them() -> None:
    rng = random.Random(20261204)
    hex_alphabet = b"0123456789abcdefABCDEF" * 4 + b" \n\r\t\f\x00" + b"%>g("
    name_alphabet = bytes(range(0x21, 0x7F)) + b"#" * 10 + b" /\x00\x7f\xe9\xc3\xa9"
    for _ in range(3000):
        body = bytes(rng.choice(hex_alphabet) for _ in range(rng.randrange(0, 60)))
        data = b"<" + body + rng.choice([b">", b">>", b"> /Name", b""])
        assert _outcome(fastparse.read_hex_string, data) == _outcome(fastparse._pyhanko_hex_reader, data), data
        data = b"/" + bytes(rng.choice(name_alphabet) for _ in range(rng.randrange(0, 150)))
        assert _outcome(fastparse.read_name, data) == _outcome(fastparse._pyhanko_name_reader, data), data


ARRAY_CASES = [
    b"[]", b"[ ]", b"[0 0 595 842]", b"[777.832 389.1602 -3 +2. .5 -.25 5.]rest", b"[1 2]", b"[\n1\r2\t3\f4\x005 ]",
    b"[1 0 R 2 0 R]", b"[1 0 R]", b"[1 [2 3] 4]", b"[/XYZ 90 333.977 null]", b"[1 % comment\n2]", b"[1.2.3]",
    b"[--5]", b"[1-2]", b"[1 2", b"[1 2 3 R]", b"[12 0 Rx]", b"[" + b"500 " * 1500 + b"]", b"[" + b"7 " * 1000 + b"]",
    b"[1 true]", b"[(a) 1]", b"[<41> 1]",
]
_CONTAINER = generic.Reference(7, 0)


def _array(value: object) -> object:
    if isinstance(value, list):
        return [_array(v) for v in value]
    shown: object = str(value)
    if " object at 0x" in str(shown):  # null and operators: their str names their address
        shown = {k: v for k, v in vars(value).items() if k != "container_ref"}
    return type(value).__name__, shown, getattr(value, "container_ref", None) == _CONTAINER


def _array_outcome(reader: Callable[..., object], data: bytes,
                   reading: generic.ContentOpReading = generic.ContentOpReading.NO) -> tuple[object, ...]:
    stream = io.BytesIO(data)
    try:
        value = reader(stream, _CONTAINER, in_content_stream=reading)
    except (PdfReadError, ArithmeticError, ValueError) as err:  # "1.2.3": decimal.InvalidOperation
        return "error", type(err).__name__, str(err), stream.tell()
    return "value", type(value).__name__, _array(value), stream.tell()


@pytest.mark.parametrize("data", ARRAY_CASES, ids=range(len(ARRAY_CASES)))
def test_arrays_as_pyhanko_reads_them(data: bytes) -> None:
    for reading in (generic.ContentOpReading.NO, generic.ContentOpReading.GRAPHIC_OPS):
        assert _array_outcome(fastparse.read_array, data, reading) == \
            _array_outcome(fastparse._pyhanko_array_reader, data, reading)


def test_random_arrays_as_pyhanko_reads_them() -> None:
    rng = random.Random(20261208)
    parts = [b"0", b"12", b"-3", b"+4", b"5.", b".5", b"-.25", b"777.832", b"1.2.3", b"--1", b"R", b"0 R", b"%c\n",
             b"/N", b"null", b"[", b"]"]
    spaces = [b" ", b"\n", b"\r\n", b"\t", b"\x00", b""]
    for _ in range(3000):
        body = b"".join(rng.choice(parts) + rng.choice(spaces) for _ in range(rng.randrange(0, 20)))
        data = b"[" + rng.choice(spaces) + body + rng.choice([b"]", b"] 1", b""])
        assert _array_outcome(fastparse.read_array, data) == _array_outcome(fastparse._pyhanko_array_reader, data), \
            data


def test_installed_in_pyhankos_parser() -> None:
    # setup.cfg pins the pyHanko version they were checked against; on another one this fails,
    # as a reminder to check them again
    assert fastparse.installed()
    obj = generic.read_object(io.BytesIO(b"[<4142> <</K#20ey <43>/N/V/W [1 2.5]>>]"), generic.TrailerReference(None))
    assert obj == ["AB", {"/K ey": "C", "/N": "/V", "/W": [1, 2.5]}]

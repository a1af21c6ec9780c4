"""The fast readers of hex strings and names give exactly what pyHanko's own readers give: the
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


def test_installed_in_pyhankos_parser() -> None:
    # setup.cfg pins the pyHanko version they were checked against; on another one this fails,
    # as a reminder to check them again
    assert fastparse.installed()
    obj = generic.read_object(io.BytesIO(b"[<4142> <</K#20ey <43>/N/V>>]"), generic.TrailerReference(None))
    assert obj == ["AB", {"/K ey": "C", "/N": "/V"}]

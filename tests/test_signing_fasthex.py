"""The fast hex-string reader gives exactly what pyHanko's own reader gives: the same object, the
same stream position afterwards, the same error on malformed input; and pyHanko's parser uses it."""

from __future__ import annotations

import io
import random

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.misc import PdfStreamError

from signing import fasthex

_pyhanko = fasthex._pyhanko_reader


def _outcome(reader: object, data: bytes) -> tuple[str, object, object, int]:
    stream = io.BytesIO(data)
    try:
        value = reader(stream)  # type: ignore[operator]
    except PdfStreamError as err:
        return "error", type(err).__name__, str(err), stream.tell()
    return "value", type(value).__name__, bytes(value.original_bytes), stream.tell()


CASES = [
    b"<>", b"<41>", b"<4>", b"<414>", b"< 4 1\n4\r2\t\f\x0043 >", b"<FEFF00410042>rest", b"<feff0041>",
    b"<41> <42>", b"<41 % a comment > with a bracket\n 42>", b"<41%c\r42>", b"<4G>", b"<41 4x>",
    b"<41", b"<", b"<41 42 43", b"<41)>", b"<" + b"ab" * 50000 + b">tail",
]


@pytest.mark.parametrize("data", CASES, ids=range(len(CASES)))
def test_same_as_pyhanko_on_edge_cases(data: bytes) -> None:
    assert _outcome(fasthex.read_hex_string, data) == _outcome(_pyhanko, data)


def test_same_as_pyhanko_on_random_strings() -> None:
    rng = random.Random(20261204)
    alphabet = b"0123456789abcdefABCDEF" * 4 + b" \n\r\t\f\x00" + b"%>g("
    for _ in range(3000):
        body = bytes(rng.choice(alphabet) for _ in range(rng.randrange(0, 60)))
        data = b"<" + body + rng.choice([b">", b">>", b"> /Name", b""])
        assert _outcome(fasthex.read_hex_string, data) == _outcome(_pyhanko, data), data


def test_installed_in_pyhankos_parser() -> None:
    # setup.cfg pins the pyHanko version it was checked against; on another one this fails,
    # as a reminder to check it again
    assert fasthex.installed()
    obj = generic.read_object(io.BytesIO(b"[<4142> <<\x2fK <43>>>]"), generic.TrailerReference(None))  # type: ignore[arg-type]
    assert isinstance(obj, generic.ArrayObject)
    assert bytes(obj[0].original_bytes) == b"AB"
    assert bytes(obj[1]["/K"].original_bytes) == b"C"

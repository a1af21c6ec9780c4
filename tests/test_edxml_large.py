"""Large attachments (issue 15): a file over ~7 MB is over libxml2's 10 MB text node once in
base64, so the receiver parses with ``huge_tree``, which it allows only under a byte ceiling
counted before parsing, entities and DTDs staying refused (tests/test_edxml_refusals.py runs
the attacks with these same default limits)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.serialization import Encoding

from engine.core.config import Settings
from exchange import codec, inbound
from exchange.edxml import DEFAULT_LIMITS, Limits, PackageRefused, Reason, build, parse
from exchange.edxml.safexml import HUGE_CEILING, parse_xml
from exchange.importing import Refused
from exchange.received import Incoming
from tests.edxml_support import SENDER, sender_key, small_package, trust
from tests.test_edxml_refusals import refused

APPENDIX = 20 * 1024 * 1024


@pytest.fixture(scope="module")
def large() -> tuple[bytes, bytes]:
    """A signed package whose appendix is 20 MB (27 MB of base64 in one text node)."""
    appendix = os.urandom(APPENDIX)  # the library reads the bytes, not the PDF
    package = small_package()
    main, second = package.attachments
    return appendix, build(replace(package, attachments=(main, replace(second, data=appendix))), sender_key())


def test_a_20_mb_attachment_parses_and_its_signature_verifies(large: tuple[bytes, bytes]) -> None:
    appendix, data = large
    assert len(data) > APPENDIX * 4 // 3
    assert DEFAULT_LIMITS.huge_tree
    parsed = parse(data, trust=trust)
    assert parsed.attachments[1].data == appendix
    # One base64 character changed deep inside the big text: the signature no longer holds.
    tag = b"<ContentTransferEncoded>"
    position = data.index(tag, data.index(b"Phu-luc-I.pdf") + 1) + len(tag) + APPENDIX // 2
    changed = data[:position] + (b"A" if data[position:position + 1] != b"A" else b"B") + data[position + 1:]
    refused(changed, Reason.BAD_SIGNATURE)


def test_without_huge_tree_libxml2_stops_at_the_big_text_node(large: tuple[bytes, bytes]) -> None:
    refused(large[1], Reason.PARSER_LIMIT, limits=Limits(huge_tree=False))


def test_the_byte_ceiling_holds_before_parsing(large: tuple[bytes, bytes]) -> None:
    data = large[1]
    refused(data, Reason.TOO_LARGE, limits=Limits(max_bytes=len(data) - 1))
    with pytest.raises(PackageRefused) as caught:  # called directly, the parser's entry checks it too
        parse_xml(data, Limits(max_bytes=len(data) - 1))
    assert caught.value.reason is Reason.TOO_LARGE
    with pytest.raises(ValueError):
        Limits(max_bytes=HUGE_CEILING + 1)
    assert Limits(max_bytes=HUGE_CEILING + 1, huge_tree=False).max_bytes > HUGE_CEILING


def test_the_platform_receives_it_under_its_upload_limit(large: tuple[bytes, bytes], tmp_path: Path) -> None:
    appendix, data = large
    settings = Settings(database_url="sqlite://", data_dir=tmp_path)  # QLVB_MAX_UPLOAD_MB 50 by default
    pem = sender_key().certificate.public_bytes(Encoding.PEM).decode()
    incoming = codec.parse(data, pem, inbound.package_limit(settings))
    assert isinstance(incoming, Incoming) and incoming.sender_organ == SENDER.organ_id
    assert incoming.files[1].data == appendix
    # Under a 10 MB upload limit the same package is too large for the platform, refused as such.
    small = replace(settings, max_upload_bytes=10 * 1024 * 1024)
    with pytest.raises(Refused) as caught:
        codec.parse(data, pem, inbound.package_limit(small))
    assert "dung lượng" in caught.value.reason

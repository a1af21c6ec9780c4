"""edXML packages built and parsed back (issue 15 item 1): the same metadata, the same bytes."""

from __future__ import annotations

from pathlib import Path

import pytest

from exchange.edxml import Package, StatusPackage, build, parse, parse_any, parse_status
from tests.edxml_support import realistic_package, sender_key, trust

SAMPLES = Path(__file__).resolve().parents[2] / "shared" / "standards"


def test_signed_package_parses_back_to_the_same_package() -> None:
    package = realistic_package()
    parsed = parse(build(package, sender_key()), trust=trust)
    assert parsed == package
    assert [a.data for a in parsed.attachments] == [a.data for a in package.attachments]
    assert parsed.attachments[0].data.startswith(b"%PDF")


@pytest.mark.parametrize(("name", "kind"), [("edoc", Package), ("status", StatusPackage)])
def test_the_standards_samples_parse(name: str, kind: type) -> None:
    sample = SAMPLES / f"edxml_{name}_sample.xml"
    if not sample.exists():
        pytest.skip("shared/standards is not beside this checkout")
    # The samples' signature is a placeholder ("..."): read them without a trust store.
    parsed = parse_any(sample, trust=None)
    assert isinstance(parsed, kind)


def test_edoc_sample_fields() -> None:
    sample = SAMPLES / "edxml_edoc_sample.xml"
    if not sample.exists():
        pytest.skip("shared/standards is not beside this checkout")
    package = parse(sample, trust=None)
    assert package.document_id == "000.00.00.H41,2024/03/05,12/UBND-VX"
    assert package.code == "12/UBND-VX"
    assert package.signer.competence == "KT. CHỦ TỊCH"
    assert [organ.organ_id for organ in package.to] == ["000.00.00.G22"]
    assert package.attachments[0].name == "12-UBND-VX.signed.pdf"


def test_status_sample_fields() -> None:
    sample = SAMPLES / "edxml_status_sample.xml"
    if not sample.exists():
        pytest.skip("shared/standards is not beside this checkout")
    status = parse_status(sample, trust=None)
    assert status.status_code == "01"
    assert status.document_id == "000.00.00.G22,2018/09/20,7816/VPCP-TTĐT"
    assert status.to_organ_id == "000.00.00.G22"

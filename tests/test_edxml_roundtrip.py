"""edXML packages built and parsed back (issue 15 item 1): the same metadata, the same bytes."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from lxml import etree

from exchange.edxml import Package, PackageRefused, StatusPackage, build, parse, parse_any, parse_status
from tests.edxml_support import edit, find, realistic_package, sender_key, small_package, trust

SAMPLES = Path(__file__).resolve().parent / "data" / "edxml"  # the standard's two samples (../shared/standards)


def test_signed_package_parses_back_to_the_same_package() -> None:
    package = realistic_package()
    parsed = parse(build(package, sender_key()), trust=trust)
    assert parsed == package
    assert [a.data for a in parsed.attachments] == [a.data for a in package.attachments]
    assert parsed.attachments[0].data.startswith(b"%PDF")


@pytest.mark.parametrize(("name", "kind"), [("edoc", Package), ("status", StatusPackage)])
def test_the_standards_samples_parse(name: str, kind: type) -> None:
    sample = SAMPLES / f"edxml_{name}_sample.xml"
    # The samples' signature is a placeholder ("..."): read them without a trust store.
    parsed = parse_any(sample, trust=None)
    assert isinstance(parsed, kind)


def test_edoc_sample_fields() -> None:
    sample = SAMPLES / "edxml_edoc_sample.xml"
    package = parse(sample, trust=None)
    assert package.document_id == "000.00.00.H41,2024/03/05,12/UBND-VX"
    assert package.code == "12/UBND-VX"
    assert package.signer.competence == "KT. CHỦ TỊCH"
    assert [organ.organ_id for organ in package.to] == ["000.00.00.G22"]
    assert package.attachments[0].name == "12-UBND-VX.signed.pdf"


def test_status_sample_fields() -> None:
    sample = SAMPLES / "edxml_status_sample.xml"
    status = parse_status(sample, trust=None)
    assert status.status_code == "01"
    assert status.document_id == "000.00.00.G22,2018/09/20,7816/VPCP-TTĐT"
    assert status.to_organ_id == "000.00.00.G22"


def test_sources_bytes_path_stream_and_chunks(tmp_path: Path) -> None:
    data = build(small_package(), sender_key())
    (tmp_path / "package.edxml").write_bytes(data)
    chunks = [data[i:i + 1000] for i in range(0, len(data), 1000)]
    for source in (data, tmp_path / "package.edxml", io.BytesIO(data), iter(chunks)):
        assert parse(source, trust=trust) == small_package()


def test_dates_written_with_dashes_are_read() -> None:
    """Implementations differ: yyyy-MM-dd and yyyy-MM-ddTHH:mm:ss are accepted too."""
    def dashes(root: etree._Element) -> None:
        find(root, "PromulgationInfo/PromulgationDate").text = "2026-03-02"
        find(root, "TraceHeader/Timestamp").text = "2026-03-02T15:04:05"

    assert parse(edit(build(small_package()), dashes), trust=None) == small_package()


def test_parsing_in_threads_gives_each_its_own_answer() -> None:
    """Waitress serves requests in threads: parsers and the schema are per call or per thread."""
    good = build(small_package(), sender_key())
    bad = edit(build(small_package()), lambda root: setattr(find(root, "OtherInfo/Priority"), "text", "9"))

    def work(index: int) -> str:
        try:
            return parse(good if index % 2 else bad, trust=None if index % 2 == 0 else trust).document_id
        except PackageRefused as refusal:
            return refusal.code

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(16)))
    assert results == [small_package().document_id if index % 2 else "SCHEMA" for index in range(16)]


def test_a_source_that_cannot_be_read_is_the_receivers_error(tmp_path: Path) -> None:
    """Not the package's fault, so not a refusal sent back to the sender: the error passes."""
    with pytest.raises(FileNotFoundError):
        parse(tmp_path / "gone.edxml", trust=trust)
    with pytest.raises(TypeError):  # a text stream, ended or not, is a programming error
        parse(io.StringIO("<edXML/>"), trust=trust)  # type: ignore[arg-type]

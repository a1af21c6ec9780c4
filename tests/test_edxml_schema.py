"""Our XSD (exchange/edxml/xsd/edxml.xsd) accepts the standard's samples and every package we
build (each business type, each status), and refuses what breaks the structure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from lxml import etree

from exchange.edxml import (
    Business,
    BusinessDocType,
    Organ,
    OtherInfo,
    PackageRefused,
    ReceiverChange,
    Replacement,
    ResponseFor,
    StaffInfo,
    Status,
    StatusPackage,
    UpdateInfo,
    build,
    build_status,
    parse,
    parse_status,
)
from exchange.edxml.schema import schema, validate
from tests.edxml_support import RECEIVERS, SENDER, edit, find, small_package

SAMPLES = Path(__file__).resolve().parent / "data" / "edxml"  # the standard's two samples (../shared/standards)
RECALLED = "000.00.00.H41,2026/02/10,05/UBND-VX"


def valid(data: bytes) -> bool:
    return bool(schema().validate(etree.fromstring(data)))


@pytest.mark.parametrize("name", ["edoc", "status"])
def test_the_samples_are_valid(name: str) -> None:
    sample = SAMPLES / f"edxml_{name}_sample.xml"
    validate(etree.parse(str(sample)).getroot())


BUSINESSES = {
    "new": Business(reason="Văn bản điện tử mới"),
    "recall": Business(doc_type=BusinessDocType.RECALL, reason="Thu hồi do sai sót nơi nhận", document_id=RECALLED),
    "update": Business(
        doc_type=BusinessDocType.UPDATE, reason="Bổ sung nơi nhận", document_id=RECALLED,
        update=UpdateInfo(document_receiver=True, receivers=(ReceiverChange("000.00.00.H40", added=True),
                                                             ReceiverChange("000.00.00.G22", added=False))),
        staff=StaffInfo(department="Văn thư", staff="Nguyễn Thị Bình"),
    ),
    "replace": Business(
        doc_type=BusinessDocType.REPLACE, reason="Thay thế văn bản có sai sót", paper=1,
        replaces=(Replacement(RECALLED, organ_ids=("000.00.00.G22", "000.00.00.H40")),),
    ),
}


@pytest.mark.parametrize("kind", sorted(BUSINESSES))
def test_each_business_type_is_valid_and_round_trips(kind: str) -> None:
    package = replace(small_package(), business=BUSINESSES[kind])
    data = build(package)
    assert valid(data)
    assert parse(data, trust=None) == package


@pytest.mark.parametrize("status", list(Status), ids=lambda status: status.code)
def test_each_status_is_valid_and_round_trips(status: Status) -> None:
    package = StatusPackage(
        response_for=ResponseFor(organ_id=SENDER.organ_id, code="12/UBND-VX", promulgation_date=date(2026, 3, 2),
                                 document_id="000.00.00.H41,2026/03/02,12/UBND-VX"),
        from_organ=RECEIVERS[0], status_code=status.code, timestamp=datetime(2026, 3, 2, 16, 30, 0),
        description=f"Văn thư: {status.name_vi}",
        staff=StaffInfo(department="Văn thư", staff="Lê Văn Cường", mobile="0912000002", email="vt@vpcp.gov.vn"),
    )
    data = build_status(package)
    assert valid(data)
    assert parse_status(data, trust=None) == package


def test_minimal_package_without_optional_parts_is_valid() -> None:
    package = replace(small_package(), to=(), due_date=None, to_places=(), response_for=(), attachments=(),
                      trace_headers=())
    data = build(package)
    assert valid(data)
    assert parse(data, trust=None) == package


@pytest.mark.parametrize(("path", "value"), [
    ("OtherInfo/Priority", "5"),
    ("Bussiness/BussinessDocType", "4"),
    ("DocumentType/Type", "công văn"),
    ("TraceHeader/Timestamp", "hôm qua"),
    ("From/OrganId", ""),
])
def test_values_out_of_their_range_are_refused(path: str, value: str) -> None:
    data = edit(build(small_package()), lambda root: setattr(find(root, path), "text", value))
    assert not valid(data)
    with pytest.raises(PackageRefused) as caught:
        parse(data, trust=None)
    assert caught.value.code == "SCHEMA"


def test_elements_out_of_order_are_refused() -> None:
    def swap(root: etree._Element) -> None:
        header = find(root, "MessageHeader")
        subject = find(header, "Subject")
        header.remove(subject)
        header.append(subject)

    data = edit(build(small_package()), swap)
    with pytest.raises(PackageRefused) as caught:
        parse(data, trust=None)
    assert caught.value.code == "SCHEMA"


def test_status_code_outside_01_16_is_refused() -> None:
    status = StatusPackage(
        response_for=small_package().response_for[0], from_organ=SENDER, status_code="01",
        timestamp=datetime(2026, 3, 2, 16, 30, 0),
    )
    data = edit(build_status(status), lambda root: setattr(find(root, "Status/StatusCode"), "text", "17"))
    with pytest.raises(PackageRefused) as caught:
        parse_status(data, trust=None)
    assert caught.value.code == "SCHEMA"


@pytest.mark.parametrize("change", [
    {"other": OtherInfo(priority=7)},
    {"subject": "Trích yếu có ký tự điều khiển \x07"},
    {"from_organ": Organ(organ_id="", name="Không mã")},
])
def test_build_refuses_what_the_xsd_would(change: dict[str, object]) -> None:
    """We never send a package our own receiver would refuse: the sender learns at once."""
    with pytest.raises(ValueError):
        build(replace(small_package(), **change))  # type: ignore[arg-type]

"""Fuzzing the parser (issue 15 item 5): whatever arrives, only PackageRefused escapes, so a
transport never answers 500 nor keeps half a package. Fixed seed (derandomize): the same
examples on every run, in CI too."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from exchange.edxml import Package, PackageRefused, StaffInfo, StatusPackage, build, build_status, parse_any
from exchange.edxml.names import NS
from tests.edxml_support import SENDER, sender_key, small_package, trust

FUZZ = settings(derandomize=True, max_examples=200, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@cache
def signed() -> bytes:
    return build(small_package(), sender_key())


@cache
def unsigned() -> bytes:
    return build(small_package())


@cache
def signed_status() -> bytes:
    package = small_package()
    status = StatusPackage(response_for=package.response_for[0], from_organ=SENDER, status_code="03",
                           timestamp=datetime(2026, 3, 2, 16, 0, 0), description="Đã vào sổ, số đến 125",
                           staff=StaffInfo(department="Văn thư", staff="Lê Văn Cường"))
    return build_status(status, sender_key())


def survives(data: bytes, *, check_signature: bool = True) -> None:
    try:
        result = parse_any(data, trust=trust if check_signature else None)
    except PackageRefused as refusal:
        assert refusal.status_code == "02" and refusal.message_vi
    else:
        assert isinstance(result, Package | StatusPackage)


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes(data: bytes) -> None:
    survives(data)


@FUZZ
@given(st.data(), st.booleans())
def test_mutated_signed_package(data: st.DataObject, status: bool) -> None:
    package = signed_status() if status else signed()
    start = data.draw(st.integers(0, len(package) - 1), label="start")
    length = data.draw(st.integers(0, 64), label="length")
    insert = data.draw(st.binary(max_size=64), label="insert")
    survives(package[:start] + insert + package[start + length:])


@FUZZ
@given(st.data())
def test_mutated_unsigned_package_values(data: st.DataObject) -> None:
    """A value changed in place keeps the structure, so the fuzz reaches the XSD and the readers
    of dates, numbers, base64 and content ids, not only the XML parser."""
    root = etree.fromstring(unsigned())
    leaves = [element for element in root.iter() if len(element) == 0 and isinstance(element.tag, str)]
    leaf = data.draw(st.sampled_from(leaves), label="element")
    text = data.draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]),
                             max_size=40), label="text")
    leaf.text = text
    if data.draw(st.booleans(), label="attribute"):
        leaf.set(data.draw(st.sampled_from(["Id", "version", f"{{{NS}}}x"]), label="name"), text)
    survives(etree.tostring(root), check_signature=False)


@FUZZ
@given(st.recursive(
    st.sampled_from(["OrganId", "Subject", "Code", "Status", "StatusCode", "Attachment", "ContentId"]),
    lambda children: st.lists(children, max_size=4),
    max_leaves=20,
))
def test_generated_edxml_shaped_trees(shape: object) -> None:
    def grow(parent: etree._Element, node: object) -> None:
        if isinstance(node, str):
            etree.SubElement(parent, f"{{{NS}}}{node}").text = "01"
        else:
            child = etree.SubElement(parent, f"{{{NS}}}edXMLHeader")
            for item in node:  # type: ignore[attr-defined]
                grow(child, item)

    root = etree.Element(f"{{{NS}}}edXML")
    grow(etree.SubElement(root, f"{{{NS}}}edXMLEnvelope"), shape)
    survives(etree.tostring(root))

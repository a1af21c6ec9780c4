"""Names prepared once per encoding (signing.speedups.fastnames) compare exactly as asn1crypto's
own RFC 5280 comparison: the same ``hashable`` key and the same equality for every pair of a set
of names with Vietnamese letters, case and space differences, other string types, several
attributes in one RDN, a repeated attribute type and a different order; and asn1crypto uses them."""

from __future__ import annotations

import itertools

from asn1crypto import x509
from cryptography.hazmat.primitives.serialization import Encoding

from signing.speedups import fastnames
from tests import signing_support as s


def _name(*rdns: list[tuple[str, str, str]]) -> x509.Name:
    """An RDN sequence built attribute by attribute: (type, string kind, value)."""
    sequence = x509.RDNSequence([x509.RelativeDistinguishedName([
        x509.NameTypeAndValue({"type": kind, "value": x509.DirectoryString(name=string, value=value)})
        for kind, string, value in rdn]) for rdn in rdns])
    return x509.Name.load(x509.Name(name="", value=sequence).dump())


def _names() -> list[x509.Name]:
    pki = s.demo_pki()
    from_pki = [x509.Certificate.load(c.certificate.public_bytes(Encoding.DER)).subject
                for c in (pki.root, pki.ca, pki.leader)]
    cn = "common_name"
    return from_pki + [
        _name([(cn, "utf8_string", s.LEADER)]),
        _name([(cn, "utf8_string", s.LEADER.upper())]),
        _name([(cn, "utf8_string", "  Trần   Minh Quang ")]),
        _name([(cn, "printable_string", "Tran Minh Quang")]),
        _name([(cn, "utf8_string", "Tran Minh Quang")]),
        _name([(cn, "utf8_string", "Trần Minh Quang")]),  # composed (NFC) against decomposed below
        _name([(cn, "utf8_string", "Tra\u0300\u0302n Minh Quang")]),
        _name([(cn, "utf8_string", s.LEADER), ("organization_name", "utf8_string", s.AGENCY)]),
        _name([("organization_name", "utf8_string", s.AGENCY), (cn, "utf8_string", s.LEADER)]),
        _name([(cn, "utf8_string", s.LEADER)], [("organization_name", "utf8_string", s.AGENCY)]),
        _name([("organization_name", "utf8_string", s.AGENCY)], [(cn, "utf8_string", s.LEADER)]),
        _name([(cn, "utf8_string", s.LEADER), (cn, "utf8_string", "Khác")]),
        _name([(cn, "utf8_string", "Khác")]),
        _name(),
    ]


def test_same_keys_and_equality_as_asn1crypto() -> None:
    fastnames.clear()
    names = _names()
    for name in names:
        assert name.hashable == fastnames._asn1crypto_hashable.fget(name.chosen)
        assert name.hashable == name.hashable  # kept, and the same
    for a, b in itertools.product(names, repeat=2):
        assert (a == b) == fastnames._asn1crypto_eq(a.chosen, b.chosen), (a.human_friendly, b.human_friendly)
        assert (a != b) == (not fastnames._asn1crypto_eq(a.chosen, b.chosen))
    # the cases that matter compare as RFC 5280 says: case and spaces do not count, the order does
    assert names[3] == names[4] == names[5]
    assert names[10] == names[11] and names[12] != names[13]
    assert names[3] != names[6] and names[14] != names[15]


def test_a_mutated_name_is_compared_by_its_new_value() -> None:
    name = _name([("common_name", "utf8_string", s.LEADER)])
    other = _name([("common_name", "utf8_string", "Khác")])
    assert name != other and name.hashable != other.hashable
    name.chosen[0][0]["value"] = x509.DirectoryString(name="utf8_string", value="Khác")
    assert name == other and name.hashable == other.hashable


def test_bounded() -> None:
    fastnames.clear()
    for i in range(fastnames.MAX_ENTRIES + 10):
        assert _name([("common_name", "utf8_string", f"Tên {i}")]).hashable.endswith(f"tên  {i} ")
    assert len(fastnames._HASHABLE) == fastnames.MAX_ENTRIES


def test_installed_in_asn1crypto() -> None:
    assert fastnames.installed()
    assert x509.RDNSequence.__eq__ is fastnames.equal

"""The agency's signature on a package (issue 15 item 1): XAdES-B-B enveloped XML-DSig,
RSA-SHA256, checked by us against the sender's registered certificates and, independently,
by xmlsec1 (the reference XML-DSig implementation); any change after signing is detected."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from signxml import DigestAlgorithm, SignatureMethod, XMLSigner
from signxml.algorithms import CanonicalizationMethod

from exchange.edxml import PackageRefused, Reason, Status, StatusPackage, build, build_status, parse, parse_status
from exchange.edxml.dsig import XADES_NS, add_placeholder
from exchange.edxml.names import DSIG_NS, ds, q
from signing.keystore import pki
from tests.edxml_support import SENDER, edit, find, identities, realistic_package, sender_key, small_package, trust


@pytest.fixture(scope="module")
def signed() -> bytes:
    return build(realistic_package(), sender_key())


def xmlsec_verify(data: bytes, certificate_pem: bytes, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is not installed (scripts/system-deps.sh)")
    (tmp_path / "package.xml").write_bytes(data)
    (tmp_path / "agency.pem").write_bytes(certificate_pem)
    # XAdES refers to its SignedProperties and the KeyInfo by Id.
    return subprocess.run(
        ["xmlsec1", "--verify", "--pubkey-cert-pem", str(tmp_path / "agency.pem"),
         "--id-attr:Id", f"{XADES_NS}:SignedProperties", "--id-attr:Id", "KeyInfo", str(tmp_path / "package.xml")],
        capture_output=True, text=True, timeout=120,
    )


def pem(identity: pki.Identity) -> bytes:
    return identity.certificate.public_bytes(serialization.Encoding.PEM)


def test_signature_is_xades_rsa_sha256_in_the_header(signed: bytes) -> None:
    root = etree.fromstring(signed)
    signature = find(root, "edXMLEnvelope/edXMLHeader").find(ds("Signature"))
    assert signature is not None
    method = signature.find(f"{ds('SignedInfo')}/{ds('SignatureMethod')}")
    assert method.get("Algorithm") == "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"
    references = signature.findall(f"{ds('SignedInfo')}/{ds('Reference')}")
    whole = [reference for reference in references if reference.get("URI") == ""]
    assert len(whole) == 1
    transforms = [t.get("Algorithm") for t in whole[0].iter(ds("Transform"))]
    assert "http://www.w3.org/2000/09/xmldsig#enveloped-signature" in transforms
    assert signature.find(f".//{{{XADES_NS}}}SigningTime") is not None
    assert signature.find(f".//{{{XADES_NS}}}SigningCertificateV2") is not None
    assert len(root.findall(f".//{ds('Signature')}")) == 1


def test_dsig_round_trip_and_xmlsec_agrees(signed: bytes, tmp_path: Path) -> None:
    assert parse(signed, trust=trust) == realistic_package()
    result = xmlsec_verify(signed, pem(sender_key()), tmp_path)
    assert result.returncode == 0, result.stderr
    assert "OK" in result.stdout + result.stderr


@pytest.mark.parametrize("change", ["subject", "attachment", "recipient", "trace"])
def test_any_change_after_signing_is_detected(signed: bytes, change: str, tmp_path: Path) -> None:
    def tamper(root: etree._Element) -> None:
        if change == "subject":
            find(root, "MessageHeader/Subject").text += " (đã sửa)"
        elif change == "attachment":
            encoded = find(root, "AttachmentEncoded/Attachment/ContentTransferEncoded")
            text = encoded.text or ""
            encoded.text = text[:100] + ("A" if text[100] != "A" else "B") + text[101:]
        elif change == "recipient":
            extra = etree.Element(q("To"))
            etree.SubElement(extra, q("OrganId")).text = "000.00.00.A99"
            find(root, "MessageHeader").insert(2, extra)
        else:
            find(root, "TraceHeader/Timestamp").text = "2026/03/01 08:00:00"

    tampered = edit(signed, tamper)
    with pytest.raises(PackageRefused) as caught:
        parse(tampered, trust=trust)
    assert caught.value.reason is Reason.BAD_SIGNATURE
    assert xmlsec_verify(tampered, pem(sender_key()), tmp_path).returncode != 0


def test_key_rotation_any_registered_certificate_verifies(signed: bytes) -> None:
    old = pki.issue(pki.create_intermediate(pki.create_root()), SENDER.name, SENDER.name)
    assert parse(signed, trust=lambda organ_id: [old.certificate, sender_key().certificate]).document_id
    with pytest.raises(PackageRefused) as caught:
        parse(signed, trust=lambda organ_id: [old.certificate])
    assert caught.value.reason is Reason.BAD_SIGNATURE


def test_plain_xml_dsig_of_other_implementations_is_accepted() -> None:
    """The samples' form: one enveloped XML-DSig, exclusive c14n, one reference, no XAdES."""
    root = etree.fromstring(build(small_package()))
    add_placeholder(find(root, "edXMLEnvelope/edXMLHeader"))
    key = sender_key()
    plain = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA256, digest_algorithm=DigestAlgorithm.SHA256,
                      c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0)
    data = etree.tostring(plain.sign(root, key=key.key, cert=[key.certificate]))
    assert etree.fromstring(data).find(f".//{{{XADES_NS}}}QualifyingProperties") is None
    assert parse(data, trust=trust) == small_package()


def test_a_second_signature_is_refused(signed: bytes) -> None:
    def duplicate(root: etree._Element) -> None:
        signature = root.find(f".//{{{DSIG_NS}}}Signature")
        root.append(etree.fromstring(etree.tostring(signature)))

    with pytest.raises(PackageRefused) as caught:
        parse(edit(signed, duplicate), trust=trust)
    assert caught.value.reason in (Reason.BAD_SIGNATURE, Reason.SCHEMA)


def test_algorithms_other_than_rsa_sha256_are_refused() -> None:
    root = etree.fromstring(build(small_package()))
    add_placeholder(find(root, "edXMLEnvelope/edXMLHeader"))
    key = identities()[SENDER.organ_id]
    weak = XMLSigner(signature_algorithm=SignatureMethod.RSA_SHA512, digest_algorithm=DigestAlgorithm.SHA512)
    data = etree.tostring(weak.sign(root, key=key.key, cert=[key.certificate]))
    with pytest.raises(PackageRefused) as caught:
        parse(data, trust=trust)
    assert caught.value.reason is Reason.BAD_SIGNATURE


def test_an_expired_or_non_signing_certificate_is_refused() -> None:
    ca = pki.create_intermediate(pki.create_root())
    for identity in (pki.issue(ca, SENDER.name, SENDER.name, expired=True),
                     pki.issue(ca, SENDER.name, SENDER.name, usage=pki.ENCRYPTION_USAGE)):
        data = build(small_package(), identity)
        with pytest.raises(PackageRefused) as caught:
            parse(data, trust=lambda organ_id, identity=identity: [identity.certificate])
        assert caught.value.reason is Reason.BAD_SIGNATURE


def test_a_weak_rsa_key_is_refused() -> None:
    """RSA under 2048 bits signs nothing the 2025 rules accept, even registered."""
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 - the point
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SENDER.name)])
    now = datetime.now(UTC)
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(weak_key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                   .not_valid_after(now + timedelta(days=30)).sign(weak_key, hashes.SHA256()))
    data = build(small_package(), pki.Identity(weak_key, certificate))
    with pytest.raises(PackageRefused) as caught:
        parse(data, trust=lambda organ_id: [certificate])
    assert caught.value.reason is Reason.BAD_SIGNATURE
    assert "2048" in caught.value.message_vi


def test_signed_status_round_trip_and_tamper() -> None:
    status = StatusPackage(
        response_for=small_package().response_for[0], from_organ=SENDER, status_code=Status.REGISTERED.code,
        timestamp=datetime(2026, 3, 2, 16, 0, 0), description="Đã vào sổ văn bản đến, số đến 125",
    )
    data = build_status(status, sender_key())
    assert parse_status(data, trust=trust) == status
    forged = edit(data, lambda root: setattr(find(root, "Status/StatusCode"), "text", "02"))
    with pytest.raises(PackageRefused) as caught:
        parse_status(forged, trust=trust)
    assert caught.value.reason is Reason.BAD_SIGNATURE


def test_a_package_signed_by_xmlsec1_in_the_samples_form_is_accepted(tmp_path: Path) -> None:
    """Interoperability: another implementation (xmlsec1) signs the Signature template of the
    standard's sample (exclusive c14n, RSA-SHA256, enveloped, X509Data); we accept it."""
    if shutil.which("xmlsec1") is None:
        pytest.skip("xmlsec1 is not installed (scripts/system-deps.sh)")
    template = f"""<Signature xmlns="{DSIG_NS}"><SignedInfo>
      <CanonicalizationMethod Algorithm="http://www.w3.org/2001/10/xml-exc-c14n#"/>
      <SignatureMethod Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256"/>
      <Reference URI=""><Transforms>
        <Transform Algorithm="http://www.w3.org/2000/09/xmldsig#enveloped-signature"/></Transforms>
        <DigestMethod Algorithm="http://www.w3.org/2001/04/xmlenc#sha256"/><DigestValue/></Reference>
      </SignedInfo><SignatureValue/><KeyInfo><X509Data><X509Certificate/></X509Data></KeyInfo></Signature>"""
    root = etree.fromstring(build(small_package()))
    find(root, "edXMLEnvelope/edXMLHeader").append(etree.fromstring(template))
    (tmp_path / "template.xml").write_bytes(etree.tostring(root))
    key = sender_key()
    (tmp_path / "key.pem").write_bytes(key.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    (tmp_path / "cert.pem").write_bytes(pem(key))
    result = subprocess.run(
        ["xmlsec1", "--sign", "--privkey-pem", f"{tmp_path / 'key.pem'},{tmp_path / 'cert.pem'}",
         "--output", str(tmp_path / "signed.xml"), str(tmp_path / "template.xml")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    signed = (tmp_path / "signed.xml").read_bytes()
    assert parse(signed, trust=trust) == small_package()
    with pytest.raises(PackageRefused) as caught:
        parse(signed.replace(b"V/v tri", b"V/V tri"), trust=trust)
    assert caught.value.reason is Reason.BAD_SIGNATURE

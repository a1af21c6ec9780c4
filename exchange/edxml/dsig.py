"""XML-DSig of a package (chữ ký số của cơ quan trên gói tin), through signxml.

We sign one enveloped XAdES-B-B signature (ETSI EN 319 132-1, as the 2025 signing rules want
for XML: XML-DSig plus signed SigningTime and SigningCertificateV2), RSA-SHA256 over canonical
XML 1.0, whose data reference (``URI=""``) is the whole package less the signature: header,
manifest and base64 attachments. We accept on receipt that, or a plain XML-DSig with the single
``URI=""`` reference (the samples' form, what older implementations send).

The signer's certificate travels in ``KeyInfo``; the receiver does not trust it, it checks the
signature against the certificates it holds for the sending agency (its directory), so only a
key that agency registered can sign for it.

Canonical XML 1.0 rather than the exclusive form of the sample: signxml's XAdES references do
not verify under exclusive c14n, and 1.0 is the one every XML-DSig implementation has.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLVerifier
from signxml.algorithms import CanonicalizationMethod
from signxml.exceptions import InvalidInput, SignXMLException
from signxml.xades import XAdESDataObjectFormat, XAdESSignatureConfiguration, XAdESSigner, XAdESVerifier

from .errors import PackageRefused, Reason
from .names import DSIG_NS, ROOT, ds
from .safexml import HUGE_CEILING, Limits
from .safexml import parser as safe_parser

XADES_NS = "http://uri.etsi.org/01903/v1.3.2#"
MIN_RSA_BITS = 2048
_METHODS = frozenset({SignatureMethod.RSA_SHA256})
_DIGESTS = frozenset({DigestAlgorithm.SHA256})
_PLAIN = SignatureConfiguration(expect_references=1, signature_methods=_METHODS, digest_algorithms=_DIGESTS)
# The package, the KeyInfo and the SignedProperties.
_XADES = XAdESSignatureConfiguration(expect_references=3, signature_methods=_METHODS, digest_algorithms=_DIGESTS)
# Our own package, whatever its attachments' size: the receiver's limits apply on receipt.
_OWN = Limits(max_bytes=HUGE_CEILING)


class XmlKey(Protocol):
    """An agency's signing key: :class:`signing.keystore.pki.Identity` has this shape."""

    @property
    def key(self) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey: ...

    @property
    def certificate(self) -> x509.Certificate: ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]: ...


def add_placeholder(parent: etree._Element) -> None:
    """Mark where signxml puts the signature (it replaces this element)."""
    etree.SubElement(parent, ds("Signature"), {"Id": "placeholder"}, nsmap={"ds": DSIG_NS})


def sign(root: etree._Element, signer: XmlKey) -> etree._Element:
    """``root`` with an enveloped signature by ``signer`` where :func:`add_placeholder` put it.
    The key must be RSA: receivers (:func:`verify`, and the samples' implementations) check
    RSA-SHA256 only, so an ECDSA package would be refused wherever it went."""
    if not isinstance(signer.key, rsa.RSAPrivateKey):
        raise ValueError("edXML packages are signed with an RSA key (RSA-SHA256); this agency's key is not RSA")
    xml_signer = XAdESSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
        data_object_format=XAdESDataObjectFormat(Description="edXML QCVN 102:2016/BTTTT", MimeType="text/xml"),
    )
    # signxml re-parses what it signs with a default parser, which stops at a 10 MB text node.
    xml_signer._parser = safe_parser(_OWN)
    signed: etree._Element = xml_signer.sign(root, key=signer.key, cert=[signer.certificate, *signer.chain])
    placed = signed.find(f".//{ds('Signature')}")
    if placed is not None:
        # The placeholder's marker is not part of the standard's Signature.
        placed.attrib.pop("Id", None)
    return signed


def _for_signing(certificate: x509.Certificate) -> bool:
    """Whether the certificate's key may sign: an RSA key of 2048 bits at least (the 2025
    signing rules), whose usage is signing (a key for encryption only may not)."""
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey) or public_key.key_size < MIN_RSA_BITS:
        return False
    try:
        usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return usage.digital_signature or usage.content_commitment


def verify(root: etree._Element, certificates: Sequence[x509.Certificate], parser: etree.XMLParser) -> etree._Element:
    """The signed content of ``root`` (the whole package, signature removed) when its signature
    verifies with one of ``certificates``; :class:`PackageRefused` otherwise.

    Only what this returns was signed: callers read the package from it, never from ``root``.
    """
    signatures = root.findall(f".//{ds('Signature')}")
    if not signatures:
        raise PackageRefused(Reason.UNSIGNED)
    if len(signatures) > 1:
        raise PackageRefused(Reason.BAD_SIGNATURE, detail="more than one Signature element")
    xades = signatures[0].find(f".//{{{XADES_NS}}}QualifyingProperties") is not None
    detail = "no certificate"
    for certificate in certificates:
        if not _for_signing(certificate):
            detail = "the registered certificate is not for signing (key usage, or RSA under 2048 bits)"
            continue
        try:
            verifier, config = (XAdESVerifier(), _XADES) if xades else (XMLVerifier(), _PLAIN)
            verified = verifier.verify(root, x509_cert=certificate, parser=parser, expect_config=config)
        except (SignXMLException, InvalidInput, ValueError, etree.LxmlError) as error:
            detail = str(error) or type(error).__name__
            continue
        # URI="" signs the whole document; a reference to a part would let unsigned parts through.
        for result in verified if isinstance(verified, list) else [verified]:
            signed = getattr(result, "signed_xml", None)
            if signed is not None and signed.tag == ROOT:
                return signed
        raise PackageRefused(Reason.BAD_SIGNATURE, detail="the signature does not cover the whole package")
    raise PackageRefused(Reason.BAD_SIGNATURE, detail=detail[:300])

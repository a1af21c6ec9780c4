"""XML-DSig of a package (chữ ký số của cơ quan trên gói tin), through signxml.

One enveloped signature, RSA-SHA256 over exclusive canonical XML, whose reference (``URI=""``)
is the whole package less the signature: the header, the manifest and the base64 attachments.
The signer's certificate travels in ``KeyInfo``; the receiver does not trust it, it checks the
signature against the certificates it holds for the sending agency (its directory), so only a
key that agency registered can sign for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa
from lxml import etree
from signxml import DigestAlgorithm, SignatureConfiguration, SignatureMethod, XMLSigner, XMLVerifier
from signxml.algorithms import CanonicalizationMethod
from signxml.exceptions import InvalidInput, SignXMLException

from .errors import PackageRefused, Reason
from .names import DSIG_NS, ROOT, ds

_CONFIG = SignatureConfiguration(
    require_x509=True,
    expect_references=1,
    signature_methods=frozenset({SignatureMethod.RSA_SHA256}),
    digest_algorithms=frozenset({DigestAlgorithm.SHA256}),
)


class XmlKey(Protocol):
    """An agency's signing key: :class:`signing.pki.Identity` has this shape."""

    @property
    def key(self) -> rsa.RSAPrivateKey: ...

    @property
    def certificate(self) -> x509.Certificate: ...

    @property
    def chain(self) -> tuple[x509.Certificate, ...]: ...


def add_placeholder(parent: etree._Element) -> None:
    """Mark where signxml puts the signature (it replaces this element)."""
    etree.SubElement(parent, ds("Signature"), {"Id": "placeholder"}, nsmap={"ds": DSIG_NS})


def sign(root: etree._Element, signer: XmlKey) -> etree._Element:
    """``root`` with an enveloped signature by ``signer`` where :func:`add_placeholder` put it."""
    xml_signer = XMLSigner(
        signature_algorithm=SignatureMethod.RSA_SHA256,
        digest_algorithm=DigestAlgorithm.SHA256,
        c14n_algorithm=CanonicalizationMethod.EXCLUSIVE_XML_CANONICALIZATION_1_0,
    )
    signed: etree._Element = xml_signer.sign(root, key=signer.key, cert=[signer.certificate, *signer.chain])
    placed = signed.find(f".//{ds('Signature')}")
    if placed is not None:
        # The placeholder's marker is not part of the standard's Signature.
        placed.attrib.pop("Id", None)
    return signed


def has_signature(root: etree._Element) -> bool:
    return root.find(f".//{ds('Signature')}") is not None


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
    detail = "no certificate"
    for certificate in certificates:
        try:
            result = XMLVerifier().verify(root, x509_cert=certificate, parser=parser, expect_config=_CONFIG)
        except (SignXMLException, InvalidInput, ValueError) as error:
            detail = str(error) or type(error).__name__
            continue
        signed = getattr(result, "signed_xml", None)
        # URI="" signs the whole document; a reference to a part would let unsigned parts through.
        if signed is None or signed.tag != ROOT:
            raise PackageRefused(Reason.BAD_SIGNATURE, detail="the signature does not cover the whole package")
        return signed
    raise PackageRefused(Reason.BAD_SIGNATURE, detail=detail[:300])

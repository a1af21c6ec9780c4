"""The fast issuer-and-serial match answers as pyHanko's own, for every identifier of an issued
document's signatures (the signer's identifier and its ESS signing-certificate attribute) against
every certificate at hand, including a certificate with the signer's serial number from another
issuer; and pyHanko uses it."""

from __future__ import annotations

import io

from asn1crypto import cms, tsp, x509
from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives import hashes, serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import general

from signing.keystore import pki
from signing.speedups import fastcms
from tests import signing_support as s


def _identifiers(pdf: bytes) -> tuple[list[cms.IssuerAndSerialNumber | tsp.IssuerSerial], list[x509.Certificate]]:
    expected: list[cms.IssuerAndSerialNumber | tsp.IssuerSerial] = []
    certs: list[x509.Certificate] = []
    for sig in PdfFileReader(io.BytesIO(pdf)).embedded_signatures:
        expected.append(sig.signer_info["sid"].chosen)
        for attr in sig.signer_info["signed_attrs"]:
            if attr["type"].native == "signing_certificate_v2":
                expected.extend(c["issuer_serial"] for c in attr["values"][0]["certs"])
        certs.extend(c.chosen for c in sig.signed_data["certificates"])
    return expected, certs


def _same_serial_other_issuer(cert: x509.Certificate) -> x509.Certificate:
    # a certificate from another CA that happens to carry the signer's serial number
    other = pki.create_root("Another CA")
    subject = pyca_x509.Name([pyca_x509.NameAttribute(pyca_x509.NameOID.COMMON_NAME, s.LEADER)])
    forged = (pyca_x509.CertificateBuilder().subject_name(subject).issuer_name(other.certificate.subject)
              .public_key(other.key.public_key()).serial_number(cert.serial_number)
              .not_valid_before(other.certificate.not_valid_before_utc)
              .not_valid_after(other.certificate.not_valid_after_utc).sign(other.key, hashes.SHA256()))
    return x509.Certificate.load(forged.public_bytes(serialization.Encoding.DER))


def test_same_answers_as_pyhanko() -> None:
    expected, certs = _identifiers(s.fully_signed())
    assert any(isinstance(e["issuer"], x509.GeneralNames) for e in expected)  # the ESS case is covered
    certs.append(_same_serial_other_issuer(certs[-1]))
    answers = [(e.dump(), c.dump(), fastcms.match_issuer_serial(e, c)) for e in expected for c in certs]
    assert answers == [(e.dump(), c.dump(), fastcms._pyhanko_match(e, c)) for e in expected for c in certs]
    assert sum(match for *_, match in answers) >= len(expected)  # each identifier finds its certificate
    assert not any(fastcms.match_issuer_serial(e, certs[-1]) for e in expected)


def test_installed_in_pyhanko() -> None:
    assert fastcms.installed() and general.match_issuer_serial is fastcms.match_issuer_serial

"""A demo PKI for tests and demonstrations: a TEST root, an intermediate, and certificates for
people and agencies exported as PKCS#12, with their signature and seal images.

Nothing here is fit for real use: the root's name says so, and its keys sit in files.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

from signing.pdf import images

ROOT_NAME = "QLVB TEST ROOT – KHÔNG DÙNG THẬT"
INTERMEDIATE_NAME = "QLVB TEST CA – KHÔNG DÙNG THẬT"
UNTRUSTED_ROOT_NAME = "QLVB ROOT LẠ – KHÔNG ĐƯỢC TIN CẬY"
SIGNING_USAGE = "signing"  # digitalSignature + nonRepudiation, the usage of a signing certificate
ENCRYPTION_USAGE = "encryption"  # keyEncipherment only: a certificate that must not sign
AUTHENTICATION_USAGE = "authentication"  # digitalSignature only: logs in, but cannot sign documents


@dataclass(frozen=True)
class Identity:
    """A private key with its certificate and the CA certificates above it (issuer first)."""

    key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...] = ()

    @property
    def common_name(self) -> str:
        return str(self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value)

    def pkcs12(self, password: str) -> bytes:
        """The key, certificate and chain as a PKCS#12 file protected by ``password``."""
        return pkcs12.serialize_key_and_certificates(
            self.common_name.encode(), self.key, self.certificate, list(self.chain),
            serialization.BestAvailableEncryption(password.encode()))

    def key_pem(self) -> bytes:
        return self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _name(common_name: str, organization: str | None = None) -> x509.Name:
    parts = [x509.NameAttribute(NameOID.COUNTRY_NAME, "VN")]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    parts.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(parts)


def _ca_usage() -> x509.KeyUsage:
    return x509.KeyUsage(digital_signature=False, content_commitment=False, key_encipherment=False,
                         data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                         encipher_only=False, decipher_only=False)


def _leaf_usage(usage: str) -> x509.KeyUsage:
    signing = usage == SIGNING_USAGE
    return x509.KeyUsage(digital_signature=signing or usage == AUTHENTICATION_USAGE, content_commitment=signing,
                         key_encipherment=not signing,
                         data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                         encipher_only=False, decipher_only=False)


def create_root(common_name: str = ROOT_NAME, now: datetime | None = None, days: int = 3650) -> Identity:
    """A self-signed root CA (path length 1)."""
    start = (now or datetime.now(UTC)) - timedelta(days=1)
    key = _new_key()
    subject = _name(common_name, "QLVB")
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(start)
            .not_valid_after(start + timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
            .add_extension(_ca_usage(), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return Identity(key, cert)


def _issue(ca: Identity, subject: x509.Name, key: rsa.RSAPrivateKey, start: datetime, end: datetime,
           extensions: Sequence[tuple[x509.ExtensionType, bool]]) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(ca.certificate.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key()),
                              critical=False))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(ca.key, hashes.SHA256())


def create_intermediate(root: Identity, common_name: str = INTERMEDIATE_NAME, now: datetime | None = None,
                        days: int = 3650) -> Identity:
    """An intermediate CA under ``root`` that may only issue end-entity certificates (path length 0)."""
    start = (now or datetime.now(UTC)) - timedelta(days=1)
    key = _new_key()
    cert = _issue(root, _name(common_name, "QLVB"), key, start, start + timedelta(days=days),
                  [(x509.BasicConstraints(ca=True, path_length=0), True), (_ca_usage(), True)])
    return Identity(key, cert, (root.certificate,))


def issue(ca: Identity, common_name: str, organization: str | None = None, *, now: datetime | None = None,
          days: int = 1095, usage: str = SIGNING_USAGE, expired: bool = False) -> Identity:
    """An end-entity certificate of a person (``organization`` = their agency) or of an agency.

    ``usage`` is :data:`SIGNING_USAGE` (digitalSignature + nonRepudiation, critical) or, for the
    refusal tests, :data:`ENCRYPTION_USAGE` or :data:`AUTHENTICATION_USAGE`; ``expired`` makes one
    whose validity ended yesterday.
    """
    moment = now or datetime.now(UTC)
    start, end = (moment - timedelta(days=days + 1), moment - timedelta(days=1)) if expired else \
        (moment - timedelta(days=1), moment + timedelta(days=days))
    key = _new_key()
    cert = _issue(ca, _name(common_name, organization), key, start, end,
                  [(x509.BasicConstraints(ca=False, path_length=None), True), (_leaf_usage(usage), True)])
    return Identity(key, cert, (ca.certificate, *ca.chain))


@dataclass(frozen=True)
class Holder:
    """Someone or some agency to issue a certificate to; ``key`` names their files."""

    key: str
    name: str
    organization: str | None = None


@dataclass
class DemoPki:
    """Where :func:`init_demo_pki` wrote everything."""

    directory: Path
    root_certificate: Path
    intermediate_certificate: Path
    people: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {"p12", "image", "name"}
    agencies: dict[str, dict[str, str]] = field(default_factory=dict)  # key -> {"p12", "image", "name"}


def slug(text: str) -> str:
    """A file-name-safe ASCII form of a Vietnamese name ("Đỗ Thị Mai" -> "do-thi-mai")."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    ascii_text = ascii_text.encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-") or "x"


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


def init_demo_pki(directory: Path, people: Sequence[Holder], agencies: Sequence[Holder], password: str,
                  now: datetime | None = None) -> DemoPki:
    """Write a TEST root and intermediate, a PKCS#12 file and a signature image per person, and a
    PKCS#12 file and a red seal image per agency, under ``directory``; ``manifest.json`` lists them."""
    directory.mkdir(parents=True, exist_ok=True)
    root = create_root(now=now)
    ca = create_intermediate(root, now=now)
    result = DemoPki(directory, directory / "root.pem", directory / "intermediate.pem")
    result.root_certificate.write_bytes(_pem(root.certificate))
    result.intermediate_certificate.write_bytes(_pem(ca.certificate))
    for group, holders, draw, entries in (
            ("people", people, images.signature_image, result.people),
            ("agencies", agencies, images.seal_image, result.agencies)):
        folder = directory / group
        folder.mkdir(exist_ok=True)
        for holder in holders:
            identity = issue(ca, holder.name, holder.organization, now=now)
            p12 = folder / f"{holder.key}.p12"
            image = folder / f"{holder.key}.png"
            p12.write_bytes(identity.pkcs12(password))
            p12.chmod(0o600)
            image.write_bytes(draw(holder.name))
            entries[holder.key] = {"name": holder.name, "p12": str(p12), "image": str(image)}
    manifest = {"root": str(result.root_certificate), "intermediate": str(result.intermediate_certificate),
                "people": result.people, "agencies": result.agencies}
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return result

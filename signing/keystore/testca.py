"""A test certification authority on 127.0.0.1 with its OCSP responder, its CRLs and an RFC 3161
time-stamping authority: what a real CA and TSA answer, for the tests and the benchmark.

Nothing here is fit for real use (keys in memory, names marked TEST). One HTTP server serves

- ``POST /ocsp``: RFC 6960 responses signed by the issuing CA (good, revoked or unknown);
- ``GET /crl/root.crl``, ``GET /crl/ca.crl``: the latest CRL of the root and of the issuing CA;
- ``POST /tsa``: RFC 3161 time-stamp tokens (pyHanko's ``DummyTimeStamper`` behind HTTP).

``down`` makes the OCSP and CRL answers fail (HTTP 503), as an unreachable responder would;
``revoke`` revokes a certificate from then on. Certificates issued here name these URLs (AIA
OCSP, CRL distribution point), so that pyHanko and poppler find them as they would a real CA's.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from asn1crypto import keys as asn1_keys
from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509 import ocsp
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.keystore import pki
from signing.speedups import aio

ROOT_NAME = "QLVB TEST ROOT CA – OCSP/CRL – KHÔNG DÙNG THẬT"
CA_NAME = "QLVB TEST CA – OCSP/CRL – KHÔNG DÙNG THẬT"
TSA_NAME = "QLVB TEST TSA – KHÔNG DÙNG THẬT"
_ANSWER_VALIDITY = timedelta(days=1)


def _key(algorithm: str, bits: int) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
    if algorithm == "ec":
        return ec.generate_private_key(ec.SECP256R1())
    return rsa.generate_private_key(public_exponent=65537, key_size=bits)


@dataclass
class LocalCa:
    """The root, the issuing CA and the TSA, the certificates issued, and what is revoked."""

    root: pki.Identity
    ca: pki.Identity
    tsa: pki.Identity
    base_url: str
    down: bool = False
    revoked: dict[int, datetime] = field(default_factory=dict)
    issued: set[int] = field(default_factory=set)
    requests: list[str] = field(default_factory=list)  # "ocsp", "crl", "tsa", in order

    @property
    def ocsp_url(self) -> str:
        return f"{self.base_url}/ocsp"

    @property
    def tsa_url(self) -> str:
        return f"{self.base_url}/tsa"

    def issue(self, common_name: str, organization: str | None = None, *, algorithm: str = "rsa", bits: int = 2048,
              not_before: datetime | None = None, days: int = 365, ocsp_url: bool = True) -> pki.Identity:
        """A signing certificate (digitalSignature + nonRepudiation) naming this CA's responders."""
        start = not_before or datetime.now(UTC) - timedelta(days=1)
        key = _key(algorithm, bits)
        extensions: list[tuple[x509.ExtensionType, bool]] = [
            (x509.BasicConstraints(ca=False, path_length=None), True),
            (pki._leaf_usage(pki.SIGNING_USAGE), True),
            (self._crl_point("ca"), False),
        ]
        if ocsp_url:
            extensions.append((self._ocsp_access(), False))
        cert = _sign(self.ca, pki._name(common_name, organization), key, start, start + timedelta(days=days),
                     extensions)
        self.issued.add(cert.serial_number)
        return pki.Identity(key, cert, (self.ca.certificate, self.root.certificate))

    def revoke(self, cert: x509.Certificate, when: datetime | None = None) -> None:
        self.revoked[cert.serial_number] = when or datetime.now(UTC) - timedelta(minutes=1)

    def _crl_point(self, name: str) -> x509.CRLDistributionPoints:
        return x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(f"{self.base_url}/crl/{name}.crl")], None, None, None)])

    def _ocsp_access(self) -> x509.AuthorityInformationAccess:
        return x509.AuthorityInformationAccess([x509.AccessDescription(
            x509.AuthorityInformationAccessOID.OCSP, x509.UniformResourceIdentifier(self.ocsp_url))])

    # answers -------------------------------------------------------------------------------

    def ocsp_response(self, body: bytes) -> bytes:
        request = ocsp.load_der_ocsp_request(body)
        now = datetime.now(UTC).replace(microsecond=0)
        issuer = self.ca if request.issuer_key_hash == _key_hash(self.ca.certificate) else self.root
        serial = request.serial_number
        known = serial in self.issued or (issuer is self.root and serial == self.ca.certificate.serial_number)
        if serial in self.revoked:
            status, revoked_at, reason = ocsp.OCSPCertStatus.REVOKED, self.revoked[serial], \
                x509.ReasonFlags.key_compromise
        else:
            status = ocsp.OCSPCertStatus.GOOD if known else ocsp.OCSPCertStatus.UNKNOWN
            revoked_at, reason = None, None
        builder = ocsp.OCSPResponseBuilder().add_response_by_hash(
            request.issuer_name_hash, request.issuer_key_hash, serial, request.hash_algorithm, status, now,
            now + _ANSWER_VALIDITY, revoked_at, reason)
        builder = builder.responder_id(ocsp.OCSPResponderEncoding.HASH, issuer.certificate)
        for extension in request.extensions:
            if isinstance(extension.value, x509.OCSPNonce):
                builder = builder.add_extension(extension.value, critical=False)
        return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def crl(self, name: str) -> bytes:
        issuer = self.root if name == "root" else self.ca
        now = datetime.now(UTC).replace(microsecond=0)
        builder = (x509.CertificateRevocationListBuilder().issuer_name(issuer.certificate.subject)
                   .last_update(now).next_update(now + _ANSWER_VALIDITY)
                   .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       issuer.key.public_key()), critical=False))
        for serial, when in self.revoked.items():
            builder = builder.add_revoked_certificate(
                x509.RevokedCertificateBuilder().serial_number(serial).revocation_date(when).build())
        return builder.sign(issuer.key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)

    def timestamp(self, body: bytes) -> bytes:
        stamper = DummyTimeStamper(
            tsa_cert=asn1_x509.Certificate.load(self.tsa.certificate.public_bytes(serialization.Encoding.DER)),
            tsa_key=asn1_keys.PrivateKeyInfo.load(self.tsa.key.private_bytes(
                serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())),
            certs_to_embed=SimpleCertificateStore.from_certs(
                [asn1_x509.Certificate.load(self.ca.certificate.public_bytes(serialization.Encoding.DER))]))
        response = aio.run(stamper.async_request_tsa_response(tsp.TimeStampReq.load(body)))
        return bytes(response.dump())


def _key_hash(cert: x509.Certificate) -> bytes:
    """The SHA-1 of the subject public key, as OCSP requests identify the issuer (RFC 6960 4.1.1)."""
    return x509.SubjectKeyIdentifier.from_public_key(cert.public_key()).digest


def _sign(issuer: pki.Identity, subject: x509.Name, key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey,
          start: datetime, end: datetime, extensions: list[tuple[x509.ExtensionType, bool]]) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer.certificate.subject)
               .public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(start).not_valid_after(end)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                   issuer.key.public_key()), critical=False))
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical=critical)
    return builder.sign(issuer.key, hashes.SHA256())


def _handler(ca: LocalCa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
            """Quiet: the tests read ``ca.requests``."""

        def _answer(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            name = self.path.removeprefix("/crl/").removesuffix(".crl")
            if not self.path.startswith("/crl/") or name not in ("root", "ca"):
                return self._answer(404, b"", "text/plain")
            ca.requests.append("crl")
            if ca.down:
                return self._answer(503, b"", "text/plain")
            return self._answer(200, ca.crl(name), "application/pkix-crl")

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path == "/tsa":
                ca.requests.append("tsa")
                return self._answer(200, ca.timestamp(body), "application/timestamp-reply")
            if self.path == "/ocsp":
                ca.requests.append("ocsp")
                if ca.down:
                    return self._answer(503, b"", "text/plain")
                return self._answer(200, ca.ocsp_response(body), "application/ocsp-response")
            return self._answer(404, b"", "text/plain")

    return Handler


class LocalCaServer:
    """The test CA's HTTP server on 127.0.0.1 (a free port unless given), in a daemon thread."""

    def __init__(self, port: int = 0, now: datetime | None = None, years: int = 20) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", port), BaseHTTPRequestHandler)
        base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        start = (now or datetime.now(UTC)) - timedelta(days=1)
        end = start + timedelta(days=365 * years)
        root_key = _key("rsa", 2048)
        root_subject = pki._name(ROOT_NAME, "QLVB")
        root_cert = (x509.CertificateBuilder().subject_name(root_subject).issuer_name(root_subject)
                     .public_key(root_key.public_key()).serial_number(x509.random_serial_number())
                     .not_valid_before(start).not_valid_after(end)
                     .add_extension(x509.BasicConstraints(ca=True, path_length=1), critical=True)
                     .add_extension(pki._ca_usage(), critical=True)
                     .add_extension(x509.SubjectKeyIdentifier.from_public_key(root_key.public_key()), critical=False)
                     .sign(root_key, hashes.SHA256()))
        root = pki.Identity(root_key, root_cert)
        self.ca = LocalCa(root, root, root, base_url)  # the CA and TSA are issued below, with the URLs
        ca_key = _key("rsa", 2048)
        ca_cert = _sign(root, pki._name(CA_NAME, "QLVB"), ca_key, start, end,
                        [(x509.BasicConstraints(ca=True, path_length=0), True), (pki._ca_usage(), True),
                         (self.ca._crl_point("root"), False)])
        self.ca.ca = pki.Identity(ca_key, ca_cert, (root_cert,))
        tsa_key = _key("rsa", 2048)
        tsa_cert = _sign(self.ca.ca, x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                                                x509.NameAttribute(NameOID.COMMON_NAME, TSA_NAME)]),
                         tsa_key, start, end,
                         [(x509.BasicConstraints(ca=False, path_length=None), True),
                          (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), True),
                          (self.ca._crl_point("ca"), False), (self.ca._ocsp_access(), False)])
        self.ca.tsa = pki.Identity(tsa_key, tsa_cert, (ca_cert, root_cert))
        self.ca.issued.add(tsa_cert.serial_number)
        self._server.RequestHandlerClass = _handler(self.ca)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> LocalCa:
        self._thread.start()
        return self.ca

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

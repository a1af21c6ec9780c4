"""Split signing: the server prepares the PDF and the bytes to sign, the holder's own token signs
them (through the local agent, :mod:`signing.keystore.agent`), and the server embeds the result.

The bytes to sign are the DER of the CMS signed attributes (content type, the document's
digest, the signing time, the signer's certificate hash): a token that signs them signs this
document and nothing else. :class:`PendingSignature` holds the prepared PDF between the two
halves; it is JSON-serialisable so that the server can keep it in its database, and it must be
used once: delete it when :func:`finish` has embedded the signature.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from asn1crypto import cms
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from pyhanko.sign.signers.pdf_byterange import PreparedByteRangeDigest
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError

from signing.errors import RequestRefused
from signing.keystore.keys import ExternalKey
from signing.pades import algorithms
from signing.pades.pdfsign import DIGEST, Step, prepare
from signing.speedups import aio

REQUEST_TTL = timedelta(minutes=5)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any, what: str) -> bytes:
    try:
        return base64.b64decode(str(text), validate=True)
    except ValueError as err:
        raise RequestRefused(f"Yêu cầu ký không hợp lệ: trường “{what}” không phải base64.") from err


@dataclass(frozen=True)
class SigningRequest:
    """What the web page hands the agent: sign ``data`` once, before ``expires_at``, with the token
    whose certificate has the SHA-256 fingerprint ``certificate_sha256``."""

    id: str
    expires_at: datetime
    data: bytes
    certificate_sha256: str
    label: str  # what is being signed, shown to the holder before they type their PIN
    digest_algorithm: str = DIGEST

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "expires_at": self.expires_at.isoformat(), "data": _b64(self.data),
                "certificate_sha256": self.certificate_sha256, "label": self.label,
                "digest_algorithm": self.digest_algorithm}

    @classmethod
    def from_json(cls, body: Any) -> SigningRequest:
        if not isinstance(body, dict):
            raise RequestRefused("Yêu cầu ký không hợp lệ.")
        try:
            expires = datetime.fromisoformat(str(body["expires_at"]))
            request = cls(str(body["id"]), expires, _unb64(body["data"], "data"), str(body["certificate_sha256"]),
                          str(body.get("label", "")), str(body.get("digest_algorithm", DIGEST)))
        except (KeyError, ValueError) as err:
            raise RequestRefused("Yêu cầu ký không hợp lệ: thiếu hoặc sai trường bắt buộc.") from err
        if expires.tzinfo is None or not 16 <= len(request.id) <= 128 or request.digest_algorithm != DIGEST:
            raise RequestRefused("Yêu cầu ký không hợp lệ.")
        return request


@dataclass(frozen=True)
class PendingSignature:
    """A document waiting for its signature value: the PDF with the reserved room, where the room
    is, the document digest, the certificate, and the request sent to the holder."""

    request: SigningRequest
    pdf: bytes
    reserved_start: int
    reserved_end: int
    document_digest: bytes
    certificate: bytes
    chain: tuple[bytes, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"request": self.request.to_json(), "pdf": _b64(self.pdf), "reserved_start": self.reserved_start,
                "reserved_end": self.reserved_end, "document_digest": _b64(self.document_digest),
                "certificate": _b64(self.certificate), "chain": [_b64(c) for c in self.chain]}

    @classmethod
    def from_json(cls, body: dict[str, Any]) -> PendingSignature:
        return cls(SigningRequest.from_json(body["request"]), _unb64(body["pdf"], "pdf"), int(body["reserved_start"]),
                   int(body["reserved_end"]), _unb64(body["document_digest"], "document_digest"),
                   _unb64(body["certificate"], "certificate"), tuple(_unb64(c, "chain") for c in body["chain"]))


def fingerprint(certificate_der: bytes) -> str:
    return hashlib.sha256(certificate_der).hexdigest()


async def _begin(pdf: bytes, step: Step, key: ExternalKey, ttl: timedelta, now: datetime,
                 label: str, timestamper: TimeStamper | None) -> PendingSignature:
    signer = key.signer()
    prepared = prepare(pdf, step, signer, timestamper)
    digest = prepared.digest.document_digest
    attrs = await signer.signed_attrs(digest, DIGEST, PdfCMSSignedAttributes(signing_time=step.when), use_pades=True)
    cert = key.certificate.dump()
    request = SigningRequest(secrets.token_urlsafe(24), now + min(ttl, REQUEST_TTL), attrs.dump(), fingerprint(cert),
                             label)
    return PendingSignature(request, prepared.output.getvalue(), prepared.digest.reserved_region_start,
                            prepared.digest.reserved_region_end, digest, cert, tuple(c.dump() for c in key.chain))


def begin(pdf: bytes, step: Step, key: ExternalKey, label: str, ttl: timedelta = REQUEST_TTL,
          now: datetime | None = None, timestamper: TimeStamper | None = None) -> PendingSignature:
    """Prepare ``step`` on ``pdf`` for the holder of ``key``'s certificate; ``label`` tells them
    what they sign (e.g. the document's subject); with room for a time-stamp if ``timestamper``
    will give one at :func:`finish`."""
    return aio.run(_begin(pdf, step, key, ttl, now or datetime.now(UTC), label, timestamper))


def _check_value(certificate_der: bytes, data: bytes, signature: bytes) -> None:
    """The token signs as the server's :class:`ExternalKey` declares (RSASSA-PSS for RSA)."""
    key = ExternalKey(certificate_der)
    try:
        algorithms.verify_value(x509.load_der_x509_certificate(certificate_der), data, signature,
                                key.signature_mechanism(), DIGEST)
    except InvalidSignature as err:
        raise RequestRefused("Chữ ký trả về không khớp với chứng thư số của người ký.") from err


async def _challenge(certificate_der: bytes, text: bytes, label: str, now: datetime) -> SigningRequest:
    signer = ExternalKey(certificate_der).signer()
    attrs = await signer.signed_attrs(hashlib.sha256(text).digest(), DIGEST,
                                      PdfCMSSignedAttributes(signing_time=now), use_pades=False)
    return SigningRequest(secrets.token_urlsafe(24), now + REQUEST_TTL, attrs.dump(), fingerprint(certificate_der),
                          label)


def challenge(certificate_der: bytes, text: bytes, label: str, now: datetime) -> SigningRequest:
    """A request that proves possession of the key: signed attributes over ``text`` (e.g. "enroll
    this certificate for this account"), in the form the sign agent accepts, so that the holder's
    token signs it like a document after showing them ``label``."""
    return aio.run(_challenge(certificate_der, text, label, now))


def check_challenge(certificate_der: bytes, request: SigningRequest, text: bytes, signature: bytes,
                    now: datetime) -> None:
    """Accept ``signature`` only as the certificate's key's signature over a :func:`challenge`
    for ``text`` made within :data:`REQUEST_TTL` of ``now``."""
    try:
        attrs = {a["type"].native: a["values"][0] for a in cms.CMSAttributes.load(request.data)}
        digest, signed_at = attrs["message_digest"].native, attrs["signing_time"].native
        cert_hash = attrs["signing_certificate_v2"]["certs"][0]["cert_hash"].native
    except (ValueError, KeyError, IndexError, TypeError) as err:
        raise RequestRefused("Yêu cầu ký không hợp lệ.") from err
    if digest != hashlib.sha256(text).digest() or cert_hash.hex() != fingerprint(certificate_der):
        raise RequestRefused("Dữ liệu đã ký không phải yêu cầu đăng ký chứng thư số này.")
    if not now - REQUEST_TTL <= signed_at <= now + timedelta(minutes=1):
        raise RequestRefused("Yêu cầu ký đã hết hạn: hãy ký lại.")
    _check_value(certificate_der, request.data, signature)


async def finish_async(pending: PendingSignature, request_id: str, signature: bytes, now: datetime | None = None,
                       timestamper: TimeStamper | None = None) -> bytes:
    """:func:`finish`, for callers already in a coroutine."""
    return (await finished_async(pending, request_id, signature, now, timestamper))[0]


async def finished_async(pending: PendingSignature, request_id: str, signature: bytes, now: datetime | None = None,
                         timestamper: TimeStamper | None = None) -> tuple[bytes, bytes]:
    """:func:`finish_async`'s PDF and the CMS signature it holds (DER)."""
    _check_finish(pending, request_id, signature, now)
    key = ExternalKey(pending.certificate, pending.chain)
    attrs = cms.CMSAttributes.load(pending.request.data)
    try:
        container = await key.signer(signature).async_sign_prescribed_attributes(DIGEST, signed_attrs=attrs,
                                                                                 timestamper=timestamper)
    except TimestampRequestError as err:
        raise RequestRefused("Không lấy được dấu thời gian từ máy chủ TSA của cơ quan: hãy ký lại sau.") from err
    output = io.BytesIO(pending.pdf)
    PreparedByteRangeDigest(pending.document_digest, pending.reserved_start, pending.reserved_end) \
        .fill_with_cms(output, container)
    return output.getvalue(), container.dump()


def finish(pending: PendingSignature, request_id: str, signature: bytes, now: datetime | None = None,
           timestamper: TimeStamper | None = None) -> bytes:
    """The signed PDF, once ``signature`` (made by the holder's token over ``pending.request.data``)
    checks against the certificate; refused for another request, after expiry or for a bad value.
    The signature time-stamp (``timestamper``) goes into the CMS's unsigned attributes, outside
    what the token signed."""
    return aio.run(finish_async(pending, request_id, signature, now, timestamper))


def _check_finish(pending: PendingSignature, request_id: str, signature: bytes, now: datetime | None) -> None:
    if not secrets.compare_digest(request_id, pending.request.id):
        raise RequestRefused("Chữ ký trả về không thuộc yêu cầu ký này.")
    if (now or datetime.now(UTC)) > pending.request.expires_at:
        raise RequestRefused("Yêu cầu ký đã hết hạn: hãy ký lại.")
    _check_value(pending.certificate, pending.request.data, signature)

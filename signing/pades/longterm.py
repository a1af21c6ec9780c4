"""Signatures that stay verifiable: the status check before signing, a signature time-stamp
(PAdES B-T), the OCSP responses and CRLs in the document security store (B-LT), and document
time-stamps for archives (B-LTA), renewed before their TSA's certificate expires.

A time-stamping authority (RFC 3161) is pyHanko's ``TimeStamper`` interface: an agency's TSA
over HTTP (:func:`timestamper`), the test CA's in tests (:mod:`signing.keystore.testca`).

Circular 15/2025/TT-BKHCN Art. 5 (check the certificate before signing; keep the certificate,
the CRL or OCSP response and the result with the signature) and Appendix I 1.16–1.18 (OCSP or the
latest CRL; warn when the status cannot be checked); ETSI EN 319 142-1 (PAdES baseline levels).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import extract_certificate_info
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import TimeStamper
from pyhanko.sign.timestamps.common_utils import TimestampRequestError
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko_certvalidator import CertificateValidator
from pyhanko_certvalidator.errors import PathError, PathValidationError, ValidationError

from signing.errors import SigningError
from signing.keystore.keys import KeySource, to_asn1
from signing.pades import pdfsign, revocation, split
from signing.pades.revocation import Status, StatusCheck, UnreachablePolicy
from signing.speedups import aio

B_B, B_T, B_LT, B_LTA = "B-B", "B-T", "B-LT", "B-LTA"


@dataclass(frozen=True)
class Settings:
    """An agency's signing settings: its TSA (none: no time-stamp, PAdES B-B) and what to do when
    the certificate's status cannot be checked."""

    tsa_url: str | None = None
    unreachable: UnreachablePolicy = UnreachablePolicy.REFUSE
    timeout: float = revocation.TIMEOUT_SECONDS

    def timestamper(self) -> TimeStamper | None:
        return timestamper(self.tsa_url, self.timeout) if self.tsa_url else None


def timestamper(url: str, timeout: float = revocation.TIMEOUT_SECONDS) -> TimeStamper:
    """An RFC 3161 client over ``requests``: pyHanko's default (aiohttp) builds a TLS context and a
    session for every time-stamp, ~70 ms each, because each signature runs in its own event loop."""
    return HTTPTimeStamper(url, timeout=int(max(1, timeout)))


@dataclass(frozen=True)
class Signed:
    """A signed PDF with the check made before it and the level it reached."""

    pdf: bytes
    check: StatusCheck
    level: str
    warning: str | None  # the Vietnamese warning the signer was shown, recorded with the signature


def unreachable_consequence(policy: UnreachablePolicy) -> str:
    """What the agency's policy makes of a status that could not be checked, told to the signer."""
    if policy == UnreachablePolicy.REFUSE:
        return "Theo quy định của cơ quan, không ký khi chưa kiểm tra được trạng thái; hãy thử lại sau."
    return "Theo quy định của cơ quan, vẫn được ký; cảnh báo này được lưu kèm chữ ký."


def _refusal(check: StatusCheck, settings: Settings) -> str | None:
    if check.status in (Status.REVOKED, Status.UNKNOWN, Status.INVALID):
        return check.message
    if check.status == Status.UNREACHABLE and settings.unreachable == UnreachablePolicy.REFUSE:
        return f"{check.message} {unreachable_consequence(UnreachablePolicy.REFUSE)}"
    return None


async def _embed_validation_info(pdf: bytes, signature: bytes, online: revocation.Online) -> bytes:
    """pyHanko's ``async_add_validation_info`` (no VRI, no roots) for the signature just made: the
    signer's path is the one the status check validated with the same context, and the CMS is the
    one just written, so the PDF is not read back to find it nor the signer's path validated again;
    the time-stamp's path is validated here, fetching its TSA's status."""
    signer_info = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    paths = list(online.paths)
    try:
        for signed in (False, True):
            for token in extract_tst_data_iter(signer_info, signed=signed):
                found = extract_certificate_info(token)
                validator = CertificateValidator(found.signer_cert, intermediate_certs=found.other_certs,
                                                 validation_context=online.context)
                paths.append(await validator.async_validate_usage(key_usage=set()))
    except (PathError, PathValidationError, ValidationError) as err:
        raise SigningError(f"Không thu thập được thông tin thu hồi để lưu kèm chữ ký: {err}") from err
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    dss = DocumentSecurityStore.supply_dss_in_writer(writer, None, validation_context=online.context, paths=paths,
                                                     embed_roots=False)
    if not dss.modified:
        return pdf
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue()


async def _level(signed: tuple[bytes, bytes], check: StatusCheck, online: revocation.Online,
                 stamper: TimeStamper | None) -> Signed:
    pdf, signature = signed
    if not check.good:
        return Signed(pdf, check, B_T if stamper else B_B, check.message)
    if stamper is None:  # B-LT requires B-T; the evidence is still kept with the signature record
        return Signed(pdf, check, B_B, None)
    return Signed(await _embed_validation_info(pdf, signature, online), check, B_LT, None)


async def _checked(cert: asn1_x509.Certificate, chain: Sequence[asn1_x509.Certificate],
                   trust_roots: Sequence[asn1_x509.Certificate], settings: Settings,
                   now: datetime) -> tuple[StatusCheck, revocation.Online]:
    online = revocation.Online.make(trust_roots, chain, now, settings.timeout, fresh=[cert])
    check = await revocation.check(cert, online, now)
    refusal = _refusal(check, settings)
    if refusal:
        raise SigningError(refusal)
    return check, online


async def sign_checked_async(pdf: bytes, step: pdfsign.Step, key: KeySource,
                             trust_roots: Sequence[asn1_x509.Certificate], settings: Settings,
                             now: datetime) -> Signed:
    """Check ``key``'s certificate (OCSP, then CRL), refuse a revoked, unknown or invalid one (and
    an unchecked one if the agency says so), sign ``step`` with the agency's time-stamp, and embed
    what the check fetched (B-LT); with the status unchecked, sign at B-T/B-B and say so."""
    check, online = await _checked(key.certificate, key.chain, trust_roots, settings, now)
    stamper = settings.timestamper()
    return await _level(await pdfsign.signed_async(pdf, step, key, stamper), check, online, stamper)


def sign_checked(pdf: bytes, step: pdfsign.Step, key: KeySource, trust_roots: Sequence[asn1_x509.Certificate],
                 settings: Settings, now: datetime) -> Signed:
    return aio.run(sign_checked_async(pdf, step, key, trust_roots, settings, now))


def finish_split_checked(pending: split.PendingSignature, request_id: str, value: bytes,
                         trust_roots: Sequence[asn1_x509.Certificate], settings: Settings, now: datetime) -> Signed:
    """Split signing's second half under the same rules: the status checked again when the
    holder's token has signed, the time-stamp added to the CMS, the revocation data embedded."""
    async def run() -> Signed:
        cert = to_asn1(pending.certificate)
        check, online = await _checked(cert, [to_asn1(c) for c in pending.chain], trust_roots, settings, now)
        stamper = settings.timestamper()
        signed = await split.finished_async(pending, request_id, value, now, stamper)
        return await _level(signed, check, online, stamper)
    return aio.run(run())


def status_of(certificate: asn1_x509.Certificate, chain: Sequence[asn1_x509.Certificate],
              trust_roots: Sequence[asn1_x509.Certificate], settings: Settings, now: datetime) -> StatusCheck:
    """The status check alone, whatever it finds, refused or not: what the signer is shown as
    their signing step opens (engine.signatures.before_signing)."""
    async def run() -> StatusCheck:
        # The signer's own status is always asked (never a kept answer): it is what is shown.
        online = revocation.Online.make(trust_roots, chain, now, settings.timeout, fresh=(certificate,))
        return await revocation.check(certificate, online, now)
    return aio.run(run())


def check_only(certificate: asn1_x509.Certificate, chain: Sequence[asn1_x509.Certificate],
               trust_roots: Sequence[asn1_x509.Certificate], settings: Settings, now: datetime) -> StatusCheck:
    """The status check alone, refused as signing would be: before a token holder is asked to sign."""
    async def run() -> StatusCheck:
        return (await _checked(certificate, chain, trust_roots, settings, now))[0]
    return aio.run(run())


async def _archive(pdf: bytes, stamper: TimeStamper, trust_roots: Sequence[asn1_x509.Certificate],
                   timeout: float) -> bytes:
    reader = PdfFileReader(io.BytesIO(pdf))
    # the time-stamp is taken now and the responders answer for now, whatever ``now`` says
    online = revocation.Online.make(trust_roots, (), None, timeout)
    try:
        output = await PdfTimeStamper(stamper).async_update_archival_timestamp_chain(reader, online.context,
                                                                                     embed_roots=False)
    except TimestampRequestError as err:
        raise SigningError("Không lấy được dấu thời gian lưu trữ từ máy chủ TSA.") from err
    except (PathError, PathValidationError, ValidationError) as err:
        raise SigningError(f"Không gia hạn được chuỗi dấu thời gian: {err}") from err
    return bytes(output.getvalue())


def archive_timestamp(pdf: bytes, stamper: TimeStamper, trust_roots: Sequence[asn1_x509.Certificate],
                      timeout: float = revocation.TIMEOUT_SECONDS) -> bytes:
    """PAdES B-LTA: the validation data of the last time-stamp in the DSS, then a document
    time-stamp over everything; called again to renew the chain (dấu thời gian lưu trữ)."""
    return aio.run(_archive(pdf, stamper, trust_roots, timeout))


def last_timestamp_expiry(pdf: bytes) -> datetime | None:
    """When the certificate of the TSA that made the document's last document time-stamp expires
    (None: no document time-stamp yet)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    stamps = reader.embedded_timestamp_signatures
    if not stamps:
        return None
    cert = stamps[-1].signer_cert
    return to_asn1(cert).not_valid_after if cert is not None else None


def needs_renewal(pdf: bytes, now: datetime, margin: timedelta) -> bool:
    """Whether an archived document's time-stamp chain must be renewed: no document time-stamp
    yet, or the last one's TSA certificate expires within ``margin``."""
    expiry = last_timestamp_expiry(pdf)
    return expiry is None or expiry - now <= margin

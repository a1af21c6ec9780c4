"""Validation of every signature of a PDF with pyHanko against given trust roots, as plain,
JSON-serialisable reports with a Vietnamese reason for each refusal.

pyHanko, not poppler, is the judge: poppler's ``pdfsig`` says "valid" for a signature whose page
was changed afterwards, pyHanko's difference analysis does not.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import async_validate_pdf_signature, generic_cms
from pyhanko.sign.validation.errors import SignatureValidationError
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import PathError, PathValidationError, ValidationError

from signing.errors import DocumentRejected
from signing.keystore.keys import to_asn1
from signing.pades import algorithms, timing
from signing.pdf.appearance import iso_time
from signing.pdf.draft import AGENCY_FIELD, LEADER_FIELD
from signing.speedups import aio

# pyHanko logs a full traceback for every signature it finds untrusted; the report says why.
logging.getLogger("pyhanko.sign.validation").setLevel(logging.CRITICAL)
logging.getLogger("pyhanko.sign.diff_analysis").setLevel(logging.CRITICAL)

_ALLOWED = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING)


@dataclass(frozen=True)
class SignatureReport:
    """One signature's verification; with :mod:`signing.pades.report`'s Vietnamese wording, the seven
    fields of Circular 15/2025/TT-BKHCN Art. 6 and the revocation source."""

    field: str
    signer: str | None  # common name of the signer's certificate
    signing_time: str | None  # ISO 8601, Vietnam time, as claimed by the signer
    valid: bool  # intact, trusted and not modified beyond filling the prepared fields
    trusted: bool
    intact: bool
    modification_level: str  # none, lta_updates, form_filling, annotations, other
    reason: str | None  # Vietnamese, when not valid
    issuer: str | None = None  # the CA that issued the signer's certificate (tổ chức cung cấp dịch vụ chứng thực)
    certificate_manager: str | None = None  # the trust anchor the path ends in (CA gốc)
    timestamp: str | None = None  # ISO 8601, the time proven by the signature time-stamp
    timestamp_authority: str | None = None
    not_before: str | None = None  # the certificate's validity period
    not_after: str | None = None
    validated_at: str | None = None  # the time-stamp's time the certificate was judged at; None: at verification
    level: str = "B-B"  # PAdES baseline level: B-B, B-T, B-LT, B-LTA
    revocation_source: str | None = None  # "ocsp" or "crl" embedded in the document, None: not checked
    algorithm: str | None = None  # e.g. "RSASSA-PSS, SHA-256, RSA 2048 bit"

    @classmethod
    def from_json(cls, kept: dict[str, Any]) -> SignatureReport:
        """A report :meth:`to_json` stored (the keys of an older release ignored, those it lacked defaulted)."""
        return cls(**{f.name: kept[f.name] for f in fields(cls) if f.name in kept})

    def to_json(self) -> dict[str, Any]:
        # every value is a str, bool or None: no deep copy (``dataclasses.asdict`` copied pyHanko's
        # whole parsed PDF through a field name that still pointed into it, issue 19)
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _certificate_reason(cert: asn1_x509.Certificate | None, now: datetime) -> str | None:
    """Say precisely what is wrong with the signer's certificate itself, if anything."""
    if cert is None:
        return None
    parsed = x509.load_der_x509_certificate(cert.dump())
    if parsed.not_valid_after_utc < now:
        return f"Chứng thư số của người ký đã hết hạn từ {iso_time(parsed.not_valid_after_utc)}."
    if parsed.not_valid_before_utc > now:
        return "Chứng thư số của người ký chưa có hiệu lực."
    return key_usage_problem(parsed)


def key_usage_problem(cert: x509.Certificate) -> str | None:
    """A document signature needs digitalSignature and nonRepudiation (pyHanko refuses a signer
    without the latter); a certificate without a key usage extension may be used for anything."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return None
    missing = [name for name, present in (("digitalSignature", usage.digital_signature),
                                          ("nonRepudiation", usage.content_commitment)) if not present]
    if missing:
        return f"Chứng thư số không dùng để ký văn bản được: thiếu {', '.join(missing)} (key usage)."
    return None


def certificate_problem(cert: x509.Certificate | asn1_x509.Certificate,
                        chain: Sequence[x509.Certificate | asn1_x509.Certificate],
                        trust_roots: Iterable[x509.Certificate | bytes], now: datetime) -> str | None:
    """What stops ``cert`` from signing today, checked as a signature's would be: its validity,
    its key usage, and a path through ``chain`` to one of ``trust_roots``; None if nothing."""
    specific = _certificate_reason(to_asn1(cert), now)
    if specific:
        return specific
    context = ValidationContext(trust_roots=[to_asn1(r) for r in trust_roots], other_certs=[to_asn1(c) for c in chain],
                                allow_fetching=False, moment=now)
    try:
        aio.run(CertificateValidator(to_asn1(cert), validation_context=context).async_validate_path())
    except (PathError, ValidationError):
        return "Chứng thư số không do một tổ chức chứng thực được tin cậy cấp."
    return None


def _integrity_reason(intact: bool, valid: bool, level: ModificationLevel | None, docmdp_ok: bool | None) -> str | None:
    if not intact:
        return "Nội dung văn bản đã bị thay đổi sau khi ký (giá trị băm không khớp)."
    if not valid:
        return "Giá trị chữ ký số không đúng với chứng thư số."
    if level not in _ALLOWED or not docmdp_ok:
        return "Văn bản đã bị sửa đổi sau khi ký (thay đổi nội dung trang hoặc thêm đối tượng không được phép)."
    return None


def _reason(status: PdfSignatureStatus, now: datetime) -> str | None:
    broken = _integrity_reason(status.intact, status.valid, status.modification_level, status.docmdp_ok)
    if broken:
        return broken
    if not status.trusted:
        specific = _certificate_reason(status.signing_cert, now)
        if specific:
            return specific
        if status.revoked:
            return "Chứng thư số của người ký đã bị thu hồi."
        return "Chứng thư số không do một tổ chức chứng thực được tin cậy cấp."
    return None


def _common_name(cert: asn1_x509.Certificate | None) -> str | None:
    if cert is None:
        return None
    return str(cert.subject.native.get("common_name")) if "common_name" in cert.subject.native else None


def _report(sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], now: datetime,
            store: timing.Evidence) -> SignatureReport:
    field = str(sig.field_name)  # a plain str: pyHanko's TextStringObject keeps the parsed PDF alive
    try:
        plan = timing.plan(sig, roots, now, store)
        status = aio.run(async_validate_pdf_signature(sig, plan.signer_context, ts_validation_context=plan.ts_context))
    except (SignatureValidationError, PathValidationError, PdfError, ValueError) as err:
        return SignatureReport(field, None, None, False, False, False, "other", f"Không đọc được chữ ký số: {err}")
    level = status.modification_level or ModificationLevel.OTHER
    when = status.signer_reported_dt
    cert = status.signing_cert
    weak = algorithms.problem(sig.signed_data, cert) if status.intact else None  # named before pyHanko's distrust
    reason = weak or _reason(status, plan.moment) or timing.timestamp_problem(plan, status, now)
    path = status.validation_path
    return SignatureReport(
        field, _common_name(cert), iso_time(when) if when else None,
        bool(status.bottom_line) and reason is None, bool(status.trusted), bool(status.intact),
        level.name.lower(), reason,
        issuer=_name(cert.issuer) if cert else None,
        certificate_manager=_name(path.trust_anchor.authority.name) if path is not None else None,
        timestamp=iso_time(plan.timestamp) if plan.timestamp else None,
        timestamp_authority=plan.timestamp_authority,
        not_before=iso_time(cert.not_valid_before) if cert else None,
        not_after=iso_time(cert.not_valid_after) if cert else None,
        validated_at=iso_time(plan.moment) if plan.timestamp else None, level=plan.level,
        revocation_source=store.source_for(cert) if cert is not None and plan.level in timing.LONG_TERM else None,
        algorithm=algorithms.describe(sig.signed_data, cert))


def _name(name: asn1_x509.Name) -> str:
    native = name.native
    return str(native.get("common_name") or native.get("organization_name") or name.human_friendly)


def _unchanged(sig: EmbeddedPdfSignature, kept: SignatureReport, store: timing.Evidence,
               now: datetime) -> SignatureReport | None:
    """``kept`` (the report of this signature when it was made, on the revisions before the ones
    just added) brought up to date by pyHanko's integrity checks alone: the digest of what it
    signed, its value against its certificate, and the difference analysis of every revision after
    it. Its trust needs no new judgment: a time-stamped signature is judged at the time its
    time-stamp proves, with the revocation data the earlier revisions carry, which later ones only
    add to. None when ``kept`` does not describe this signature, or its time-stamp authority's
    certificate has expired since (then it is validated in full)."""
    cert = sig.signer_cert
    try:
        claimed, stamped = sig.self_reported_timestamp, timing.stamp(sig)
    except (ValueError, KeyError, TypeError):
        return None
    if stamped is None or cert is None or (stamped[1] is not None and stamped[1] < now) or \
            (_common_name(cert), iso_time(claimed) if claimed else None, iso_time(stamped[0])) != \
            (kept.signer, kept.signing_time, kept.timestamp) or \
            (timing.claimed_level(sig, store), store.source_for(cert)) != (kept.level, kept.revocation_source):
        return None
    try:
        sig.compute_integrity_info()
        integrity = sig.summarise_integrity_info()
        intact, valid = generic_cms.validate_sig_integrity(sig.signer_info, cert, "data",
                                                           sig.compute_digest())
    except (SignatureValidationError, PdfError, ValueError) as err:
        return SignatureReport(kept.field, None, None, False, False, False, "other", f"Không đọc được chữ ký số: {err}")
    diff = integrity["diff_result"]
    level = getattr(diff, "modification_level", None) or ModificationLevel.OTHER
    reason = _integrity_reason(intact, valid, level, integrity["docmdp_ok"])
    return replace(kept, valid=reason is None, intact=intact, modification_level=level.name.lower(), reason=reason)


def verify_pdf(pdf: bytes, trust_roots: Iterable[x509.Certificate | bytes],
               now: datetime | None = None, kept: Sequence[SignatureReport] = ()) -> list[SignatureReport]:
    """One report per signature of ``pdf``, in signing order, checked against ``trust_roots``
    (certificates or DER): a time-stamped signature at the time its time-stamp proves, with the
    revocation data the document carries (never fetched); any other at ``now`` (default: the present).

    ``kept``: valid, time-stamped reports made earlier on the revisions this file adds to (issue 19:
    the agency's seal validated the leader's signature again in full). A signature one of them
    describes gets pyHanko's integrity checks and difference analysis only (:func:`_unchanged`)."""
    roots = [to_asn1(r) for r in trust_roots]
    moment = now or datetime.now(UTC)
    try:
        reader = PdfFileReader(io.BytesIO(pdf))
        signatures = reader.embedded_regular_signatures  # document time-stamps are judged with them
        store = timing.Evidence.read(reader)
    except (PdfError, ValueError, KeyError, IndexError) as err:
        raise DocumentRejected("Tệp không phải là PDF hợp lệ.") from err
    earlier = {r.field: r for r in kept if r.valid and r.timestamp is not None}
    reports = []
    for sig in signatures:
        field = str(sig.field_name)
        known = _unchanged(sig, earlier[field], store, moment) if field in earlier else None
        reports.append(known or _report(sig, roots, moment, store))
    return reports


def signature_status(reports: Sequence[SignatureReport], required: Sequence[str] = (LEADER_FIELD, AGENCY_FIELD)) -> str:
    """``none``, ``valid`` or ``invalid``, as ``Document.signature_status``: valid when every
    signature is valid and each ``required`` field is among them."""
    if not reports:
        return "none"
    fields = {r.field for r in reports}
    return "valid" if all(r.valid for r in reports) and set(required) <= fields else "invalid"

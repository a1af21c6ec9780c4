"""At what time, and with what revocation data, a signature is judged (signing.pades.verify asks).

A signature with a time-stamp (PAdES B-T and above) is judged at the time the time-stamp proves,
not today: a certificate that expired or was renewed since stays the one that was valid when the
document was signed. A signature whose document carries the OCSP responses or CRLs of its
certificates (B-LT) must be covered by them, read from the document security store and never
fetched: such a document verifies offline. Without a time-stamp the signature is judged now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import cms, crl, ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.decode_limits import DecodePurpose
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore, NoDSSFoundError
from pyhanko.sign.validation.generic_cms import extract_tst_data_iter
from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
from pyhanko.sign.validation.status import PdfSignatureStatus
from pyhanko_certvalidator import ValidationContext

from signing.pades.longterm import B_B, B_LT, B_LTA, B_T
from signing.pades.revocation import EITHER_REQUIRED

LONG_TERM = (B_LT, B_LTA)


@dataclass(frozen=True)
class Evidence:
    """What a document's security store (DSS) holds, and its document time-stamps."""

    certs: list[asn1_x509.Certificate] = field(default_factory=list)
    ocsps: list[ocsp.OCSPResponse] = field(default_factory=list)
    crls: list[crl.CertificateList] = field(default_factory=list)
    document_timestamps: list[EmbeddedPdfSignature] = field(default_factory=list)

    @classmethod
    def read(cls, reader: PdfFileReader) -> Evidence:
        stamps = list(reader.embedded_timestamp_signatures)
        try:
            dss = DocumentSecurityStore.read_dss(reader)
        except NoDSSFoundError:
            return cls(document_timestamps=stamps)
        return cls(list(dss.load_certs()),
                   [ocsp.OCSPResponse.load(r.get_object().read_data(DecodePurpose.OCSP_RESPONSE)) for r in dss.ocsps],
                   [crl.CertificateList.load(r.get_object().read_data(DecodePurpose.CRL)) for r in dss.crls], stamps)

    def source_for(self, cert: asn1_x509.Certificate) -> str | None:
        """"ocsp" when an embedded OCSP response answers for ``cert``, "crl" when a CRL of its
        issuer is embedded, None when neither."""
        for response in self.ocsps:
            answers = response["response_bytes"]["response"].parsed["tbs_response_data"]["responses"]
            if any(a["cert_id"]["serial_number"].native == cert.serial_number for a in answers):
                return "ocsp"
        if any(c.issuer == cert.issuer for c in self.crls):
            return "crl"
        return None


@dataclass(frozen=True)
class Plan:
    """How one signature is validated: the contexts for its certificate and its time-stamp, the
    moment, the level it claims."""

    signer_context: ValidationContext
    ts_context: ValidationContext
    moment: datetime
    level: str
    timestamp: datetime | None = None
    timestamp_authority: str | None = None
    tsa_not_after: datetime | None = None


def _timestamp_token(sig: EmbeddedPdfSignature) -> cms.SignedData | None:
    return next(extract_tst_data_iter(sig.signer_info, signed=False), None)


def _tsa_certificate(token: cms.SignedData) -> asn1_x509.Certificate | None:
    sid = token["signer_infos"][0]["sid"].chosen
    for choice in token["certificates"]:
        cert = choice.chosen
        if isinstance(cert, asn1_x509.Certificate) and isinstance(sid, cms.IssuerAndSerialNumber) \
                and cert.serial_number == sid["serial_number"].native:
            return cert
    return None


def stamp(sig: EmbeddedPdfSignature) -> tuple[datetime, datetime | None] | None:
    """The time the signature's time-stamp proves and the end of its TSA certificate's validity;
    None without a time-stamp."""
    token = _timestamp_token(sig)
    if token is None:
        return None
    tsa = _tsa_certificate(token)
    return _proven(token), tsa.not_valid_after if tsa else None


def _proven(token: cms.SignedData) -> datetime:
    proven: datetime = token["encap_content_info"]["content"].parsed["gen_time"].native
    return proven


def claimed_level(sig: EmbeddedPdfSignature, store: Evidence) -> str:
    """The PAdES level of a time-stamped signature: B-LT when the document carries revocation
    data for its certificate, B-LTA when a document time-stamp follows too, else B-T."""
    signer = sig.signer_cert
    if signer is None or store.source_for(signer) is None:
        return B_T
    return B_LTA if any(s.signed_revision > sig.signed_revision for s in store.document_timestamps) else B_LT


def plan(sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate], now: datetime, store: Evidence) -> Plan:
    token = _timestamp_token(sig)
    if token is None:
        context = ValidationContext(trust_roots=roots, allow_fetching=False, moment=now)
        return Plan(context, context, now, B_B)
    proven = _proven(token)
    level = claimed_level(sig, store)
    long_term = level in LONG_TERM
    kwargs: dict[str, Any] = {"trust_roots": roots, "allow_fetching": False, "moment": proven,
                              "other_certs": store.certs, "ocsps": store.ocsps, "crls": store.crls,
                              "retroactive_revinfo": True}
    if long_term:  # B-LT is a claim: every certificate of the path must be covered
        kwargs["revinfo_policy"] = EITHER_REQUIRED
    tsa = _tsa_certificate(token)
    # one context for the signer and the time-stamp, as pyHanko's default: the CA certificate and
    # the CRL both paths share are validated once, not once per path
    context = ValidationContext(**kwargs)
    return Plan(context, context, proven, level, proven,
                str(tsa.subject.native.get("common_name", tsa.subject.human_friendly)) if tsa else None,
                tsa.not_valid_after if tsa else None)


def timestamp_problem(plan: Plan, status: PdfSignatureStatus, now: datetime) -> str | None:
    """What is wrong with the time-stamp the signature is judged by (Vietnamese), or None."""
    if plan.timestamp is None:
        return None
    validity = status.timestamp_validity
    if validity is None or not validity.intact or not validity.valid or not validity.trusted:
        return "Dấu thời gian của chữ ký không hợp lệ hoặc không do tổ chức cấp dấu thời gian được tin cậy cấp."
    if plan.tsa_not_after is not None and plan.tsa_not_after < now and plan.level != B_LTA:
        return ("Chứng thư số của tổ chức cấp dấu thời gian đã hết hạn và văn bản chưa có dấu thời gian lưu trữ "
                "(PAdES B-LTA).")
    return None

"""The signer's certificate status before a signature (Circular 15/2025/TT-BKHCN Art. 5 and
Appendix I items 1.16–1.18; Decree 23/2025/NĐ-CP): OCSP (RFC 6960) first, the latest CRL when
OCSP gives no answer, through pyHanko's validation context.

:func:`check` answers with a :class:`StatusCheck` (good, revoked, unknown, unreachable; the source
used; the responses themselves, kept as evidence) and the validation context that holds them, so
that the signature embeds exactly what was checked (PAdES B-LT) without asking the responders
twice. What to do when the status cannot be checked is the agency's :class:`UnreachablePolicy`.
"""

from __future__ import annotations

import base64
import enum
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import x509 as asn1_x509
from pyhanko_certvalidator import CertificateValidator, ValidationContext
from pyhanko_certvalidator.errors import (
    ExpiredError,
    InsufficientRevinfoError,
    NotYetValidError,
    PathBuildingError,
    PathValidationError,
    RevokedError,
    ValidationError,
)
from pyhanko_certvalidator.fetchers.api import Fetchers
from pyhanko_certvalidator.path import ValidationPath
from pyhanko_certvalidator.policy_decl import CertRevTrustPolicy, RevocationCheckingPolicy, RevocationCheckingRule

from signing.speedups import revinfo_cache

# OCSP first, then the CRL when OCSP did not say "good" (pyhanko-certvalidator's "eithercheck"),
# for the signer's certificate and every CA certificate above it. An answer issued after the
# moment judged still counts (retroactive): the TSA's status is fetched after its time-stamp,
# and an answer that a certificate is not revoked now says it was not revoked before.
EITHER_REQUIRED = CertRevTrustPolicy(RevocationCheckingPolicy(
    ee_certificate_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED,
    intermediate_ca_cert_rule=RevocationCheckingRule.CRL_OR_OCSP_REQUIRED), retroactive_revinfo=True)
TIMEOUT_SECONDS = 5.0

UNREACHABLE_WARNING = ("Không kiểm tra được trạng thái thu hồi của chứng thư số: máy chủ OCSP và danh sách "
                       "chứng thư số bị thu hồi (CRL) của tổ chức chứng thực không trả lời.")


class Status(enum.StrEnum):
    GOOD = "good"  # còn hiệu lực, chưa bị thu hồi
    REVOKED = "revoked"  # đã bị thu hồi
    UNKNOWN = "unknown"  # tổ chức chứng thực không biết chứng thư số này
    UNREACHABLE = "unreachable"  # không kiểm tra được
    INVALID = "invalid"  # hết hạn, chưa có hiệu lực, không do CA tin cậy cấp


class UnreachablePolicy(enum.StrEnum):
    """What an agency does when the status cannot be checked: refuse to sign, or sign with the
    warning recorded with the signature (chính sách khi không kiểm tra được trạng thái)."""

    REFUSE = "refuse"
    WARN = "warn"


@dataclass(frozen=True)
class StatusCheck:
    """The check before a signature, kept with it (Circular 15/2025 Art. 5: the certificate, the
    CRL or OCSP response at signing time, and the check's result)."""

    status: Status
    source: str | None  # "ocsp" or "crl": what answered for the signer's certificate
    checked_at: datetime
    message: str | None = None  # Vietnamese, for the signer, when the status is not good
    ocsp_responses: tuple[bytes, ...] = field(default=(), repr=False)
    crls: tuple[bytes, ...] = field(default=(), repr=False)

    @property
    def good(self) -> bool:
        return self.status == Status.GOOD

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["checked_at"] = self.checked_at.isoformat()
        data["ocsp_responses"] = [base64.b64encode(r).decode() for r in self.ocsp_responses]
        data["crls"] = [base64.b64encode(c).decode() for c in self.crls]
        return data


@dataclass(frozen=True)
class Online:
    """A validation context that fetches OCSP responses and CRLs (each request bounded by a
    timeout) and keeps them, with its fetchers: the same context then embeds them in the
    signature's DSS. Made inside a coroutine (the fetchers belong to its event loop)."""

    context: ValidationContext
    fetchers: Fetchers
    # The signer's path as :func:`check` validated it, revocation data included: the DSS embeds it
    # (signing.pades.longterm) without validating it again.
    paths: list[ValidationPath] = field(default_factory=list, compare=False)

    @classmethod
    def make(cls, trust_roots: Iterable[asn1_x509.Certificate], chain: Sequence[asn1_x509.Certificate],
             now: datetime | None, timeout: float = TIMEOUT_SECONDS,
             fresh: Sequence[asn1_x509.Certificate] = ()) -> Online:
        """``now`` None: the present, as the responders see it. The status of ``fresh`` (the
        signer's certificate) is always asked; the CAs' and the TSA's may come from this
        process's answers still valid (:mod:`signing.speedups.revinfo_cache`)."""
        fetchers = revinfo_cache.fetchers(timeout, fresh)
        return cls(ValidationContext(trust_roots=list(trust_roots), other_certs=list(chain), allow_fetching=True,
                                     revinfo_policy=EITHER_REQUIRED, moment=now, fetchers=fetchers), fetchers)

    def _statuses(self, cert: asn1_x509.Certificate) -> list[str]:
        return [r["response_bytes"]["response"].parsed["tbs_response_data"]["responses"][0]["cert_status"].name
                for r in self.fetchers.ocsp_fetcher.fetched_responses_for_cert(cert)]

    def source(self, cert: asn1_x509.Certificate) -> str | None:
        """What answered for ``cert``: "ocsp" when OCSP said good, else "crl" when a CRL was read."""
        if "good" in self._statuses(cert):
            return "ocsp"
        return "crl" if list(self.fetchers.crl_fetcher.fetched_crls_for_cert(cert)) else None

    def said_unknown(self, cert: asn1_x509.Certificate) -> bool:
        return "unknown" in self._statuses(cert)


async def check(cert: asn1_x509.Certificate, online: Online, now: datetime) -> StatusCheck:
    """The status of ``cert`` through ``online`` at ``now``."""
    context = online.context
    message: str | None = None
    try:
        online.paths.append(await CertificateValidator(cert, validation_context=context)
                            .async_validate_usage({"non_repudiation"}))
        status = Status.GOOD
    except RevokedError:
        status, message = Status.REVOKED, "Chứng thư số của người ký đã bị tổ chức chứng thực thu hồi: không được ký."
    except InsufficientRevinfoError:
        status, message = Status.UNREACHABLE, UNREACHABLE_WARNING
    except ExpiredError:
        status, message = Status.INVALID, "Chứng thư số của người ký đã hết hạn."
    except NotYetValidError:
        status, message = Status.INVALID, "Chứng thư số của người ký chưa có hiệu lực."
    except (PathBuildingError, PathValidationError, ValidationError) as err:
        status, message = Status.INVALID, f"Chứng thư số không hợp lệ: {err}"
    if online.said_unknown(cert) and status != Status.REVOKED:
        status = Status.UNKNOWN
        message = "Tổ chức chứng thực trả lời không biết chứng thư số này (OCSP: unknown): không được ký."
    return StatusCheck(status, online.source(cert) if status == Status.GOOD else None, now, message,
                       tuple(r.dump() for r in context.ocsps), tuple(c.dump() for c in context.crls))

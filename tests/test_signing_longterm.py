"""Signatures under Circular 15/2025/TT-BKHCN against a test CA on 127.0.0.1 (OCSP, CRL, TSA):
RSASSA-PSS, the status check before signing with the agency's policy, B-T/B-LT/B-LTA, and the
verification at the time the time-stamp proves, offline, in pyHanko, pdfsig and openssl cms."""

from __future__ import annotations

import io
import subprocess
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.pdf_embedded import extract_contents
from pyhanko_certvalidator.util import process_pss_params

from signing.errors import SigningError
from signing.keystore.keys import ExternalKey, Pkcs12Key, to_asn1
from signing.keystore.testca import LocalCa, LocalCaServer
from signing.pades import algorithms, longterm, pdfsign, split, verify
from signing.pades.pdfsig import pdfsig
from signing.pades.revocation import Status, UnreachablePolicy
from signing.pdf import draft
from tests.signing_support import AGENCY, ISSUED_ON, LEADER, NUMBER, POSITION, seal_png, signature_png
from tests.signing_support import draft as draft_pdf

PASSWORD = "x"


@pytest.fixture(scope="module")
def ca() -> Iterator[LocalCa]:
    with LocalCaServer() as ca:
        yield ca


@pytest.fixture(autouse=True)
def responders_up(ca: LocalCa) -> Iterator[None]:
    ca.down = False
    ca.requests.clear()
    yield
    ca.down = False


def _key(identity) -> Pkcs12Key:  # type: ignore[no-untyped-def]
    return Pkcs12Key(identity.pkcs12(PASSWORD), PASSWORD)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _settings(ca: LocalCa, policy: UnreachablePolicy = UnreachablePolicy.REFUSE, tsa: bool = True) -> longterm.Settings:
    return longterm.Settings(tsa_url=ca.tsa_url if tsa else None, unreachable=policy, timeout=5)


def _leader(ca: LocalCa, identity, settings: longterm.Settings) -> longterm.Signed:  # type: ignore[no-untyped-def]
    now = _now()
    step = pdfsign.leader_step(LEADER, POSITION, AGENCY, signature_png(), now)
    return longterm.sign_checked(draft.prepare_draft(draft_pdf()), step, _key(identity),
                                 [to_asn1(ca.root.certificate)], settings, now)


def _issued(ca: LocalCa, leader, agency) -> bytes:  # type: ignore[no-untyped-def]
    signed = _leader(ca, leader, _settings(ca))
    filled = draft.fill_number(signed.pdf, NUMBER, ISSUED_ON, "Hà Nội")
    now = _now()
    return longterm.sign_checked(filled, pdfsign.agency_step(AGENCY, seal_png(), now), _key(agency),
                                 [to_asn1(ca.root.certificate)], _settings(ca), now).pdf


def _openssl_verify(pdf: bytes, root_pem: bytes) -> list[subprocess.CompletedProcess[bytes]]:
    """``openssl cms -verify`` of each signature over its signed byte ranges."""
    done = []
    reader = PdfFileReader(io.BytesIO(pdf))
    for sig in reader.embedded_signatures:
        start1, len1, start2, len2 = (int(v) for v in sig.sig_object["/ByteRange"])
        with tempfile.TemporaryDirectory() as folder:
            Path(folder, "sig.der").write_bytes(extract_contents(sig.sig_object))
            Path(folder, "content.bin").write_bytes(pdf[start1:start1 + len1] + pdf[start2:start2 + len2])
            Path(folder, "root.pem").write_bytes(root_pem)
            done.append(subprocess.run(
                ["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", "sig.der", "-content", "content.bin",
                 "-CAfile", "root.pem", "-purpose", "any", "-out", "/dev/null"], cwd=folder, capture_output=True))
    return done


def test_an_issued_document_is_b_lt_with_pss_and_validates_offline_in_pyhanko_pdfsig_and_openssl(ca: LocalCa) -> None:
    leader, agency = ca.issue(LEADER, AGENCY), ca.issue(AGENCY, AGENCY)
    issued = _issued(ca, leader, agency)
    ca.down = True  # offline: only what the document carries
    ca.requests.clear()
    reports = verify.verify_pdf(issued, [ca.root.certificate])
    assert [r.field for r in reports] == [draft.LEADER_FIELD, draft.AGENCY_FIELD]
    for report in reports:
        assert report.valid, report.reason
        assert report.level == "B-LT" and report.revocation_source == "ocsp"
        assert report.algorithm == "RSASSA-PSS, SHA-256, RSA 2048 bit"
        assert report.timestamp is not None and report.timestamp_authority
    assert ca.requests == []  # nothing fetched
    cms_algorithms = {sig.signer_info["signature_algorithm"]["algorithm"].native
                      for sig in PdfFileReader(io.BytesIO(issued)).embedded_signatures}
    assert cms_algorithms == {"rsassa_pss"}
    poppler = pdfsig(issued, [ca.root.certificate])
    assert [p["signature_valid"] for p in poppler] == [True, True], poppler
    root_pem = ca.root.certificate.public_bytes(serialization.Encoding.PEM)
    for done in _openssl_verify(issued, root_pem):
        assert done.returncode == 0 and b"Verification successful" in done.stderr, done.stderr


def test_a_time_stamped_signature_stays_valid_after_its_certificate_expires(ca: LocalCa) -> None:
    leader, agency = ca.issue(LEADER, AGENCY, days=30), ca.issue(AGENCY, AGENCY, days=30)
    issued = _issued(ca, leader, agency)
    later = leader.certificate.not_valid_after_utc + timedelta(days=400)
    reports = verify.verify_pdf(issued, [ca.root.certificate], later)
    assert all(r.valid for r in reports), [r.reason for r in reports]
    assert [r.validated_at for r in reports] == [r.timestamp for r in reports]
    # the same certificate without a time-stamp: judged at the later date, expired
    plain = pdfsign.sign_leader(draft.prepare_draft(draft_pdf()), _key(leader), LEADER, POSITION, AGENCY,
                                signature_png(), _now())
    [report] = verify.verify_pdf(plain, [ca.root.certificate], later)
    assert not report.valid and "hết hạn" in (report.reason or "")


def test_a_revoked_signer_is_refused_before_anything_is_signed(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY)
    ca.revoke(leader.certificate)
    with pytest.raises(SigningError, match="thu hồi"):
        _leader(ca, leader, _settings(ca, UnreachablePolicy.WARN))
    assert "ocsp" in ca.requests and "tsa" not in ca.requests


def test_a_certificate_the_ca_does_not_know_is_refused(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY)
    ca.issued.discard(leader.certificate.serial_number)
    with pytest.raises(SigningError, match="unknown"):
        _leader(ca, leader, _settings(ca, UnreachablePolicy.WARN))


def test_the_crl_answers_when_the_certificate_names_no_ocsp_responder(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY, ocsp_url=False)
    signed = _leader(ca, leader, _settings(ca))
    assert signed.check.status == Status.GOOD and signed.check.source == "crl" and signed.check.crls
    assert signed.level == "B-LT"
    [report] = verify.verify_pdf(signed.pdf, [ca.root.certificate])
    assert report.valid and report.revocation_source == "crl"


def test_responder_down_the_agency_refuses_with_the_warning(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY)
    ca.down = True
    with pytest.raises(SigningError, match="Không kiểm tra được trạng thái thu hồi") as refused:
        _leader(ca, leader, _settings(ca, UnreachablePolicy.REFUSE))
    assert "không ký khi chưa kiểm tra được" in refused.value.message
    assert "tsa" not in ca.requests


def test_responder_down_the_agency_signs_with_the_warning_recorded(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY)
    ca.down = True
    signed = _leader(ca, leader, _settings(ca, UnreachablePolicy.WARN))
    assert signed.check.status == Status.UNREACHABLE and signed.warning and "OCSP" in signed.warning
    assert signed.level == "B-T" and "tsa" in ca.requests
    [report] = verify.verify_pdf(signed.pdf, [ca.root.certificate])
    assert report.valid and report.level == "B-T" and report.revocation_source is None


def test_ecdsa_p256_signs_at_b_lt(ca: LocalCa) -> None:
    signed = _leader(ca, ca.issue(LEADER, AGENCY, algorithm="ec"), _settings(ca))
    [report] = verify.verify_pdf(signed.pdf, [ca.root.certificate])
    assert report.valid and report.level == "B-LT" and report.algorithm == "ECDSA, SHA-256, EC 256 bit"


def test_rsa_under_2048_and_sha1_are_refused_at_signing(ca: LocalCa) -> None:
    step = pdfsign.leader_step(LEADER, POSITION, AGENCY, signature_png(), _now())
    with pytest.raises(SigningError, match="RSA 1024 bit"):
        pdfsign.sign(draft.prepare_draft(draft_pdf()), step, _key(ca.issue(LEADER, AGENCY, bits=1024)))
    with pytest.raises(SigningError, match="SHA1.*Thông tư 15/2025"):
        algorithms.check_signer(to_asn1(ca.issue(LEADER, AGENCY).certificate), "sha1")


def test_a_short_rsa_key_is_flagged_at_verification(ca: LocalCa, monkeypatch: pytest.MonkeyPatch) -> None:
    weak = ca.issue(LEADER, AGENCY, bits=1024)
    monkeypatch.setattr(algorithms, "check_signer", lambda cert, digest: None)  # a signature made elsewhere
    signed = pdfsign.sign_leader(draft.prepare_draft(draft_pdf()), _key(weak), LEADER, POSITION, AGENCY,
                                 signature_png(), _now())
    [report] = verify.verify_pdf(signed, [ca.root.certificate])
    assert not report.valid and "Thông tư 15/2025" in (report.reason or "") and "1024" in (report.reason or "")


def test_an_archived_document_gets_a_document_time_stamp_renewed_before_its_tsa_expires(ca: LocalCa) -> None:
    issued = _issued(ca, ca.issue(LEADER, AGENCY), ca.issue(AGENCY, AGENCY))
    now = _now()
    assert longterm.needs_renewal(issued, now, timedelta(days=180))
    stamper = longterm.timestamper(ca.tsa_url)
    archived = longterm.archive_timestamp(issued, stamper, [to_asn1(ca.root.certificate)])
    assert longterm.last_timestamp_expiry(archived) == ca.tsa.certificate.not_valid_after_utc
    assert not longterm.needs_renewal(archived, now, timedelta(days=180))
    tsa_expiry = ca.tsa.certificate.not_valid_after_utc
    assert longterm.needs_renewal(archived, tsa_expiry - timedelta(days=30), timedelta(days=180))
    renewed = longterm.archive_timestamp(archived, stamper, [to_asn1(ca.root.certificate)])
    assert len(PdfFileReader(io.BytesIO(renewed)).embedded_timestamp_signatures) == 2
    reports = verify.verify_pdf(renewed, [ca.root.certificate])
    assert [r.level for r in reports] == ["B-LTA", "B-LTA"] and all(r.valid for r in reports)


def test_a_token_holders_split_signature_is_checked_time_stamped_and_b_lt(ca: LocalCa) -> None:
    holder = ca.issue(LEADER, AGENCY)
    der = holder.certificate.public_bytes(serialization.Encoding.DER)
    key = ExternalKey(der, holder.chain[:-1])
    settings = _settings(ca)
    roots = [to_asn1(ca.root.certificate)]
    now = _now()
    step = pdfsign.leader_step(LEADER, POSITION, AGENCY, signature_png(), now)
    pending = split.begin(draft.prepare_draft(draft_pdf()), step, key, "Dự thảo", now=now,
                          timestamper=settings.timestamper())
    mechanism = key.signature_mechanism()
    assert mechanism["algorithm"].native == "rsassa_pss"
    pss, digest = process_pss_params(mechanism["parameters"])
    value = holder.key.sign(pending.request.data, pss, digest)  # what the token does after the PIN
    signed = longterm.finish_split_checked(pending, pending.request.id, value, roots, settings, now)
    assert signed.level == "B-LT" and signed.check.source == "ocsp"
    [report] = verify.verify_pdf(signed.pdf, [ca.root.certificate])
    assert report.valid and report.level == "B-LT" and report.algorithm == "RSASSA-PSS, SHA-256, RSA 2048 bit"
    ca.revoke(holder.certificate)
    with pytest.raises(SigningError, match="thu hồi"):
        longterm.check_only(to_asn1(der), list(key.chain), roots, settings, now)

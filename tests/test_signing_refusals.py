"""Signatures that must be refused, each with a clear Vietnamese reason: a changed byte, page
content changed after the leader signed, an untrusted root, an expired certificate, a
certificate without the signing key usage."""

from __future__ import annotations

import io

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.keystore import pki
from signing.pades.pdfsig import pdfsig
from signing.pades.pdfsign import sign_leader
from signing.pades.verify import SignatureReport, signature_status, verify_pdf
from signing.pdf.draft import prepare_draft
from tests import signing_support as s
from tests.pdfs import minimal_pdf


def _verify(pdf: bytes) -> list[SignatureReport]:
    return verify_pdf(pdf, [s.demo_pki().root.certificate])


def _signed_by(identity: pki.Identity) -> bytes:
    return sign_leader(prepare_draft(s.draft()), s.p12_key(identity), s.LEADER, "GIÁM ĐỐC", s.AGENCY,
                       s.signature_png(), s.WHEN)


def test_one_changed_byte_breaks_the_signature() -> None:
    pdf = s.fully_signed()
    at = pdf.index(b"/MediaBox")  # inside the leader's signed range
    tampered = pdf[:at] + b"/MediaBoy" + pdf[at + len(b"/MediaBox"):]
    reports = _verify(tampered)
    assert not reports[0].valid and not reports[0].intact
    assert reports[0].reason == "Nội dung văn bản đã bị thay đổi sau khi ký (giá trị băm không khớp)."
    assert signature_status(reports) == "invalid"
    poppler = pdfsig(tampered, [s.demo_pki().root.certificate])
    assert not poppler[0]["signature_valid"]  # pdfsig agrees, though it exits 0


def test_page_content_changed_after_the_leader_signed() -> None:
    writer = IncrementalPdfFileWriter(io.BytesIO(s.leader_signed()))
    extra = generic.StreamObject(stream_data=b"BT /F1 18 Tf 72 600 Td (Noi dung them) Tj ET")
    writer.add_stream_to_page(0, writer.add_object(extra))
    out = io.BytesIO()
    writer.write(out)
    [report] = _verify(out.getvalue())
    assert report.intact and not report.valid
    assert report.modification_level == "other"
    assert report.reason is not None and report.reason.startswith("Văn bản đã bị sửa đổi sau khi ký")
    # poppler still calls it valid: pyHanko is the judge
    assert pdfsig(out.getvalue(), [s.demo_pki().root.certificate])[0]["signature_valid"]


def test_certificate_from_an_untrusted_root() -> None:
    stranger = pki.create_intermediate(pki.create_root(pki.UNTRUSTED_ROOT_NAME))
    [report] = _verify(_signed_by(pki.issue(stranger, s.LEADER, s.AGENCY)))
    assert report.intact and not report.trusted and not report.valid
    assert report.reason == "Chứng thư số không do một tổ chức chứng thực được tin cậy cấp."


def test_expired_certificate() -> None:
    [report] = _verify(_signed_by(pki.issue(s.demo_pki().ca, s.LEADER, s.AGENCY, expired=True)))
    assert not report.valid and not report.trusted
    assert report.reason is not None and report.reason.startswith("Chứng thư số của người ký đã hết hạn từ ")


def test_certificate_without_the_signing_key_usage() -> None:
    identity = pki.issue(s.demo_pki().ca, s.LEADER, s.AGENCY, usage=pki.ENCRYPTION_USAGE)
    [report] = _verify(_signed_by(identity))
    assert not report.valid
    assert report.reason == \
        "Chứng thư số không dùng để ký văn bản được: thiếu digitalSignature, nonRepudiation (key usage)."


def test_certificate_without_non_repudiation_is_named_a_key_usage_problem() -> None:
    # pyHanko refuses it as untrusted; the reason must say why, not blame the issuer.
    identity = pki.issue(s.demo_pki().ca, s.LEADER, s.AGENCY, usage=pki.AUTHENTICATION_USAGE)
    [report] = _verify(_signed_by(identity))
    assert not report.valid and not report.trusted
    assert report.reason == "Chứng thư số không dùng để ký văn bản được: thiếu nonRepudiation (key usage)."


def test_no_trust_root_given_means_untrusted() -> None:
    reports = verify_pdf(s.fully_signed(), [])
    assert [r.valid for r in reports] == [False, False]
    assert signature_status(reports) == "invalid"


def test_unsigned_document_has_status_none() -> None:
    assert signature_status(_verify(minimal_pdf())) == "none"
    assert signature_status(_verify(s.leader_signed())) == "invalid"  # the agency has not signed yet


@pytest.mark.parametrize("usage", [pki.SIGNING_USAGE, pki.ENCRYPTION_USAGE])
def test_key_usage_is_critical(usage: str) -> None:
    from cryptography import x509

    cert = pki.issue(s.demo_pki().ca, "X", usage=usage).certificate
    extension = cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert extension.critical
    assert extension.value.digital_signature == extension.value.content_commitment == (usage == pki.SIGNING_USAGE)

"""The signed attributes kept per signer (signing.speedups.fixedattrs) are byte for byte the ones
pyHanko's own signer builds, for each digest algorithm and padding, signature after signature;
the signature algorithm parsed back from its encoding is the same value; and signatures made
with them verify."""

from __future__ import annotations

import pytest
from pyhanko.sign.signers import Signer
from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes

from signing.keystore.keys import Pkcs12Key
from signing.pades import algorithms
from signing.pades.pdfsign import sign_leader
from signing.pades.verify import verify_pdf
from signing.pdf.draft import prepare_draft
from signing.speedups import aio, fixedattrs
from tests import signing_support as s

DIGESTS = {"sha256": bytes(range(32)), "sha384": bytes(range(48))}


def _signed_attributes(signer: Signer, digest: str) -> bytes:
    # aio.run: a browser test earlier in the session may leave Playwright's loop running here.
    attributes = aio.run(signer.signed_attrs(DIGESTS[digest], digest, PdfCMSSignedAttributes(), use_pades=True))
    return bytes(attributes.dump())


@pytest.mark.parametrize("digest", sorted(DIGESTS))
@pytest.mark.parametrize("pss", [True, False])
def test_the_kept_attributes_are_pyhankos(digest: str, pss: bool) -> None:
    signer = Pkcs12Key(s.demo_pki().leader.pkcs12(s.PASSWORD), s.PASSWORD, pss=pss).signer()
    # pyHanko's own signer with the same certificate and mechanism, nothing kept
    plain = Signer(signing_cert=signer.signing_cert, signature_mechanism=signer.signature_mechanism)
    expected = _signed_attributes(plain, digest)
    assert [_signed_attributes(signer, digest) for _ in range(3)] == [expected] * 3


def test_the_signature_algorithm_parsed_back_is_the_same_value() -> None:
    cert = s.p12_key(s.demo_pki().leader).certificate
    for pss in (True, False):
        built = algorithms.mechanism(cert, "sha256", pss)
        again = fixedattrs.encoded(built)
        assert type(again) is type(built) and again.dump() == built.dump() and again.native == built.native


def test_signatures_made_with_kept_attributes_verify() -> None:
    key = Pkcs12Key(s.demo_pki().leader.pkcs12(s.PASSWORD), s.PASSWORD)
    for _ in range(2):  # the second with the kept encodings
        signed = sign_leader(prepare_draft(s.draft()), key, s.LEADER, s.POSITION, s.AGENCY, s.signature_png(), s.WHEN)
        [report] = verify_pdf(signed, [s.demo_pki().root.certificate])
        assert report.valid, report.reason

"""Trích sao (Decree 30 Art. 25–27): the copy holds only the chosen extract of the original's
pages, then the copy form "TRÍCH SAO" with its number, place and date fields; the leader's
and the agency's signatures are valid in pyHanko and pdfsig (signing/pdf/copies.py)."""

from __future__ import annotations

import pytest

from signing.errors import DocumentRejected
from signing.pades.pdfsig import pdfsig
from signing.pades.pdfsign import sign_agency, sign_leader
from signing.pades.verify import verify_pdf
from signing.pdf import copies
from signing.pdf.draft import fill_number
from tests.pdfs import pages_pdf
from tests.signing_support import (
    AGENCY,
    ISSUED_ON,
    LEADER,
    POSITION,
    WHEN,
    demo_pki,
    p12_key,
    pdf_text,
    seal_png,
    signature_png,
)


def _four_pages() -> bytes:
    return pages_pdf("Trang so mot", "Trang so hai", "Trang so ba", "Trang so bon")


def test_an_extract_copies_only_its_pages_with_the_copy_form_and_valid_signatures() -> None:
    pki = demo_pki()
    copy = copies.prepare_copy(_four_pages(), "TrS", AGENCY, pages="1-2,4")
    pdf = sign_leader(copy, p12_key(pki.leader), LEADER, POSITION, AGENCY, signature_png(), WHEN)
    pdf = sign_agency(fill_number(pdf, "03/TrS-TTYT", ISSUED_ON, "Hà Nội"), p12_key(pki.agency), AGENCY,
                      seal_png(), WHEN)
    pages = pdf_text(pdf).split("\f")
    assert ["Trang so mot" in pages[0], "Trang so hai" in pages[1], "Trang so bon" in pages[2]] == [True] * 3
    assert "Trang so ba" not in pdf_text(pdf)
    form = pages[3]
    assert "TRÍCH SAO" in form and AGENCY.upper() in form and "03/TrS-TTYT" in form and "Hà Nội" in form
    assert LEADER in form
    roots = [pki.root.certificate]
    assert [(r.field, r.valid, r.intact) for r in verify_pdf(pdf, roots)] == [
        ("LanhDao", True, True), ("CoQuan", True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 2


@pytest.mark.parametrize(("kind", "pages", "said"), [
    ("TrS", None, "Trích sao cần các trang trích"), ("SY", "1", "Trích sao cần các trang trích"),
    ("TrS", "2-x", "Trang trích sao không hợp lệ"), ("TrS", "1,5", "Văn bản gốc chỉ có 4 trang.")])
def test_an_extract_needs_pages_of_the_original(kind: str, pages: str | None, said: str) -> None:
    with pytest.raises(DocumentRejected, match=said):
        copies.prepare_copy(_four_pages(), kind, AGENCY, pages=pages)

"""Approval signatures (ký nháy) before the leader's, visible or invisible, stay valid through the
leader's signature, the number and date and the agency's signature (signing/pades/initials.py)."""

from __future__ import annotations

import pytest

from signing.keystore.pki import create_root, issue
from signing.pades import initials
from signing.pades.pdfsig import pdfsig
from signing.pades.pdfsign import sign, sign_agency, sign_leader
from signing.pades.verify import verify_pdf
from signing.pdf.appearance import Box
from signing.pdf.draft import fill_number, prepare_draft, read
from signing.pdf.placeholders import placed
from tests.pdfs import minimal_pdf
from tests.signing_support import (
    AGENCY,
    ISSUED_ON,
    LEADER,
    NUMBER,
    POSITION,
    WHEN,
    demo_pki,
    p12_key,
    seal_png,
    signature_png,
)


@pytest.mark.parametrize("mode", initials.MODES)
def test_two_approvals_then_leader_and_agency_all_valid(mode: initials.Mode) -> None:
    pki = demo_pki()
    pdf = prepare_draft(minimal_pdf(), placed=placed(Box(40, 688, 285, 708), Box(300, 688, 565, 708)))
    # each approval by a leader of its own (poppler cannot judge one certificate in two signatures)
    for unit, name in (("VPS", "Lâm Văn Hiếu"), ("TTKC", "Cao Minh Trí")):
        key = p12_key(issue(pki.ca, name, AGENCY))
        pdf = sign(pdf, initials.initial_step(read(pdf), name, unit, mode, WHEN), key)
    assert initials.field_names(read(pdf)) == ["KyNhay1", "KyNhay2"]
    pdf = sign_leader(pdf, p12_key(pki.leader), LEADER, POSITION, AGENCY, signature_png(), WHEN)
    pdf = sign_agency(fill_number(pdf, NUMBER, ISSUED_ON, "Hà Nội"), p12_key(pki.agency), AGENCY, seal_png(), WHEN)
    roots = [pki.root.certificate]
    assert [(r.field, r.valid, r.intact) for r in verify_pdf(pdf, roots)] == [
        ("KyNhay1", True, True), ("KyNhay2", True, True), ("LanhDao", True, True), ("CoQuan", True, True)]
    assert [(p["signature_valid"], p["certificate_trusted"]) for p in pdfsig(pdf, roots)] == [(True, True)] * 4


def test_one_certificate_signing_twice_is_trusted_by_pdfsig_for_both() -> None:
    """The same leader's approval (ký nháy) and then their signature: poppler 22.12 alone calls
    the second "Unknown issue with Certificate" (a stale NSS error, signing/pades/pdfsig.py); each
    signature is valid and trusted, and a root the signer does not chain to still trusts none."""
    pki = demo_pki()
    pdf = prepare_draft(minimal_pdf(), placed=placed(Box(40, 688, 285, 708), Box(300, 688, 565, 708)))
    leader = p12_key(pki.leader)
    pdf = sign(pdf, initials.initial_step(read(pdf), LEADER, "VPS", "initial", WHEN), leader)
    pdf = sign_leader(pdf, leader, LEADER, POSITION, AGENCY, signature_png(), WHEN)
    pdf = sign_agency(fill_number(pdf, NUMBER, ISSUED_ON, "Hà Nội"), p12_key(pki.agency), AGENCY, seal_png(), WHEN)
    roots = [pki.root.certificate]
    assert [(r.field, r.valid) for r in verify_pdf(pdf, roots)] == [
        ("KyNhay1", True), ("LanhDao", True), ("CoQuan", True)]
    poppler = pdfsig(pdf, roots)
    assert sorted((p["field"], p["signer"], p["signature_valid"], p["certificate_trusted"]) for p in poppler) == [
        ("CoQuan", AGENCY, True, True), ("KyNhay1", LEADER, True, True), ("LanhDao", LEADER, True, True)]
    stranger = create_root("QLVB OTHER ROOT").certificate
    assert [p["certificate_trusted"] for p in pdfsig(pdf, [stranger])] == [False] * 3

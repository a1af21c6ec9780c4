"""The agency's seal validates its own signature in full and the leader's with pyHanko's integrity
checks only (issue 19, CPU per step): the leader's signature was validated in full when it was
made, and its report is kept with the document; after the seal it gets the digest of what it
signed, its value against its certificate and pyHanko's difference analysis of every revision
added since, not its trust judged a second time. It keeps the guarantee that an issued document
is exactly what its signers signed:

- the reports are those a full validation gives, and the issue step validates one signature in
  full (two before);
- an earlier revision altered (a byte the leader signed), or a page changed in a revision after
  the leader's signature, is still refused with the kept report at hand;
- a kept report that does not describe the signature (another signing time) is not reused.

The clerk's number and date are filled in the agency signature's own revision (one revision, not
two, for the difference analysis to review after the leader's signature): the issued document
is the leader-signed one plus that revision and its DSS, pyHanko reviews one revision fewer, and
an altered earlier revision is still refused at the issue itself.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import StandardDiffPolicy

from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Document
from engine.signatures import signatures, trust_store
from signing.errors import DocumentRejected
from signing.keystore.keys import Pkcs12Key, to_asn1
from signing.keystore.testca import LocalCa
from signing.pades import longterm, pdfsign, verify
from signing.pades.pdfsig import pdfsig
from signing.pdf import draft
from tests import test_signing_2025_flow as long_term
from tests.conftest import Api
from tests.flows import complete, only_task, to_director
from tests.signing_support import AGENCY, ISSUED_ON, LEADER, NUMBER, POSITION, pdf_text, seal_png, signature_png
from tests.signing_support import draft as draft_pdf

# the demo platform signing B-LT with the local CA's keys, trust and TSA, and that CA (one per module)
ca, identities, platform, responders_up = long_term.ca, long_term.identities, long_term.platform, \
    long_term.responders_up

PASSWORD = "x"
CLERK, DIRECTOR = "btl_clerk", "btl_director"


def _sign(ca: LocalCa, pdf: bytes, step: pdfsign.Step, name: str, now: datetime) -> bytes:
    key = Pkcs12Key(ca.issue(name, AGENCY).pkcs12(PASSWORD), PASSWORD)
    return longterm.sign_checked(pdf, step, key, [to_asn1(ca.root.certificate)],
                                 longterm.Settings(tsa_url=ca.tsa_url, timeout=5), now).pdf


def _leader(ca: LocalCa) -> bytes:
    now = datetime.now(UTC).replace(microsecond=0)
    step = pdfsign.leader_step(LEADER, POSITION, AGENCY, signature_png(), now)
    return _sign(ca, draft.prepare_draft(draft_pdf()), step, LEADER, now)


def _sealed(ca: LocalCa, leader_signed: bytes) -> bytes:
    """The issue's agency signature, the number and date filled in its own revision."""
    now = datetime.now(UTC).replace(microsecond=0)
    step = pdfsign.agency_step(AGENCY, seal_png(), now, draft.Numbering(NUMBER, ISSUED_ON, "Hà Nội"))
    return _sign(ca, leader_signed, step, AGENCY, now)


@pytest.fixture(scope="module")
def signed(ca: LocalCa) -> tuple[bytes, bytes]:
    """(the leader-signed file, the issued one made on it), both B-LT."""
    leader = _leader(ca)
    return leader, _sealed(ca, leader)


@pytest.fixture
def reviewed(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The revisions pyHanko's difference analysis reviewed (one ``apply`` each), by number."""
    seen: list[int] = []
    original = StandardDiffPolicy.apply

    def counted(self: StandardDiffPolicy, old: Any, new: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append(new.revision)
        return original(self, old, new, *args, **kwargs)

    monkeypatch.setattr(StandardDiffPolicy, "apply", counted)
    return seen


def _revisions(pdf: bytes) -> int:
    return int(PdfFileReader(io.BytesIO(pdf)).xrefs.total_revisions)


@pytest.fixture
def full_validations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fields of the signatures validated in full (trust, time-stamp, revocation data)."""
    seen: list[str] = []
    original = verify._report  # noqa: SLF001 - the full validation of one signature

    def counted(sig: Any, *args: Any) -> verify.SignatureReport:
        seen.append(str(sig.field_name))
        return original(sig, *args)

    monkeypatch.setattr(verify, "_report", counted)
    return seen


def _roots(ca: LocalCa) -> list[bytes]:
    return [to_asn1(ca.root.certificate).dump()]


def test_the_kept_report_gives_what_a_full_validation_gives(ca: LocalCa, signed: tuple[bytes, bytes],
                                                             full_validations: list[str]) -> None:
    leader, issued = signed
    kept = verify.verify_pdf(leader, _roots(ca))
    assert [(r.field, r.valid, r.modification_level) for r in kept] == [(draft.LEADER_FIELD, True, "lta_updates")]
    full_validations.clear()
    cut = verify.verify_pdf(issued, _roots(ca), kept=kept)
    assert full_validations == [draft.AGENCY_FIELD]  # the leader's is not validated in full again
    full_validations.clear()
    assert cut == verify.verify_pdf(issued, _roots(ca))
    assert full_validations == [draft.LEADER_FIELD, draft.AGENCY_FIELD]
    assert [(r.valid, r.level, r.modification_level) for r in cut] == [(True, "B-LT", "form_filling"),
                                                                       (True, "B-LT", "lta_updates")]
    assert [p["signature_valid"] for p in pdfsig(issued, [ca.root.certificate])] == [True, True]


def test_the_number_and_the_seal_are_one_revision_reviewed_once(ca: LocalCa, signed: tuple[bytes, bytes],
                                                                 reviewed: list[int]) -> None:
    """The issued document is the leader-signed file and two revisions: the agency's signature with
    the number and date it signs, then its DSS (three before: the number had its own). pyHanko
    reviews, after the leader's signature, its DSS and those two; after the agency's, its DSS."""
    leader, issued = signed
    assert issued.startswith(leader)
    leader_revisions = _revisions(leader)
    assert _revisions(issued) == leader_revisions + 2
    kept = verify.verify_pdf(leader, _roots(ca))
    reviewed.clear()
    reports = verify.verify_pdf(issued, _roots(ca), kept=kept)
    assert sorted(reviewed) == [leader_revisions - 1, leader_revisions, leader_revisions + 1, leader_revisions + 1]
    assert [(r.field, r.valid, r.modification_level) for r in reports] == [
        (draft.LEADER_FIELD, True, "form_filling"), (draft.AGENCY_FIELD, True, "lta_updates")]
    text = pdf_text(issued)
    assert "05/QĐ-TTYT" in " ".join(text.split()) and "ngày 02 tháng 3 năm 2026" in text
    assert [p["signature_valid"] for p in pdfsig(issued, [ca.root.certificate])] == [True, True]


def test_the_seal_refuses_a_number_the_draft_does_not_print(ca: LocalCa, signed: tuple[bytes, bytes]) -> None:
    """The number's check (the symbol the draft prints) runs in the signature's own revision too."""
    leader, _ = signed
    now = datetime.now(UTC).replace(microsecond=0)
    step = pdfsign.agency_step(AGENCY, seal_png(), now, draft.Numbering("05/CV-TTYT", ISSUED_ON, "Hà Nội"))
    with pytest.raises(DocumentRejected, match="khác ký hiệu được cấp"):
        _sign(ca, leader, step, AGENCY, now)


def test_an_altered_earlier_revision_is_still_caught(ca: LocalCa, signed: tuple[bytes, bytes]) -> None:
    """A byte the leader signed changed (the document's title, same length) before the seal: the
    kept report does not save the leader's signature from its digest check."""
    leader, _ = signed
    kept = verify.verify_pdf(leader, _roots(ca))
    assert leader.index(b"(untitled)") < leader.index(b"/ByteRange")  # in the first revision
    altered = leader.replace(b"(untitled)", b"(untitlex)", 1)
    issued = _sealed(ca, altered)
    reports = verify.verify_pdf(issued, _roots(ca), kept=kept)
    assert [(r.field, r.valid, r.intact) for r in reports] == [(draft.LEADER_FIELD, False, False),
                                                               (draft.AGENCY_FIELD, True, True)]
    assert reports[0].reason == "Nội dung văn bản đã bị thay đổi sau khi ký (giá trị băm không khớp)."
    assert verify.signature_status(reports) == "invalid"


def test_a_page_changed_after_the_leader_signed_is_still_caught(ca: LocalCa, signed: tuple[bytes, bytes],
                                                                full_validations: list[str]) -> None:
    """Ink added to page 1 in a revision of its own after the leader's signature, then sealed:
    pyHanko's difference analysis, run for the kept signature too, refuses it."""
    leader, _ = signed
    kept = verify.verify_pdf(leader, _roots(ca))
    writer = IncrementalPdfFileWriter(io.BytesIO(leader))
    ink = writer.add_object(generic.StreamObject(stream_data=b"0 0 1 rg 100 700 200 20 re f"))
    writer.add_stream_to_page(0, ink)
    out = io.BytesIO()
    writer.write(out)
    issued = _sealed(ca, out.getvalue())
    full_validations.clear()
    reports = verify.verify_pdf(issued, _roots(ca), kept=kept)
    assert full_validations == [draft.AGENCY_FIELD]
    assert [(r.field, r.valid, r.modification_level) for r in reports][0] == (draft.LEADER_FIELD, False, "other")
    assert reports == verify.verify_pdf(issued, _roots(ca))  # what the full validation says


def test_a_report_of_another_signature_is_not_reused(ca: LocalCa, signed: tuple[bytes, bytes],
                                                     full_validations: list[str]) -> None:
    leader, issued = signed
    kept = verify.verify_pdf(leader, _roots(ca))
    other = [replace(kept[0], signing_time="2026-01-01T09:00:00+07:00", trusted=False)]
    full_validations.clear()
    assert verify.verify_pdf(issued, _roots(ca), kept=other) == verify.verify_pdf(issued, _roots(ca))
    assert full_validations[:2] == [draft.LEADER_FIELD, draft.AGENCY_FIELD]


def _main_file(platform: Platform, document_id: int) -> bytes:
    with platform.db.read() as session:
        doc = session.get(Document, document_id)
        assert doc is not None
        sha = next(f.sha256 for f in doc.files if f.role == "main")
    return FileStore(platform.settings.files_dir).path(sha).read_bytes()


def test_the_issue_step_validates_the_agencys_signature_alone(api: Api, platform: Platform,
                                                              full_validations: list[str],
                                                              reviewed: list[int]) -> None:
    """Through the API, B-LT: the Director's signature validated once in full, the clerk's issue
    validates the agency's signature alone, and the issued document's kept reports are those a
    full validation of the stored file gives. The issue adds two revisions to the leader-signed
    file (the seal with the number and date, its DSS), and pyHanko reviews four: the three after
    the leader's signature, the DSS after the agency's (five before)."""
    case = complete(api, DIRECTOR, only_task(to_director(api)), {"decision": "sign"})
    assert full_validations == [draft.LEADER_FIELD]
    leader = _main_file(platform, case["document"]["id"])
    full_validations.clear()
    reviewed.clear()
    case = complete(api, CLERK, only_task(case), {"decision": "issue"})
    assert full_validations == [draft.AGENCY_FIELD]
    assert len(reviewed) == 4
    issued = _main_file(platform, case["document"]["id"])
    assert issued.startswith(leader) and _revisions(issued) == _revisions(leader) + 2
    with platform.db.read() as session:
        doc = session.get(Document, case["document"]["id"])
        assert doc is not None and doc.signatures_json is not None
        kept = [verify.SignatureReport.from_json(r) for r in json.loads(doc.signatures_json)]
        sha = next(f.sha256 for f in doc.files if f.role == "main")
        settings = platform.settings
        keys = trust_store.keys_for(session, signatures.Keys(settings.pki_dir, tuple(settings.trust_roots)),
                                    doc.agency_id)  # the local CA's root is in the agency's trust store
    assert [(r.field, r.valid, r.level) for r in kept] == [(draft.LEADER_FIELD, True, "B-LT"),
                                                           (draft.AGENCY_FIELD, True, "B-LT")]
    full_validations.clear()
    assert kept == signatures.check_stored(FileStore(settings.files_dir), keys, sha, platform.clock.now())
    assert full_validations == [draft.LEADER_FIELD, draft.AGENCY_FIELD]

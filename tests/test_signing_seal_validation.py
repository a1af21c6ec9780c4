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

from engine.core.platform import Platform
from engine.documents.storage import FileStore
from engine.models import Document
from engine.signatures import signatures, trust_store
from signing.keystore.keys import Pkcs12Key, to_asn1
from signing.keystore.testca import LocalCa
from signing.pades import longterm, pdfsign, verify
from signing.pades.pdfsig import pdfsig
from signing.pdf import draft
from tests import test_signing_2025_flow as long_term
from tests.conftest import Api
from tests.flows import complete, only_task, to_director
from tests.signing_support import AGENCY, ISSUED_ON, LEADER, NUMBER, POSITION, seal_png, signature_png
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
    filled = draft.fill_number(leader_signed, NUMBER, ISSUED_ON, "Hà Nội")
    now = datetime.now(UTC).replace(microsecond=0)
    return _sign(ca, filled, pdfsign.agency_step(AGENCY, seal_png(), now), AGENCY, now)


@pytest.fixture(scope="module")
def signed(ca: LocalCa) -> tuple[bytes, bytes]:
    """(the leader-signed file, the issued one made on it), both B-LT."""
    leader = _leader(ca)
    return leader, _sealed(ca, leader)


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


def test_the_issue_step_validates_the_agencys_signature_alone(api: Api, platform: Platform,
                                                              full_validations: list[str]) -> None:
    """Through the API, B-LT: the Director's signature validated once in full, the clerk's issue
    validates the agency's signature alone, and the issued document's kept reports are those a
    full validation of the stored file gives."""
    case = complete(api, DIRECTOR, only_task(to_director(api)), {"decision": "sign"})
    assert full_validations == [draft.LEADER_FIELD]
    full_validations.clear()
    case = complete(api, CLERK, only_task(case), {"decision": "issue"})
    assert full_validations == [draft.AGENCY_FIELD]
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

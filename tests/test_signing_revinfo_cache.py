"""The CA-level revocation answers kept per process (signing.speedups.revinfo_cache) against the
test CA: a second signature asks only for the signer's status and the time-stamp, and comes out
as a fresh process makes it (same level, same sources, the same answers embedded and recorded,
valid offline); the signer's own status is never taken from what is kept (revoked since, or the
responders down since: as a fresh process says); answers last until their nextUpdate or the
bound, whichever is first, and the table its size."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation.dss import DocumentSecurityStore

from signing.errors import SigningError
from signing.keystore.keys import Pkcs12Key, to_asn1
from signing.keystore.testca import LocalCa, LocalCaServer
from signing.pades import longterm, pdfsign, verify
from signing.pades.revocation import Status, UnreachablePolicy
from signing.pdf import draft
from signing.speedups import revinfo_cache
from tests.signing_support import AGENCY, LEADER, POSITION, signature_png
from tests.signing_support import draft as draft_pdf

PASSWORD = "x"


@pytest.fixture(scope="module")
def ca() -> Iterator[LocalCa]:
    with LocalCaServer() as ca:
        yield ca


@pytest.fixture(autouse=True)
def fresh_process(ca: LocalCa) -> Iterator[None]:
    revinfo_cache.KEPT.clear()
    ca.down = False
    ca.requests.clear()
    yield
    ca.down = False
    revinfo_cache.KEPT.clear()


def _sign(ca: LocalCa, identity, policy: UnreachablePolicy = UnreachablePolicy.REFUSE) -> longterm.Signed:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC).replace(microsecond=0)
    settings = longterm.Settings(tsa_url=ca.tsa_url, unreachable=policy, timeout=5)
    return longterm.sign_checked(draft.prepare_draft(draft_pdf()),
                                 pdfsign.leader_step(LEADER, POSITION, AGENCY, signature_png(), now),
                                 Pkcs12Key(identity.pkcs12(PASSWORD), PASSWORD), [to_asn1(ca.root.certificate)],
                                 settings, now)


def _store(pdf: bytes) -> tuple[set[bytes], set[bytes]]:
    """The OCSP responses' certificate statuses and the CRLs' issuers in the document's DSS."""
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(pdf)))
    crls = {r.get_object().data for r in dss.crls}
    return {r.get_object().data for r in dss.ocsps}, crls


def _shape(signed: longterm.Signed, ca: LocalCa) -> tuple[object, ...]:
    [report] = verify.verify_pdf(signed.pdf, [ca.root.certificate])
    ocsps, crls = _store(signed.pdf)
    return (signed.level, signed.check.status, signed.check.source, len(signed.check.ocsp_responses),
            len(signed.check.crls), len(ocsps), len(crls), report.valid, report.level, report.revocation_source)


def test_the_second_signature_asks_only_for_the_signers_status_and_the_time_stamp(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY)
    first = _sign(ca, leader)  # as a fresh process: the four answers
    assert sorted(ca.requests) == ["crl", "ocsp", "ocsp", "tsa"]
    ca.requests.clear()
    second = _sign(ca, leader)
    assert ca.requests == ["ocsp", "tsa"]  # the root's CRL and the TSA's status were kept
    assert _shape(second, ca) == _shape(first, ca) == ("B-LT", Status.GOOD, "ocsp", 1, 1, 2, 1, True, "B-LT", "ocsp")
    # the kept CRL is the one embedded in both, byte for byte
    assert _store(second.pdf)[1] == _store(first.pdf)[1] and second.check.crls == first.check.crls
    ca.down = True
    ca.requests.clear()
    [report] = verify.verify_pdf(second.pdf, [ca.root.certificate])
    assert report.valid and ca.requests == []  # offline, with what the document carries


def test_a_signer_revoked_since_is_refused_at_once(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY)
    _sign(ca, leader)
    ca.revoke(leader.certificate)
    with pytest.raises(SigningError, match="thu hồi"):
        _sign(ca, leader)


def test_responders_down_since_the_signers_status_is_unchecked_as_in_a_fresh_process(ca: LocalCa) -> None:
    leader = ca.issue(LEADER, AGENCY)
    _sign(ca, leader)
    ca.down = True
    with pytest.raises(SigningError, match="Không kiểm tra được trạng thái"):
        _sign(ca, leader)
    warned = _sign(ca, leader, UnreachablePolicy.WARN)
    revinfo_cache.KEPT.clear()
    fresh = _sign(ca, leader, UnreachablePolicy.WARN)
    assert (warned.check.status, warned.level, warned.warning) == (fresh.check.status, fresh.level, fresh.warning)
    assert warned.check.status == Status.UNREACHABLE


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


def test_an_answer_lasts_until_its_next_update_or_the_bound_and_the_table_its_size() -> None:
    clock = Clock()
    kept = revinfo_cache.Kept(max_age=timedelta(minutes=5), max_entries=2, clock=clock)
    kept.put(("a",), "A", clock.now + timedelta(minutes=2))  # nextUpdate before the bound
    kept.put(("b",), "B", clock.now + timedelta(days=1))
    kept.put(("c",), "C", None)  # no nextUpdate: never kept
    kept.put(("d",), "D", clock.now - timedelta(seconds=1))  # already stale: never kept
    assert (kept.get(("a",)), kept.get(("b",)), kept.get(("c",)), kept.get(("d",))) == ("A", "B", None, None)
    clock.now += timedelta(minutes=2)
    assert kept.get(("a",)) is None and kept.get(("b",)) == "B"
    clock.now += timedelta(minutes=3)
    assert kept.get(("b",)) is None  # the bound
    for key in "xyz":
        kept.put((key,), key, clock.now + timedelta(days=1))
    assert len(kept) == 2 and kept.get(("x",)) is None and kept.get(("z",)) == "z"

"""What a signature no longer repeats (issue 19, CPU per step), and that it gives the same result:

- the appearance fonts are parsed once per process (signing.pdf.fonts): the engine built on the
  kept parse shapes and embeds exactly as pyHanko's own, which parses the font every time, and a
  signature made with warm caches is, byte for byte (signature value, random font prefixes,
  document IDs and modification dates aside), the one a fresh process makes;
- the B-LT step embeds the signer's path the status check validated and the CMS just written,
  without reading the PDF back (signing.pades.longterm): its DSS holds the same certificates, OCSP
  responses and CRLs as pyHanko's ``async_add_validation_info`` collects over the same signature,
  and the document validates offline in pyHanko and pdfsig.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import ocsp
from pyhanko.pdf_utils.font.opentype import GlyphAccumulator
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.writer import PdfFileWriter
from pyhanko.sign.validation.dss import DocumentSecurityStore, async_add_validation_info

from signing.keystore import pki
from signing.keystore.keys import Pkcs12Key, to_asn1
from signing.keystore.testca import LocalCa, LocalCaServer
from signing.pades import longterm, pdfsign, revocation, verify
from signing.pades.pdfsig import pdfsig
from signing.pdf import draft, fonts
from tests.signing_support import AGENCY, ISSUED_ON, LEADER, NUMBER, POSITION, seal_png, signature_png
from tests.signing_support import draft as draft_pdf

ROOT = Path(__file__).resolve().parent.parent
TEXTS = ("KT. GIÁM ĐỐC", "PHÓ GIÁM ĐỐC", "Trần Minh Quang", "Ký bởi: Trung tâm Y tế quận Bắc Từ Liêm",
         "Thời gian ký: 02/03/2026 09:15:00 +07:00", "Số: 05/QĐ-TTYT — ngày 2 tháng 3 năm 2026")


def _comparable(pdf: bytes) -> bytes:
    """What may differ between two identical signings: the signature value (RSASSA-PSS is salted),
    the fonts' random subset prefixes, the second part of each revision's document ID and the
    document information's modification date (the clock's, not the signing time's)."""
    pdf = re.sub(rb"/Contents <[0-9a-fA-F]+>", b"/Contents <>", pdf)
    pdf = re.sub(rb"/[A-Z]{6}\+", b"/XXXXXX+", pdf)
    pdf = re.sub(rb"/ModDate \(D[^)]*\)", b"/ModDate ()", pdf)
    return re.sub(rb"/ID\s*\[\s*(<[0-9a-f]+>)\s*<[0-9a-f]+>\s*\]", rb"/ID [\1 <>]", pdf)


@pytest.mark.parametrize("path", fonts.APPEARANCE_FONTS, ids=lambda p: p.name)
def test_the_kept_parse_shapes_and_embeds_as_pyhankos_own(path: Path) -> None:
    kept_writer, own_writer = PdfFileWriter(), PdfFileWriter()
    kept = fonts.Font(path).engine(kept_writer, 9)
    own = GlyphAccumulator(own_writer, io.BytesIO(fonts.subset_bytes(path)), 9)
    own.shape("0123456789:/+-. ", with_actual_text=False)  # what the kept engine shapes first
    for text in TEXTS:
        assert kept.shape(text) == own.shape(text), text
    assert kept._glyphs == own._glyphs  # noqa: SLF001 - the glyphs and widths written in /W
    assert kept._cid_to_unicode == own._cid_to_unicode  # noqa: SLF001 - the ToUnicode map
    assert (kept.units_per_em, kept.use_raw_gids, kept.cidfont_obj.name.split("+")[1]) == \
        (own.units_per_em, own.use_raw_gids, own.cidfont_obj.name.split("+")[1])
    kept.prepare_write()
    own.prepare_write()
    descriptor = {k: v for k, v in kept.cidfont_obj["/FontDescriptor"].get_object().items() if k != "/FontFile2"}
    assert descriptor == {k: v for k, v in own.cidfont_obj["/FontDescriptor"].get_object().items()
                          if k not in ("/FontFile2", "/FontName")} | {"/FontName": descriptor["/FontName"]}


def test_a_warm_process_signs_as_a_fresh_one(tmp_path: Path) -> None:
    """Signed twice here (the second time every cache warm) and once in a fresh process: the same
    file, and each validates in pyHanko and pdfsig."""
    root = pki.create_root()
    identity = pki.issue(pki.create_intermediate(root), LEADER, AGENCY)
    key_file = tmp_path / "leader.p12"
    key_file.write_bytes(identity.pkcs12("x"))
    when = datetime.now(UTC).replace(microsecond=0)
    prepared = draft.prepare_draft(draft_pdf())
    (tmp_path / "draft.pdf").write_bytes(prepared)
    script = (
        "import sys\nfrom datetime import datetime\nfrom pathlib import Path\n"
        "from signing.keystore.keys import Pkcs12Key\nfrom signing.pades import pdfsign\n"
        "from tests.signing_support import signature_png\n"
        f"pdf = pdfsign.sign_leader(Path(sys.argv[2]).read_bytes(), Pkcs12Key.from_file(Path(sys.argv[1]), 'x'), "
        f"{LEADER!r}, {POSITION!r}, {AGENCY!r}, signature_png(), datetime.fromisoformat({when.isoformat()!r}))\n"
        "sys.stdout.buffer.write(pdf)\n")
    key = Pkcs12Key.from_file(key_file, "x")

    def here() -> bytes:
        return pdfsign.sign_leader(prepared, key, LEADER, POSITION, AGENCY, signature_png(), when)

    first, warm = here(), here()
    done = subprocess.run([sys.executable, "-c", script, str(key_file), str(tmp_path / "draft.pdf")], cwd=ROOT,
                          capture_output=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr.decode()
    fresh = done.stdout
    assert _comparable(warm) == _comparable(first) == _comparable(fresh)
    for pdf in (warm, fresh):
        [report] = verify.verify_pdf(pdf, [root.certificate])
        assert report.valid, report.reason
        poppler = pdfsig(pdf, [root.certificate])
        assert [(p["signature_valid"], p["certificate_trusted"]) for p in poppler
                if p["field"] == draft.LEADER_FIELD] == [(True, True)], poppler


@pytest.fixture(scope="module")
def ca() -> Iterator[LocalCa]:
    with LocalCaServer() as ca:
        yield ca


def _dss(pdf: bytes) -> tuple[set[bytes], list[tuple[str, ...]], list[bytes]]:
    """The DSS's certificates, which certificates its OCSP responses answer for (serials), and the
    issuers of its CRLs."""
    dss = DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(pdf)))
    certs = {c.dump() for c in dss.load_certs()}
    answered = sorted(tuple(str(r["cert_id"]["serial_number"].native) for r in
                            o["response_bytes"]["response"].parsed["tbs_response_data"]["responses"])
                      for o in (ocsp.OCSPResponse.load(x.get_object().data) for x in dss.ocsps))
    issuers = sorted(c.get_object().data and _crl_issuer(c.get_object().data) for c in dss.crls)
    return certs, answered, issuers


def _crl_issuer(der: bytes) -> bytes:
    from asn1crypto import crl
    return bytes(crl.CertificateList.load(der)["tbs_cert_list"]["issuer"].dump())


def test_the_b_lt_dss_holds_what_pyhanko_collects(ca: LocalCa) -> None:
    """The leader's and the agency's B-LT signatures of an issued document: each DSS update holds
    what pyHanko's own collection (reading the signed file back, validating both paths again) puts
    there over the same signed revision; the file validates offline in pyHanko and pdfsig."""
    leader, agency = ca.issue(LEADER, AGENCY), ca.issue(AGENCY, AGENCY)
    roots = [to_asn1(ca.root.certificate)]
    settings = longterm.Settings(tsa_url=ca.tsa_url, timeout=5)
    now = datetime.now(UTC).replace(microsecond=0)
    signed = longterm.sign_checked(draft.prepare_draft(draft_pdf()),
                                   pdfsign.leader_step(LEADER, POSITION, AGENCY, signature_png(), now),
                                   Pkcs12Key(leader.pkcs12("x"), "x"), roots, settings, now)
    filled = draft.fill_number(signed.pdf, NUMBER, ISSUED_ON, "Hà Nội")
    issued = longterm.sign_checked(filled, pdfsign.agency_step(AGENCY, seal_png(), now),
                                   Pkcs12Key(agency.pkcs12("x"), "x"), roots, settings, now)
    assert (signed.level, issued.level) == ("B-LT", "B-LT")
    for pdf, field in ((signed.pdf, draft.LEADER_FIELD), (issued.pdf, draft.AGENCY_FIELD)):
        sig = next(s for s in PdfFileReader(io.BytesIO(pdf)).embedded_signatures if s.field_name == field)
        _, _, start, length = (int(v) for v in sig.sig_object["/ByteRange"])
        revision = pdf[:start + length]  # the signed file, before its DSS

        async def theirs(revision: bytes = revision, field: str = field) -> bytes:
            online = revocation.Online.make(roots, [], now, 5)
            reader = PdfFileReader(io.BytesIO(revision))
            made = next(s for s in reader.embedded_signatures if s.field_name == field)
            out = await async_add_validation_info(made, online.context, embed_roots=False, add_vri_entry=False)
            return bytes(out.getvalue())

        # In a thread of its own: a browser test earlier in the session leaves Playwright's loop
        # running in this one, and asyncio.run() refuses to nest.
        with ThreadPoolExecutor(max_workers=1) as pool:
            assert _dss(pdf) == _dss(pool.submit(asyncio.run, theirs()).result()), field
    ca.down = True
    try:
        reports = verify.verify_pdf(issued.pdf, [ca.root.certificate])
    finally:
        ca.down = False
    assert [(r.valid, r.level) for r in reports] == [(True, "B-LT"), (True, "B-LT")], [r.reason for r in reports]
    assert [p["signature_valid"] for p in pdfsig(issued.pdf, [ca.root.certificate])] == [True, True]

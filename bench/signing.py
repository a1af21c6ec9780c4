"""Benchmark: the leader's visible signature through our service, against pyHanko with its
default settings for the same appearance and against raw RSA-2048 signing; then validations.

Not a test: it prints a table (README "Benchmarks"). Run with
``.venv/bin/python bench/signing.py [--seconds 5]``. One process, one core, the same run.

Ours: ``signing.pades.pdfsign.sign_leader`` with a PKCS#12 key loaded once (position, handwritten
signature image, full name, "Ký bởi / Cơ quan / Thời gian ký" in Noto Sans).
pyHanko defaults: ``signers.sign_pdf`` with ``SimpleSigner`` and a ``TextStampStyle`` showing
the same text in the full Noto Sans font over the same image, pyHanko choosing the room for the
signature (its dry run) and subsetting the font itself.
Raw: ``cryptography``'s RSA-2048 PKCS#1 v1.5 SHA-256 signature of 32 bytes.
Validations: ``signing.pades.verify.verify_pdf`` (integrity, chain, key usage, validity, difference
analysis) of the leader-signed document, and of the issued one (leader, number and date filled,
agency), counted per signature.

B-LT (issue 16): against the test CA of ``signing.keystore.testca`` on 127.0.0.1 (OCSP, CRL, RFC 3161
TSA), ours is ``signing.pades.longterm.sign_checked`` (status check by OCSP, signature time-stamp,
the OCSP responses and CRLs in the DSS); pyHanko's defaults are ``PdfSigner.sign_pdf`` with
``SimpleSigner`` (RSASSA-PSS), ``HTTPTimeStamper``, a fetching ``ValidationContext`` and
``embed_validation_info``. Validation of the B-LT issued document offline (responders stopped):
ours at the time its time-stamps prove, with the embedded revocation data required; pyHanko's
``validate_pdf_signature`` with a plain ``ValidationContext`` of the root, no fetching.
With ``--processes N`` (N > 1) the offline validation also runs in N processes at once, each a
fork of this one validating the same document in a loop for the same time: the signatures
validated per second by all of them together (what an installation with N workers gets).
The load average is printed before and after.
"""

from __future__ import annotations

import argparse
import inspect
import io
import json
import multiprocessing
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# --code DIR: measure the platform's code in DIR (e.g. an export of main) with this same script
_CODE = sys.argv[sys.argv.index("--code") + 1] if "--code" in sys.argv else str(ROOT)
sys.path.insert(0, _CODE)

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402
from PIL import Image  # noqa: E402
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory  # noqa: E402
from pyhanko.pdf_utils.images import PdfImage  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigSeedSubFilter  # noqa: E402
from pyhanko.sign.timestamps.requests_client import HTTPTimeStamper  # noqa: E402
from pyhanko.sign.validation import validate_pdf_signature  # noqa: E402
from pyhanko.stamp import TextStampStyle  # noqa: E402
from pyhanko_certvalidator import ValidationContext  # noqa: E402

from signing.keystore import pki  # noqa: E402
from signing.keystore.keys import Pkcs12Key, to_asn1  # noqa: E402
from signing.keystore.testca import LocalCaServer  # noqa: E402
from signing.pades import longterm, revocation  # noqa: E402
from signing.pades.pdfsign import agency_step, leader_step, sign_agency, sign_leader  # noqa: E402
from signing.pades.verify import verify_pdf  # noqa: E402
from signing.pdf import images, placeholders  # noqa: E402
from signing.pdf.appearance import Box  # noqa: E402
from signing.pdf.draft import fill_number, prepare_draft, qpdf_rewrite  # noqa: E402
from signing.pdf.fonts import NOTO_SANS  # noqa: E402
from signing.pdf.placeholders import placed  # noqa: E402
from tests.pdfs import minimal_pdf  # noqa: E402
from tests.signing_support import draft as corpus_draft  # noqa: E402

NAME, POSITION, AGENCY = "Trần Minh Quang", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "Trung tâm Y tế quận Bắc Từ Liêm"
PASSWORD = "bench"


CA_CPU = "the CA's CPU per B-LT signature"
VALIDATION = "validations: B-LT issued document offline, ours (2 signatures)"
RESULTS: dict[str, float] = {}  # label -> per second, and "<label> cpu ms": this process's CPU per call


def rate(label: str, work: Callable[[], object], seconds: float, per_call: int = 1) -> float:
    """Calls of ``work`` per second (wall), printed with this process's CPU per call (all its
    threads, from the kernel's accounting: what a core spends, whatever the machine's load)."""
    work()  # warm-up: fonts subset, images encoded, modules imported
    count, start, cpu = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - start < seconds:
        work()
        count += 1
    per_second = count / (time.perf_counter() - start)
    cpu_ms = (time.process_time() - cpu) / count * 1000 / per_call
    RESULTS[label], RESULTS[f"{label} cpu ms"] = per_second, cpu_ms
    print(f"{label:<58} {per_second:>10.1f} /s  {cpu_ms:>7.1f} ms CPU{' each' if per_call > 1 else ''}", flush=True)
    return per_second


def _load() -> str:
    return " ".join(f"{v:.2f}" for v in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="time spent on each configuration")
    parser.add_argument("--code", help="measure the platform's code in this folder (default: this checkout)")
    parser.add_argument("--part", choices=("all", "lt"), default="all", help="lt: the B-LT measures only")
    parser.add_argument("--json", action="store_true", help="end with the figures as one line of JSON")
    parser.add_argument("--compare", metavar="DIR",
                        help="before/after in the same run: the B-LT part with the code in DIR and with this "
                             "checkout's, in alternate processes, --rounds times")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, default=1,
                        help="also validate the B-LT issued document in this many processes at once")
    args = parser.parse_args()
    if args.compare:
        return compare(Path(args.compare), args.seconds, args.rounds, args.processes)
    if args.part == "lt":
        print(f"{_CODE}: B-LT part, {args.seconds:g} s per configuration, load average {_load()}", flush=True)
        long_term(prepare_draft(minimal_pdf(), placed=placed(Box(40, 688, 285, 708), Box(300, 688, 565, 708))),
                  images.signature_image(NAME), images.seal_image(AGENCY), args.seconds, args.processes)
    else:
        _all(args.seconds, args.processes)
    if args.json:
        print(json.dumps(RESULTS))


def _all(seconds: float, processes: int) -> None:
    root = pki.create_root()
    ca = pki.create_intermediate(root)
    leader, agency = pki.issue(ca, NAME, AGENCY), pki.issue(ca, AGENCY, AGENCY)
    p12 = leader.pkcs12(PASSWORD)
    key = Pkcs12Key(p12, PASSWORD)
    signature_png, seal_png = images.signature_image(NAME), images.seal_image(AGENCY)
    draft = prepare_draft(minimal_pdf(), placed=placed(Box(40, 688, 285, 708), Box(300, 688, 565, 708)))
    when = datetime.now(UTC)

    def ours() -> bytes:
        return sign_leader(draft, key, NAME, POSITION, AGENCY, signature_png, when)

    default_signer = signers.SimpleSigner.load_pkcs12_data(p12, [], PASSWORD.encode())
    assert default_signer is not None
    text = f"{POSITION}\n{NAME}\nKý bởi: {NAME}\nCơ quan: {AGENCY}\nThời gian ký: %(ts)s"
    style = TextStampStyle(stamp_text=text, text_box_style=TextBoxStyle(
        font=GlyphAccumulatorFactory(str(NOTO_SANS), font_size=7), font_size=7),
        background=PdfImage(Image.open(io.BytesIO(signature_png))), background_opacity=1.0, border_width=0)

    def pyhanko_defaults() -> bytes:
        out = io.BytesIO()
        meta = signers.PdfSignatureMetadata(field_name="LanhDao", subfilter=SigSeedSubFilter.PADES)
        signers.PdfSigner(meta, default_signer, stamp_style=style).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(draft)), output=out)
        return out.getvalue()

    digest = b"\x01" * 32

    def raw() -> bytes:
        return leader.key.sign(digest, padding.PKCS1v15(), hashes.SHA256())

    print(f"one core, {seconds:g} s per configuration, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"load average {_load()}")
    ours_rate = rate("ours: leader's visible signature (sign_leader)", ours, seconds)
    default_rate = rate("pyHanko defaults: same visible signature", pyhanko_defaults, seconds)
    raw_rate = rate("raw RSA-2048 signature (cryptography)", raw, seconds)
    print(f"ours / pyHanko defaults: {ours_rate / default_rate:.1f}x; ours / raw: {ours_rate / raw_rate:.3f}")

    leader_signed = ours()
    numbered = fill_number(leader_signed, "05/QĐ-TTYT", date(2026, 3, 2), "Hà Nội")
    issued = sign_agency(numbered, Pkcs12Key(agency.pkcs12(PASSWORD), PASSWORD), AGENCY, seal_png, when)
    roots = [root.certificate]
    assert all(r.valid for r in verify_pdf(issued, roots))
    rate("validations: leader-signed document, 1 signature", lambda: verify_pdf(leader_signed, roots), seconds)
    documents = rate("validations: issued document, 2 signatures", lambda: verify_pdf(issued, roots), seconds)
    print(f"issued document: {2 * documents:.1f} signatures validated per second")
    long_term(draft, signature_png, seal_png, seconds, processes)
    print(f"load average after: {_load()}")


def _serve_ca(conn: Connection) -> None:
    """The test CA in its own process, as a real CA is: its OCSP, CRL and TSA work is not ours."""
    with LocalCaServer() as ca:
        leader, agency = ca.issue(NAME, AGENCY), ca.issue(AGENCY, AGENCY)
        conn.send((ca.tsa_url, ca.root.certificate.public_bytes(Encoding.DER), leader.pkcs12(PASSWORD),
                   agency.pkcs12(PASSWORD)))
        while conn.recv() == "cpu":  # until "stop": the CA's own CPU, to count it apart from ours
            conn.send(time.process_time())


def long_term(draft: bytes, signature_png: bytes, seal_png: bytes, seconds: float, processes: int = 1) -> None:
    ours_end, ca_end = multiprocessing.Pipe()
    server = multiprocessing.get_context("fork").Process(target=_serve_ca, args=(ca_end,), daemon=True)
    server.start()
    try:
        tsa_url, root_der, leader_p12, agency_p12 = ours_end.recv()
        leader_signed, issued = _long_term_signing(draft, signature_png, seal_png, seconds, tsa_url, root_der,
                                                   leader_p12, agency_p12, ours_end)
    finally:
        ours_end.send("stop")
        server.join(30)
    _long_term_validation(issued, root_der, seconds, processes)  # offline: the CA is gone
    _seal_validation(leader_signed, issued, root_der, seconds)
    _placeholders(seconds)


def _seal_validation(leader_signed: bytes, issued: bytes, root_der: bytes, seconds: float) -> None:
    """What the clerk's issue validates after the agency's signature: every signature in full,
    or (issue 19, where verify_pdf takes the leader's kept report) the agency's in full and the
    leader's by pyHanko's integrity checks and difference analysis only."""
    kept = verify_pdf(leader_signed, [root_der])
    if "kept" in inspect.signature(verify_pdf).parameters:
        def seal() -> object:
            return verify_pdf(issued, [root_der], kept=kept)
    else:
        def seal() -> object:
            return verify_pdf(issued, [root_der])
    rate("the seal step's validation of the B-LT issued document", seal, seconds)


def _placeholders(seconds: float) -> None:
    """The leader's first signature finds the draft's "Số:" and date lines on page 1 (pdfminer)."""
    clean = qpdf_rewrite(corpus_draft())
    assert placeholders.find(clean) is not None
    rate("the number and date lines found on page 1 of a draft", lambda: placeholders.find(clean), seconds)


def _long_term_signing(draft: bytes, signature_png: bytes, seal_png: bytes, seconds: float, tsa_url: str,
                       root_der: bytes, leader_p12: bytes, agency_p12: bytes, ca: Connection) -> tuple[bytes, bytes]:
    key = Pkcs12Key(leader_p12, PASSWORD)
    roots = [to_asn1(root_der)]
    settings = longterm.Settings(tsa_url=tsa_url)

    def ours_lt() -> bytes:
        when = datetime.now(UTC)
        signed = longterm.sign_checked(draft, leader_step(NAME, POSITION, AGENCY, signature_png, when), key,
                                       roots, settings, when)
        assert signed.level == "B-LT"
        return signed.pdf

    def ours_bt() -> bytes:
        when = datetime.now(UTC)
        return sign_leader(draft, key, NAME, POSITION, AGENCY, signature_png, when)

    default_signer = signers.SimpleSigner.load_pkcs12_data(leader_p12, [], PASSWORD.encode())
    assert default_signer is not None
    default_signer.prefer_pss = True

    def pyhanko_lt() -> bytes:
        out = io.BytesIO()
        context = ValidationContext(trust_roots=roots, allow_fetching=True,
                                    revinfo_policy=revocation.EITHER_REQUIRED)
        meta = signers.PdfSignatureMetadata(field_name="LanhDao", subfilter=SigSeedSubFilter.PADES,
                                            embed_validation_info=True, validation_context=context)
        signers.PdfSigner(meta, default_signer, timestamper=HTTPTimeStamper(tsa_url)).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(draft)), output=out)
        return out.getvalue()

    print(f"B-LT against the local OCSP responder and TSA, load {os.getloadavg()[0]:.2f}")
    ours_b = rate("ours: leader's visible signature, B-B (PSS)", ours_bt, seconds)
    ca.send("cpu")
    ca_cpu = ca.recv()
    ours_l = rate("ours: leader's visible signature, B-LT (OCSP, TSA, DSS)", ours_lt, seconds)
    ca.send("cpu")
    signatures = round(ours_l * seconds) + 1  # the warm-up's included
    RESULTS[CA_CPU] = (ca.recv() - ca_cpu) / signatures * 1000
    print(f"{'  the CA (OCSP, CRL, TSA), its own process, not in ours':<58} {'':>12}  {RESULTS[CA_CPU]:>7.1f} ms CPU")
    theirs_l = rate("pyHanko defaults: B-LT, invisible (fetching context)", pyhanko_lt, seconds)
    print(f"ours B-LT / pyHanko defaults B-LT: {ours_l / theirs_l:.1f}x; B-LT / B-B: {ours_l / ours_b:.2f}")
    leader_signed = ours_lt()
    filled = fill_number(leader_signed, "05/QĐ-TTYT", date(2026, 3, 2), "Hà Nội")
    when = datetime.now(UTC)
    return leader_signed, longterm.sign_checked(filled, agency_step(AGENCY, seal_png, when),
                                                Pkcs12Key(agency_p12, PASSWORD), roots, settings, when).pdf


def _validate_for(issued: bytes, root_der: bytes, seconds: float, conn: Connection) -> None:
    """One of the parallel validators: the documents it validated in ``seconds``."""
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        verify_pdf(issued, [root_der])
        count += 1
    conn.send(count)


def _parallel_validation(issued: bytes, root_der: bytes, seconds: float, processes: int) -> float:
    """Signatures validated per second by ``processes`` processes validating at once."""
    fork = multiprocessing.get_context("fork")  # warm: modules imported, names prepared, as a worker is
    pipes = [fork.Pipe(duplex=False) for _ in range(processes)]
    workers = [fork.Process(target=_validate_for, args=(issued, root_der, seconds, sender))
               for _, sender in pipes]
    for worker in workers:
        worker.start()
    documents = sum(receiver.recv() for receiver, _ in pipes)
    for worker in workers:
        worker.join(30)
    per_second = 2 * documents / seconds
    RESULTS[f"validations: {processes} processes at once, signatures"] = per_second
    print(f"{'validations: same, ' + str(processes) + ' processes at once (signatures)':<58} {per_second:>10.1f} /s",
          flush=True)
    return per_second


def _long_term_validation(issued: bytes, root_der: bytes, seconds: float, processes: int = 1) -> None:
    roots = [to_asn1(root_der)]
    assert [(r.valid, r.level) for r in verify_pdf(issued, [root_der])] == [(True, "B-LT")] * 2

    def pyhanko_validate() -> None:
        for sig in PdfFileReader(io.BytesIO(issued)).embedded_regular_signatures:
            assert validate_pdf_signature(sig, ValidationContext(trust_roots=roots, allow_fetching=False)).bottom_line

    ours_v = rate(VALIDATION, lambda: verify_pdf(issued, [root_der]), seconds, per_call=2)
    rate("  the same and the reports' JSON, as the platform stores it",
         lambda: [r.to_json() for r in verify_pdf(issued, [root_der])], seconds, per_call=2)
    theirs_v = rate("validations: same, pyHanko validate_pdf_signature (2 sign.)", pyhanko_validate, seconds,
                    per_call=2)
    print(f"B-LT issued document: ours {2 * ours_v:.1f} signatures/s, pyHanko defaults {2 * theirs_v:.1f} signatures/s")
    if processes > 1:
        _parallel_validation(issued, root_der, seconds, processes)


def compare(baseline: Path, seconds: float, rounds: int, processes: int = 1) -> None:
    """The B-LT part with the code in ``baseline`` and with this checkout's, one process each,
    alternately, so that both see the same machine; medians of the rounds, and their ratios."""
    runs: dict[str, list[dict[str, float]]] = {"before": [], "after": []}
    print(f"before: {baseline}; after: {ROOT}; {rounds} rounds, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
          f"load average {_load()}", flush=True)
    for _ in range(rounds):
        for name, code in (("before", baseline), ("after", ROOT)):
            done = subprocess.run([sys.executable, __file__, "--part", "lt", "--json", "--seconds", str(seconds),
                                   "--code", str(code), "--processes", str(processes)],
                                  capture_output=True, text=True, check=True)
            runs[name].append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"  {name} done, load average {_load()}", flush=True)
    print(f"\n{'median of ' + str(rounds) + ' rounds':<58} {'before':>9} {'after':>9} {'after/before':>12}")
    for key in runs["after"][0]:
        before = statistics.median(r[key] for r in runs["before"])
        after = statistics.median(r[key] for r in runs["after"])
        unit = "ms CPU" if key.endswith("cpu ms") or key == CA_CPU else "/s"
        print(f"{key.removesuffix(' cpu ms')[:50]:<50} {unit:>7} {before:>9.1f} {after:>9.1f} {after / before:>12.2f}")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()

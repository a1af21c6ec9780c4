"""Benchmark: the leader's visible signature through our service, against pyHanko with its
default settings for the same appearance and against raw RSA-2048 signing; then validations.

Not a test: it prints a table (README "Benchmarks"). Run with
``.venv/bin/python bench/signing.py [--seconds 5]``. One process, one core, the same run.

Ours: ``signing.pdfsign.sign_leader`` with a PKCS#12 key loaded once (position, handwritten
signature image, full name, "Ký bởi / Cơ quan / Thời gian ký" in Noto Sans).
pyHanko defaults: ``signers.sign_pdf`` with ``SimpleSigner`` and a ``TextStampStyle`` showing
the same text in the full Noto Sans font over the same image, pyHanko choosing the room for the
signature (its dry run) and subsetting the font itself.
Raw: ``cryptography``'s RSA-2048 PKCS#1 v1.5 SHA-256 signature of 32 bytes.
Validations: ``signing.verify.verify_pdf`` (integrity, chain, key usage, validity, difference
analysis) of the leader-signed document, and of the issued one (leader, number and date filled,
agency), counted per signature.
"""

from __future__ import annotations

import argparse
import io
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cryptography.hazmat.primitives import hashes  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import padding  # noqa: E402
from PIL import Image  # noqa: E402
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory  # noqa: E402
from pyhanko.pdf_utils.images import PdfImage  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.text import TextBoxStyle  # noqa: E402
from pyhanko.sign import signers  # noqa: E402
from pyhanko.sign.fields import SigSeedSubFilter  # noqa: E402
from pyhanko.stamp import TextStampStyle  # noqa: E402

from signing import images, pki  # noqa: E402
from signing.appearance import Box  # noqa: E402
from signing.draft import fill_number, prepare_draft  # noqa: E402
from signing.fonts import NOTO_SANS  # noqa: E402
from signing.keys import Pkcs12Key  # noqa: E402
from signing.pdfsign import sign_agency, sign_leader  # noqa: E402
from signing.placeholders import placed  # noqa: E402
from signing.verify import verify_pdf  # noqa: E402
from tests.pdfs import minimal_pdf  # noqa: E402

NAME, POSITION, AGENCY = "Trần Minh Quang", "KT. GIÁM ĐỐC\nPHÓ GIÁM ĐỐC", "Trung tâm Y tế quận Bắc Từ Liêm"
PASSWORD = "bench"


def rate(label: str, work: Callable[[], object], seconds: float) -> float:
    work()  # warm-up: fonts subset, images encoded, modules imported
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work()
        count += 1
    per_second = count / (time.perf_counter() - start)
    print(f"{label:<58} {per_second:>10.1f} /s", flush=True)
    return per_second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="time spent on each configuration")
    seconds = parser.parse_args().seconds

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

    print(f"one core, {seconds:g} s per configuration, {datetime.now(UTC):%Y-%m-%d}")
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


if __name__ == "__main__":
    main()

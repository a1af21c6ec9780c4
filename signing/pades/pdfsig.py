"""A second opinion from poppler's ``pdfsig``, which trusts a root only through an NSS database.

``pdfsig`` exits 0 even for a broken signature, and says "valid" for one whose page was changed
afterwards: its output is parsed here and it never overrules :mod:`signing.pades.verify`.

Poppler up to 23.x (Debian 12 has 22.12) reads NSS's thread error code after
``CERT_PKIXVerifyCert`` without looking at what it returned. The second time one run verifies
the same certificate, NSS answers from its cache without clearing that code, so the error of
an earlier failed lookup shows through as "Unknown issue with Certificate or corrupted data":
the missing CMS signing-time attribute (PAdES keeps the time in /M, EN 319 142-1) or, without
the root in the CMS, the issuer lookup. Such a signature is judged again in a run where it is
the first one poppler verifies, which is what a newer poppler reports in one run.
"""

from __future__ import annotations

import io
import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

from signing.errors import SigningError

_LINE = re.compile(r"^\s+- ([^:]+): (.*)$")
_STALE = "Unknown issue with Certificate or corrupted data."


def _nss_database(folder: Path, roots: Iterable[x509.Certificate]) -> str:
    database = f"sql:{folder}"
    subprocess.run(["certutil", "-N", "-d", database, "--empty-password"], check=True, capture_output=True)
    for number, root in enumerate(roots):
        pem = folder / f"root{number}.pem"
        pem.write_bytes(root.public_bytes(serialization.Encoding.PEM))
        subprocess.run(["certutil", "-A", "-d", database, "-n", f"root{number}", "-t", "CT,C,C", "-i", str(pem)],
                       check=True, capture_output=True)
    return database


def parse(output: str) -> list[dict[str, Any]]:
    """``pdfsig``'s text as one dict per signature: field, signer, signature_valid,
    certificate_trusted, whole_document and the raw lines."""
    reports: list[dict[str, Any]] = []
    for line in output.splitlines():
        if re.match(r"^Signature #\d+:", line):
            reports.append({"lines": {}})
        elif reports and (match := _LINE.match(line)):
            reports[-1]["lines"][match.group(1)] = match.group(2).strip()
        elif reports and line.strip().startswith("- "):
            reports[-1]["lines"][line.strip()[2:]] = ""
    for report in reports:
        lines = report["lines"]
        report.update(field=lines.get("Signature Field Name"), signer=lines.get("Signer Certificate Common Name"),
                      signature_valid=lines.get("Signature Validation") == "Signature is Valid.",
                      certificate_trusted=lines.get("Certificate Validation") == "Certificate is Trusted.",
                      whole_document="Total document signed" in lines)
    return reports


def _first(pdf: bytes, field: str) -> bytes:
    """``pdf`` with ``field`` moved to the head of the form's field list, in an incremental update
    that no signature covers (poppler verifies the fields in that order)."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    form = writer.root["/AcroForm"]
    fields = list(form["/Fields"])
    fields.sort(key=lambda ref: ref.get_object().get("/T") != field)
    form["/Fields"] = generic.ArrayObject(fields)
    writer.update_container(form)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _run(pdf: bytes, database: str, folder: Path) -> list[dict[str, Any]]:
    target = folder / "document.pdf"
    target.write_bytes(pdf)
    try:
        done = subprocess.run(["pdfsig", "-nssdir", database, str(target)], capture_output=True, text=True,
                              check=False, timeout=60)
    except FileNotFoundError as err:
        raise SigningError("Chưa cài pdfsig (gói poppler-utils).") from err
    return parse(done.stdout)


def pdfsig(pdf: bytes, trust_roots: Iterable[x509.Certificate]) -> list[dict[str, Any]]:
    """Run ``pdfsig`` on ``pdf`` with ``trust_roots`` trusted through a throw-away NSS database;
    a signature after the first whose certificate poppler could not judge is judged again in a
    run that verifies it first (see the module's note)."""
    with tempfile.TemporaryDirectory(prefix="qlvb-nss-") as folder:
        database = _nss_database(Path(folder), trust_roots)
        reports = _run(pdf, database, Path(folder))
        for report in reports[1:]:
            if report["signature_valid"] and report["lines"].get("Certificate Validation") == _STALE:
                again = next(r for r in _run(_first(pdf, report["field"]), database, Path(folder))
                             if r["field"] == report["field"])
                report["lines"]["Certificate Validation"] = again["lines"].get("Certificate Validation")
                report["certificate_trusted"] = again["certificate_trusted"]
    return reports

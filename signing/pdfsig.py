"""A second opinion from poppler's ``pdfsig``, which trusts a root only through an NSS database.

``pdfsig`` exits 0 even for a broken signature, and says "valid" for one whose page was changed
afterwards: its output is parsed here and it never overrules :mod:`signing.verify`.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization

from .errors import SigningError

_LINE = re.compile(r"^\s+- ([^:]+): (.*)$")


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


def pdfsig(pdf: bytes, trust_roots: Iterable[x509.Certificate]) -> list[dict[str, Any]]:
    """Run ``pdfsig`` on ``pdf`` with ``trust_roots`` trusted through a throw-away NSS database."""
    with tempfile.TemporaryDirectory(prefix="qlvb-nss-") as folder:
        database = _nss_database(Path(folder), trust_roots)
        target = Path(folder, "document.pdf")
        target.write_bytes(pdf)
        try:
            done = subprocess.run(["pdfsig", "-nssdir", database, str(target)], capture_output=True, text=True,
                                  check=False, timeout=60)
        except FileNotFoundError as err:
            raise SigningError("Chưa cài pdfsig (gói poppler-utils).") from err
    return parse(done.stdout)

"""A scanned incoming paper made the electronic copy of record (Law on Electronic Transactions 2023
Art. 12 cl. 1; Decree 137/2024 Art. 4): the recognised PDF/A signed with the agency's key, the
signature's appearance the conversion mark with the time, the converting clerk and the agency
(signing.pdf.conversion: the same mark and signature as a paper-signed outgoing document gets at
issuance), in a margin corner of page 1 that none of the recognised words reach. The signature is an
incremental update: the page image and its text layer stay as they were, so full-text search reads
the same words.

Read in a short transaction (:func:`job`), made with none open (:meth:`Conversion.make`: the key
unlocked, the PDF signed, status-checked and verified), recorded with the registration
(engine.scans.queue.attach_result), which checks the scan has not moved.
"""

from __future__ import annotations

import contextlib
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy.orm import Session

from engine.core.errors import Conflict, InvalidData, Text
from engine.documents.storage import FileStore
from engine.models import Agency, Scan, ScanStatus, User
from engine.signatures import jobs, long_term
from engine.signatures.keys import Keys
from signing.errors import SigningError
from signing.keystore.keys import KeySource
from signing.pades import verify
from signing.pdf import conversion
from signing.pdf.appearance import Box
from signing.pdf.draft import AGENCY_FIELD

FIELD = "agency_password"
_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)"')
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)"')
NOT_RECOGNISED = "Bản quét chưa nhận dạng xong."


@dataclass(frozen=True)
class Converted:
    """The signed copy of record of one recognised scan."""

    scan_id: int
    recognised_sha256: str  # the OCR result it was made from
    pdf: bytes
    converted_at: datetime
    converter: str
    level: str  # the signature's level (B-B, B-T, B-LT)


@dataclass(frozen=True)
class Conversion:
    scan_id: int
    source: Path
    source_sha256: str
    clerk: str
    agency_name: str
    seal: bytes
    policy: long_term.Policy
    unlock: Callable[[], contextlib.AbstractContextManager[KeySource]]

    def make(self, now: datetime) -> Converted:
        step = conversion.conversion_step(self.clerk, self.agency_name, self.seal, now, numbered=False,
                                          box=free_corner(self.source))
        try:
            pdf = self.source.read_bytes()
            with self.unlock() as key:  # a token's session closed at once, as at issuance
                signed = self.policy.sign(pdf, step, key, now)
        except SigningError as err:
            raise InvalidData(Text("Không ký số được bản chuyển đổi: %(reason)s", reason=err.message),
                              {FIELD: err.message}) from None
        reports = jobs.verified(signed.pdf, self.policy.keys.trust_roots(), now)
        if verify.signature_status(reports, (AGENCY_FIELD,)) != "valid":
            reasons = "; ".join(f"{r.field}: {r.reason}" for r in reports if not r.valid)
            raise InvalidData(Text("Chữ ký số của cơ quan trên bản chuyển đổi không hợp lệ (%(reasons)s).",
                                   reasons=reasons), {FIELD: reasons})
        return Converted(self.scan_id, self.source_sha256, signed.pdf, now, self.clerk, signed.level)


def _overlaps(box: Box, word: tuple[float, float, float, float]) -> bool:
    x1, y1, x2, y2 = word
    return x1 < box.x2 and box.x1 < x2 and y1 < box.y2 and box.y1 < y2


def free_corner(path: Path) -> Box:
    """The first margin corner of page 1 (signing.pdf.conversion.corners) where the mark covers
    none of the recognised words (a received paper's layout is its sender's: its motto or its
    agency's name may reach into the top margin); the top right when none is free."""
    done = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"], capture_output=True,
                          timeout=60, check=False)
    html = done.stdout.decode("utf-8", "replace")
    page = _PAGE.search(html)
    if done.returncode != 0 or page is None:
        return conversion.MARK_BOX
    width, height = float(page[1]), float(page[2])
    # pdftotext measures from the top of the page; PDF boxes from the bottom
    words = [(float(a), height - float(d), float(c), height - float(b)) for a, b, c, d in _WORD.findall(html)]
    boxes = conversion.corners(width, height)
    return next((box for box in boxes if not any(_overlaps(box, w) for w in words)), boxes[0])


def job(session: Session, store: FileStore, keys: Keys, user: User, scan: Scan,
        agency_password: str | None) -> Conversion:
    """The conversion of ``scan`` (its agency's clerk checked by the caller) by ``user``."""
    if scan.status != ScanStatus.DONE or scan.result_sha256 is None:
        raise Conflict(NOT_RECOGNISED)
    if not agency_password:
        raise InvalidData("Cần mật khẩu (hoặc mã PIN) chứng thư số của cơ quan để ký số bản chuyển đổi từ văn bản "
                          "giấy.", {FIELD: "Bắt buộc."})
    agency = session.get(Agency, scan.agency_id)
    assert agency is not None
    code = agency.code
    return Conversion(scan.id, store.path(scan.result_sha256), scan.result_sha256, user.full_name, agency.name,
                      keys.seal(code), long_term.policy(session, keys, agency.id),
                      lambda: keys.agency(code, agency_password))


def check_unmoved(scan: Scan, converted: Converted) -> None:
    """The scan is still the recognised one the copy was signed over."""
    if (scan.id, scan.status, scan.result_sha256) != (converted.scan_id, ScanStatus.DONE,
                                                      converted.recognised_sha256):
        raise Conflict(jobs.MOVED)

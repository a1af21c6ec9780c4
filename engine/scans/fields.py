"""The register fields read from the text of a scanned document (Decree 30 Art. 8 and Appendix
I's layout): the issuing agency (top left, in capitals), số and ký hiệu ("Số: 12/SYT-KHTC"),
place and date ("Hà Nội, ngày 05 tháng 3 năm 2026"), the type (the name in capitals under the
national motto, or công văn when a "V/v" line follows the number), trích yếu, and the signer (the
last name under the signature block). Every field is a guess the clerk confirms."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import date

from engine.documents.doctypes import DOC_TYPES

_COLUMNS = re.compile(r"\s{3,}")
_NUMBER = re.compile(r"Số\s*[:;.]?\s*([0-9]{1,6}\s*/\s*[0-9]{0,4}\s*/?\s*[A-ZĐa-zđ0-9][A-ZĐa-zđ0-9.\-–]*)")
_DATE = re.compile(r"(?:([A-ZĐÀ-Ỹa-zđà-ỹ][^,]{1,40}),\s*)?ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})",
                   re.IGNORECASE)
_MOTTO = ("CỘNG HÒA", "CỘNG HOÀ", "ĐỘC LẬP", "Độc lập")
_TYPE_NAMES = {unicodedata.normalize("NFC", name).upper(): code for code, name in DOC_TYPES.items()}
_SUBJECT_START = re.compile(r"^\s*(V/v|Về việc|Về)\b", re.IGNORECASE)
_BLOCK = re.compile(r"^(KT|TM|TL|TUQ|Q)\.\s", re.IGNORECASE)
_NAME = re.compile(r"^[A-ZĐÀ-Ỹ][a-zđà-ỹ]+(\s+[A-ZĐÀ-Ỹ][a-zđà-ỹ]+){1,5}$")


@dataclass(frozen=True)
class ReadFields:
    issuer_name: str | None = None
    number_symbol: str | None = None
    place: str | None = None
    document_date: str | None = None  # ISO 8601
    doc_type: str | None = None
    subject: str | None = None
    signer_position: str | None = None
    signer_name: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def _lines(text: str) -> list[list[str]]:
    """Each non-empty line of ``pdftotext -layout`` split into its columns."""
    out = []
    for line in unicodedata.normalize("NFC", text).splitlines():
        parts = [p.strip() for p in _COLUMNS.split(line.strip()) if p.strip()]
        if parts:
            out.append(parts)
    return out


def _issuer(lines: list[list[str]]) -> str | None:
    """The capital lines at the top left, before the number: "UBND TỈNH X" then "SỞ Y TẾ"."""
    names = []
    for parts in lines[:8]:
        left = parts[0]
        if left.startswith("Số") or _SUBJECT_START.match(left):
            break
        if any(left.startswith(m) for m in _MOTTO) or set(left) <= set("-–_ "):
            continue
        if left.upper() == left and any(c.isalpha() for c in left):
            names.append(left)
    # The last capital line is the issuer itself; the one above is its governing body.
    return names[-1] if names else None


def _date(lines: list[list[str]]) -> tuple[str | None, str | None]:
    found = next((m for parts in lines for part in parts if (m := _DATE.search(part))), None)
    if found is None:
        return None, None
    place = found.group(1).strip() if found.group(1) else None
    try:
        day = date(int(found.group(4)), int(found.group(3)), int(found.group(2)))
    except ValueError:
        return place, None
    return place, day.isoformat()


def _type_and_subject(lines: list[list[str]]) -> tuple[str | None, str | None]:
    flat = [" ".join(parts) if len(parts) == 1 else parts[0] for parts in lines]
    for i, line in enumerate(flat):
        if _SUBJECT_START.match(line) and line.lower().startswith("v/v"):  # a công văn: V/v under the number
            subject = [re.sub(r"^V/v\s*", "V/v ", line, flags=re.IGNORECASE)]
            for more in flat[i + 1:i + 3]:
                if more.startswith(("Kính gửi", "CỘNG", "Độc")) or _DATE.search(more):
                    break
                subject.append(more)
            return "CV", " ".join(subject).strip()
    for i, parts in enumerate(lines):
        name = " ".join(parts).strip().upper()
        if name in _TYPE_NAMES and i + 1 < len(lines):
            subject = []
            for parts_after in lines[i + 1:i + 4]:
                more = " ".join(parts_after)
                if more.startswith(("Căn cứ", "Kính gửi", "-", "_")) or more.upper() == more and subject:
                    break
                subject.append(more)
            return _TYPE_NAMES[name], " ".join(subject).strip() or None
    return None, None


def _signer(lines: list[list[str]]) -> tuple[str | None, str | None]:
    """The signature block at the end: the position in capitals (with KT./TM./TL. above it),
    then the name in title case as the last line of the block."""
    rights = [parts[-1] for parts in lines]
    for i in range(len(rights) - 1, -1, -1):
        if _NAME.match(rights[i]):
            position = []
            for above in rights[max(0, i - 4):i]:
                if above.upper() == above and any(c.isalpha() for c in above):
                    position.append(above)
            return " ".join(position) or None, rights[i]
    return None, None


def read(first_page: str, last_page: str) -> ReadFields:
    """The fields read from page 1's text, the signer from the last page's."""
    lines = _lines(first_page)
    number = _NUMBER.search(unicodedata.normalize("NFC", first_page))
    place, day = _date(lines)
    doc_type, subject = _type_and_subject(lines)
    position, signer = _signer(_lines(last_page))
    return ReadFields(issuer_name=_issuer(lines), number_symbol=re.sub(r"\s+", "", number.group(1)) if number else None,
                      place=place, document_date=day, doc_type=doc_type, subject=subject,
                      signer_position=position, signer_name=signer)

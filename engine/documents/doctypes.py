"""The 29 administrative document types of Decree 30 (Article 7) and their abbreviations
(Appendix III), and the three kinds of copy. Công văn and thư công have none."""

from __future__ import annotations

DOC_TYPES: dict[str, str] = {
    "NQ": "Nghị quyết", "QĐ": "Quyết định", "CT": "Chỉ thị", "QC": "Quy chế", "QyĐ": "Quy định",
    "TC": "Thông cáo", "TB": "Thông báo", "HD": "Hướng dẫn", "CTr": "Chương trình", "KH": "Kế hoạch",
    "PA": "Phương án", "ĐA": "Đề án", "DA": "Dự án", "BC": "Báo cáo", "BB": "Biên bản", "TTr": "Tờ trình",
    "HĐ": "Hợp đồng", "CV": "Công văn", "CĐ": "Công điện", "BGN": "Bản ghi nhớ", "BTT": "Bản thỏa thuận",
    "GUQ": "Giấy ủy quyền", "GM": "Giấy mời", "GGT": "Giấy giới thiệu", "GNP": "Giấy nghỉ phép",
    "PG": "Phiếu gửi", "PC": "Phiếu chuyển", "PB": "Phiếu báo", "TCg": "Thư công",
}
# Codes whose printed symbol carries no type abbreviation (công văn, thư công).
NO_ABBREVIATION = frozenset({"CV", "TCg"})

COPY_KINDS: dict[str, str] = {"SY": "Bản sao y", "TrS": "Bản trích sao", "SL": "Bản sao lục"}


def symbol(doc_type: str, agency_abbreviation: str, unit_code: str) -> str:
    """Ký hiệu: ``QĐ-UBND`` for most types, ``UBND-VP`` (issuer, drafting unit) for a công văn."""
    if doc_type in NO_ABBREVIATION:
        return f"{agency_abbreviation}-{unit_code}".upper()
    # Type abbreviations keep their official case (TTr, QyĐ); the issuer's is upper case.
    return f"{doc_type}-{agency_abbreviation.upper()}"


def number_symbol(number: int, symbol_text: str) -> str:
    """``5, "QĐ-UBND"`` → ``05/QĐ-UBND`` (Decree 30: two digits below 10, no spaces)."""
    return f"{number:02d}/{symbol_text}"

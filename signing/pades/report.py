"""The verification report in Vietnamese (Kết quả xác thực chữ ký số), as Circular 15/2025/TT-BKHCN
Art. 6 asks verification software to show it: for every signature, the issuer, the signer, the
certificate manager, the signing time or time-stamp, integrity, validity at signing time and the
certificate's validity period, with the revocation source this platform used.

It reads the plain reports of :mod:`signing.pades.verify` (or their JSON, as stored with a document:
a report made before these fields existed says what it lacks).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

TITLE = "Kết quả xác thực chữ ký số"
FILE_ROLES = {"main": "Tệp chính", "appendix": "Phụ lục"}
UNKNOWN = "Không có thông tin"
NOW = "thời điểm xác thực (không có dấu thời gian)"
NO_ANCHOR = "Không xác định (không tìm thấy CA gốc được tin cậy)"

# key, label: the seven fields of Art. 6, then the revocation source, the level and the algorithm
LABELS = (
    ("issuer", "Tổ chức cung cấp dịch vụ chứng thực (cấp chứng thư số)"),
    ("signer", "Người ký"),
    ("certificate_manager", "Tổ chức quản lý chứng thư số (CA gốc)"),
    ("time", "Thời gian ký / dấu thời gian"),
    ("integrity", "Tính toàn vẹn của văn bản"),
    ("validity_at_signing", "Hiệu lực của chứng thư số tại thời điểm ký"),
    ("validity_period", "Thời hạn hiệu lực của chứng thư số"),
    ("revocation_source", "Nguồn kiểm tra trạng thái thu hồi"),
    ("level", "Định dạng chữ ký (PAdES)"),
    ("algorithm", "Thuật toán"),
)

_SOURCES = {"ocsp": "OCSP (phản hồi lúc ký, lưu kèm văn bản)", "crl": "CRL (danh sách thu hồi lúc ký, lưu kèm văn bản)"}


def _time(value: str | None) -> str:
    if not value:
        return UNKNOWN
    return datetime.fromisoformat(value).strftime("%H:%M:%S ngày %d/%m/%Y (%z)").replace("(+0700)", "(giờ Việt Nam)")


def _when(report: Mapping[str, Any]) -> str:
    if report.get("timestamp"):
        by = f", do {report['timestamp_authority']} cấp" if report.get("timestamp_authority") else ""
        return f"{_time(report['timestamp'])} theo dấu thời gian{by}"
    if report.get("signing_time"):
        return f"{_time(report['signing_time'])} theo máy của người ký (không có dấu thời gian)"
    return UNKNOWN


def _integrity(report: Mapping[str, Any]) -> str:
    if not report.get("intact"):
        return "Không toàn vẹn: nội dung đã bị thay đổi sau khi ký"
    if report.get("modification_level") in ("none", "lta_updates", "form_filling"):
        return "Toàn vẹn: nội dung không bị thay đổi sau khi ký"
    return "Văn bản bị sửa đổi sau khi ký ngoài các trường đã chuẩn bị"


def _validity(report: Mapping[str, Any]) -> str:
    if report.get("valid"):
        at = _time(report["validated_at"]) if report.get("validated_at") else NOW
        return f"Hợp lệ: chứng thư số còn hiệu lực, do tổ chức được tin cậy cấp, tại {at}"
    return f"Không hợp lệ: {report.get('reason') or UNKNOWN}"


def _period(report: Mapping[str, Any]) -> str:
    if not report.get("not_before") or not report.get("not_after"):
        return UNKNOWN
    return f"Từ {_time(report['not_before'])} đến {_time(report['not_after'])}"


def _source(report: Mapping[str, Any]) -> str:
    source = report.get("revocation_source")
    if source in _SOURCES:
        return _SOURCES[source]
    return "Văn bản không kèm thông tin thu hồi (không kiểm tra được trạng thái thu hồi lúc ký)"


def fields(report: Mapping[str, Any]) -> list[dict[str, str]]:
    """The report's rows, each {"key", "label", "value"}, in the order of :data:`LABELS`."""
    values = {
        "issuer": report.get("issuer") or UNKNOWN,
        "signer": report.get("signer") or UNKNOWN,
        "certificate_manager": report.get("certificate_manager") or NO_ANCHOR,
        "time": _when(report),
        "integrity": _integrity(report),
        "validity_at_signing": _validity(report),
        "validity_period": _period(report),
        "revocation_source": _source(report),
        "level": report.get("level") or UNKNOWN,
        "algorithm": report.get("algorithm") or UNKNOWN,
    }
    return [{"key": key, "label": label, "value": values[key]} for key, label in LABELS]


def per_signature(reports: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Stored reports (a document's last verification) with their rows, as the page shows them."""
    return [{"field": r.get("field"), "valid": r.get("valid"), "rows": fields(r)} for r in reports]


def per_file(files: Sequence[tuple[dict[str, Any], Sequence[Mapping[str, Any]]]]) -> list[dict[str, Any]]:
    """Each file (its id, role and name) with its stored reports, as the page shows them: the main
    file and every appendix signed; a file without signatures is left out."""
    return [{**file, "valid": all(r.get("valid") for r in reports), "signatures": per_signature(reports)}
            for file, reports in files if reports]

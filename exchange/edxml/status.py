"""Status codes of a status package (mã trạng thái, QCVN 102 and the VDXP practice).

Codes 07-12 and 14 are reserved by the standard for the platform; a package carrying one is
valid (the XSD allows 01-16) but this project neither sends nor acts on them.
"""

from __future__ import annotations

from enum import Enum


class Status(Enum):
    """(code, Vietnamese name, English name)."""

    ARRIVED = ("01", "Đã đến", "Arrived")
    REFUSED = ("02", "Từ chối tiếp nhận", "Refused")
    REGISTERED = ("03", "Đã tiếp nhận", "Registered")
    ASSIGNED = ("04", "Phân công", "Assigned")
    IN_PROGRESS = ("05", "Đang xử lý", "Being handled")
    FINISHED = ("06", "Hoàn thành", "Finished")
    RECALLED = ("13", "Thu hồi", "Recalled by the sender")
    RECALL_ACCEPTED = ("15", "Đồng ý thu hồi/cập nhật", "Recall or update accepted")
    RECALL_REFUSED = ("16", "Từ chối thu hồi/cập nhật", "Recall or update refused")

    @property
    def code(self) -> str:
        return self.value[0]

    @property
    def name_vi(self) -> str:
        return self.value[1]

    @property
    def name_en(self) -> str:
        return self.value[2]

    @classmethod
    def from_code(cls, code: str) -> Status | None:
        """The status with ``code``, or None for a code this project does not use."""
        return _BY_CODE.get(code.strip())


_BY_CODE = {status.code: status for status in Status}

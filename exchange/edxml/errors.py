"""The one exception a received package can raise: :class:`PackageRefused`.

Whatever is wrong with a package (from bytes that are not XML to a signature from an agency
nobody trusts), the receiver answers with status 02 (từ chối tiếp nhận) and a reason the
sender's clerk can read; so every failure of parsing, validating and verifying is turned into
this exception with a :class:`Reason`, never left to escape as another one.
"""

from __future__ import annotations

from enum import Enum

# The status code a refused package is answered with (QCVN 102: 02 từ chối tiếp nhận).
REFUSED = "02"


class Reason(Enum):
    """Why a package is refused: (Vietnamese message, English message)."""

    TOO_LARGE = ("Gói tin vượt quá dung lượng cho phép ({limit}).", "The package exceeds the size limit ({limit}).")
    PARSER_LIMIT = ("Gói tin vượt giới hạn của bộ phân tích XML: một tệp đính kèm lớn hơn khoảng 7 MB "
                    "hoặc cấu trúc lồng quá sâu.",
                    "The package exceeds the XML parser's limits: an attachment over about 7 MB, or nesting too deep.")
    MALFORMED = ("Gói tin không phải XML hợp lệ.", "The package is not well-formed XML.")
    FORBIDDEN_DTD = ("Gói tin chứa khai báo DTD hoặc thực thể (DOCTYPE/ENTITY), không được chấp nhận.",
                     "The package contains a DTD or entity declaration (DOCTYPE/ENTITY), which is not accepted.")
    WRONG_NAMESPACE = ("Gói tin không thuộc không gian tên edXML của QCVN 102:2016/BTTTT.",
                       "The package is not in the edXML namespace of QCVN 102:2016/BTTTT.")
    WRONG_KIND = ("Gói tin không đúng loại: cần gói tin văn bản mà nhận gói tin trạng thái, hoặc ngược lại.",
                  "The package is of the wrong kind: a status package where a document was expected, or the reverse.")
    SCHEMA = ("Gói tin không đúng cấu trúc edXML: {detail}",
              "The package does not follow the edXML structure: {detail}")
    INVALID_VALUE = ("Giá trị không hợp lệ trong gói tin: {detail}", "Invalid value in the package: {detail}")
    FOREIGN_DOCUMENT = ("Mã văn bản {detail} không thuộc cơ quan gửi gói tin.",
                        "The document id {detail} does not belong to the sending agency.")
    ATTACHMENT_MISSING = ("Thiếu tệp đính kèm được khai báo trong danh mục: {detail}",
                          "An attachment listed in the manifest is missing: {detail}")
    ATTACHMENT_HASH = ("Tệp đính kèm «{detail}» không khớp mã băm đã khai báo (tệp bị thay đổi hoặc hỏng).",
                       "The attachment «{detail}» does not match its declared hash (altered or damaged).")
    UNSIGNED = ("Gói tin không có chữ ký số của cơ quan gửi.",
                "The package carries no signature of the sending agency.")
    UNKNOWN_AGENCY = ("Cơ quan gửi {detail} không có trong danh bạ hoặc chưa đăng ký chứng thư số.",
                      "The sending agency {detail} is not in the directory or has no registered certificate.")
    BAD_SIGNATURE = ("Chữ ký số của gói tin không hợp lệ: {detail}", "The package's signature is not valid: {detail}")


class PackageRefused(Exception):
    """A package this installation will not accept; answered with status :data:`REFUSED`.

    ``reason`` says what failed; ``message_vi``/``message_en`` are the texts for the sender's
    clerk and the log; ``status_code`` is always ``02``."""

    status_code = REFUSED

    def __init__(self, reason: Reason, **values: object) -> None:
        vi, en = reason.value
        self.reason = reason
        self.message_vi = vi.format(**values) if values else vi
        self.message_en = en.format(**values) if values else en
        super().__init__(self.message_en)

    @property
    def code(self) -> str:
        """The reason's name (``ATTACHMENT_HASH``), stable for logs and tests."""
        return self.reason.name

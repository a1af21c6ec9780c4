"""What the pages call the platform's codes (statuses, urgency, history actions…), in
Vietnamese, translated with the rest of the pages."""

from __future__ import annotations

import re

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

DIRECTION = {"incoming": _l("Văn bản đến"), "outgoing": _l("Văn bản đi")}
DOCUMENT_STATUS = {"draft": _l("Dự thảo"), "registered": _l("Đã vào sổ"),
                   "issued": _l("Đã phát hành"), "finished": _l("Đã xử lý xong"), "recalled": _l("Đã thu hồi"),
                   "refused": _l("Đã từ chối tiếp nhận"), "corrected": _l("Đã được đính chính"),
                   "replaced": _l("Đã bị thay thế")}
# An incoming document before its registration is waiting for the clerk, never a draft.
INCOMING_STATUS = {**DOCUMENT_STATUS, "draft": _l("Chờ vào sổ")}


def document_status(direction: str, status: str) -> str:
    return str((INCOMING_STATUS if direction == "incoming" else DOCUMENT_STATUS)[status])


URGENCY = {"thuong": _l("Thường"), "khan": _l("Khẩn"), "thuong_khan": _l("Thượng khẩn"), "hoa_toc": _l("Hỏa tốc")}
URGENT = frozenset({"khan", "thuong_khan", "hoa_toc"})
SECRECY = {"thuong": _l("Thường"), "mat": _l("Mật"), "toi_mat": _l("Tối mật"), "tuyet_mat": _l("Tuyệt mật")}
SIGNATURE_STATUS = {"none": _l("Chưa có chữ ký số"), "valid": _l("Chữ ký số hợp lệ"),
                    "invalid": _l("Chữ ký số không hợp lệ"), "paper": _l("Ký tay trên giấy")}
# What checking a stored file's signatures gave, when it could not be read as a signed PDF.
FILE_CHECK = {"missing": _l("Không còn tệp trong kho lưu trữ"), "not_pdf": _l("Không phải tệp PDF")}
DELIVERY = {"electronic": _l("Điện tử"), "paper": _l("Bản giấy")}
FILE_ROLE = {"main": _l("Tệp chính"), "appendix": _l("Phụ lục")}
CASE_STATUS = {"running": _l("Đang xử lý"), "completed": _l("Đã kết thúc")}
TASK_STATUS = {"open": _l("Chờ xử lý"), "completed": _l("Đã xử lý"), "cancelled": _l("Đã hủy")}
HISTORY = {"case_started": _l("Khởi tạo"), "task_completed": _l("Xử lý"), "file_attached": _l("Đính kèm tệp"),
           "timer_fired": _l("Đến hạn (tự động)"), "document_entered": _l("Vào sổ"),
           "document_recalled": _l("Thu hồi"), "message_received": _l("Nhận văn bản liên thông"),
           "dossier_exported": _l("Xuất hồ sơ kiểm tra"), "document_registered": _l("Vào sổ"),
           "document_refused": _l("Từ chối tiếp nhận"), "case_refused": _l("Từ chối tiếp nhận"),
           "entry_voided": _l("Hủy văn bản trong sổ"),
           "document_correct_started": _l("Soạn văn bản đính chính"),
           "document_replace_started": _l("Soạn văn bản thay thế"),
           "document_superseded": _l("Văn bản cũ hết hiệu lực"),
           "case_resumed": _l("Tiếp tục sau sự cố (tự động)"),
           "remote_signing_requested": _l("Gửi yêu cầu ký số từ xa"),
           "remote_signing_ended": _l("Yêu cầu ký số từ xa kết thúc"),
           "lane_unresolved": _l("Sự cố: không xác định được người xử lý"),
           "script_failed": _l("Sự cố: mã của quy trình bị dừng"), "action_failed": _l("Sự cố: thao tác gặp lỗi"),
           "timer_failed": _l("Sự cố: bước hẹn giờ gặp lỗi"),
           "message_refused": _l("Sự cố: thông điệp liên thông bị từ chối"),
           "task_orphaned": _l("Sự cố: bước không còn người xử lý"),
           "task_reassigned": _l("Giao lại bước (xử lý sự cố)"), "case_moved": _l("Chuyển bước (xử lý sự cố)"),
           "case_cancelled": _l("Hủy hồ sơ (xử lý sự cố)"), "incident_closed": _l("Đóng sự cố"),
           "case_migrated": _l("Chuyển sang phiên bản quy trình mới"),
           "case_migration_reverted": _l("Hoàn tác chuyển phiên bản")}
ROLE = {"main": _l("Xử lý chính"), "co": _l("Phối hợp"), "info": _l("Nhận để biết")}
ASSIGNMENT_STATUS = {"open": _l("Đang xử lý"), "done": _l("Đã xong"), "returned": _l("Đã trả lại")}
NOTIFICATION = {"task": _l("Công việc mới"), "comment_request": _l("Đề nghị góp ý"),
                "returned": _l("Bị trả lại"), "deadline_soon": _l("Sắp đến hạn"), "overdue": _l("Quá hạn"),
                "message": _l("Tin nhắn"), "issued_to_unit": _l("Văn bản gửi đơn vị"),
                "recalled": _l("Thu hồi"), "corrected": _l("Đính chính"), "replaced": _l("Thay thế"),
                "account": _l("Tài khoản"),
                "issued": _l("Đã phát hành")}
# A record's retention and access as stored (engine.archives.table.NATIONAL, engine.office.records.ACCESS), as said.
RECORD_TERMS = {"Vĩnh viễn": _l("Vĩnh viễn"), "70 năm": _l("70 năm"), "50 năm": _l("50 năm"),
                "30 năm": _l("30 năm"), "20 năm": _l("20 năm"), "10 năm": _l("10 năm"), "5 năm": _l("5 năm"),
                "Công khai": _l("Công khai"), "Hạn chế": _l("Hạn chế")}
_TERM_YEARS = re.compile(r"^(\d{1,3}) năm$")


def term(stored: str) -> str:
    """A retention as stored ("Vĩnh viễn", "N năm": any number of years a retention table sets), as said."""
    if stored in RECORD_TERMS:
        return str(RECORD_TERMS[stored])
    years = _TERM_YEARS.match(stored)
    return gettext("%(n)s năm", n=years.group(1)) if years else stored


TABS = {"todo": _l("Cần xử lý"), "following": _l("Đang theo dõi"), "done": _l("Đã xử lý"),
        "overdue": _l("Quá hạn")}
SORTS = {"newest": _l("Mới nhất"), "oldest": _l("Cũ nhất"), "due": _l("Hạn xử lý")}
DELEGATION_STATE = {"active": _l("Đang hiệu lực"), "upcoming": _l("Chưa đến ngày"), "ended": _l("Đã hết hạn"),
                    "revoked": _l("Đã thu hồi")}
REPORT_MEASURES = {"incoming": _l("Văn bản đến"), "outgoing": _l("Văn bản đi phát hành"),
                   "processed": _l("Đã xử lý"), "overdue": _l("Quá hạn"),
                   "unsigned": _l("Phát hành không có chữ ký số hợp lệ")}
NO_UNIT = _l("Chưa giao đơn vị")
GROUPING = {"month": _l("Theo tháng"), "quarter": _l("Theo quý"), "year": _l("Theo năm")}
COMPLIANCE = {"on_time": _l("Đúng hạn"), "late": _l("Trễ hạn"), "open": _l("Đang xử lý"),
              "issued": _l("Văn bản đi phát hành"), "unsigned": _l("Phát hành không có chữ ký số hợp lệ"),
              "paper": _l("Ký tay (ngoại lệ)"), "documents": _l("Văn bản xử lý"),
              "electronic": _l("Xử lý điện tử"), "electronic_share": _l("Tỷ lệ điện tử (%)")}
POSITION = {"specialist": _l("Chuyên viên"), "head": _l("Trưởng đơn vị"), "deputy_head": _l("Phó trưởng đơn vị"),
            "office_chief": _l("Chánh Văn phòng"), "deputy_office_chief": _l("Phó Chánh Văn phòng"),
            "director": _l("Giám đốc"), "deputy_director": _l("Phó Giám đốc"), "clerk": _l("Văn thư"),
            "admin": _l("Quản trị hệ thống"), "designer": _l("Thiết kế quy trình (triển khai quy trình)"),
            "auditor": _l("Kiểm tra viên"), "operator": _l("Vận hành quy trình (xử lý sự cố)")}
UNIT_KIND = {"phong": _l("Phòng"), "khoa": _l("Khoa"), "tram": _l("Trạm"), "van_phong": _l("Văn phòng"),
             "ban_giam_doc": _l("Ban Giám đốc")}
# The document lists' tree (engine/office/document_lists.py), as the commercial products name it.
LIST_GROUPS = {"incoming": _l("Văn bản đến"), "outgoing": _l("Văn bản đi"), "internal": _l("Văn bản nội bộ"),
               "info": _l("Để biết / Thông báo")}
LISTS = {"in_register": _l("Chờ vào sổ"), "in_waiting": _l("Chờ xử lý"), "in_progress": _l("Đang xử lý"),
         "in_done": _l("Đã xử lý"), "in_info": _l("Để biết"), "out_draft": _l("Dự thảo"),
         "out_signing": _l("Chờ ký"), "out_issued": _l("Đã phát hành"), "internal": _l("Văn bản nội bộ"),
         "info": _l("Văn bản để biết"), "notice": _l("Văn bản thông báo")}


_PERIOD = re.compile(r"(\d{4})(?:-(?:Q(\d)|(\d{2}))(?:-(\d{2}))?)?")


def period(key: str) -> str:
    """A report's period as people write it: "Tháng 1/2026", "Quý 1/2026", "Năm 2026",
    "02/03/2026", where the figures keep "2026-01", "2026-Q1", "2026", "2026-03-02"."""
    found = _PERIOD.fullmatch(key)
    if found is None:
        return key
    year, quarter, month, day = found.groups()
    if day:
        return f"{day}/{month}/{year}"
    if month:
        return gettext("Tháng %(month)s/%(year)s", month=int(month), year=year)
    if quarter:
        return gettext("Quý %(quarter)s/%(year)s", quarter=quarter, year=year)
    return gettext("Năm %(year)s", year=year)

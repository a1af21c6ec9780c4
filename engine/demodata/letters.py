"""The demo's texts and its one PDF per agency (fpdf2, the registers' font): what the demo
documents are about, and a body for the full-text search to find."""

from __future__ import annotations

import io
from pathlib import Path

from fpdf import FPDF

ISSUERS = ("Ủy ban nhân dân tỉnh", "Sở Tài chính", "Sở Nội vụ", "Bộ Y tế", "Sở Kế hoạch và Đầu tư",
           "Văn phòng Ủy ban nhân dân tỉnh", "Sở Tài nguyên và Môi trường", "Bảo hiểm xã hội tỉnh")
ISSUER_SYMBOLS = ("UBND-VP", "STC-QLNS", "SNV-TCBC", "BYT-KCB", "SKHĐT-TH", "VP-KGVX", "STNMT-QLĐĐ", "BHXH-TST")
SUBJECTS = (
    "Về việc báo cáo kết quả thực hiện nhiệm vụ {period}",
    "Về việc triển khai kế hoạch cải cách hành chính {period}",
    "Về việc rà soát, đánh giá tình hình thực hiện dự toán ngân sách {period}",
    "Về việc tổ chức hội nghị sơ kết công tác {period}",
    "Về việc tăng cường công tác phòng, chống thiên tai {period}",
    "Về việc đôn đốc thực hiện chuyển đổi số {period}",
    "Về việc kiểm tra công tác văn thư, lưu trữ {period}",
    "Về việc cung cấp thông tin phục vụ xây dựng báo cáo {period}",
    "Về việc góp ý dự thảo quy chế làm việc {period}",
    "Về việc thực hiện chế độ báo cáo thống kê {period}",
)
TYPES = ("CV", "CV", "CV", "KH", "BC", "TB", "QĐ", "GM", "TTr", "CV")
BODY = (
    "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020 của Chính phủ về công tác văn thư;",
    "Thực hiện chỉ đạo của cơ quan cấp trên về việc đẩy mạnh ứng dụng chữ ký số trong xử lý văn bản,",
    "{agency} đề nghị các đơn vị trực thuộc rà soát hồ sơ công việc, cập nhật tiến độ xử lý",
    "và gửi báo cáo kết quả về Văn phòng trước ngày 25 hằng tháng để tổng hợp.",
    "Nội dung phối hợp: hệ thống quản lý văn bản điện tử liên thông bốn cấp chính quyền.",
)


def subject(index: int, period: str) -> str:
    return SUBJECTS[index % len(SUBJECTS)].format(period=period)


def letter(agency: str, font: Path, bold: Path) -> bytes:
    """One A4 page: the agency's header and the body above; the demo's scan of every document."""
    pdf = FPDF(format="A4")
    pdf.add_font("serif", "", str(font))
    pdf.add_font("serif", "B", str(bold))
    pdf.add_page()
    pdf.set_font("serif", "B", 12)
    pdf.cell(0, 8, agency.upper(), new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.cell(0, 8, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font("serif", "", 12)
    pdf.cell(0, 8, "Độc lập - Tự do - Hạnh phúc", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.ln(8)
    for line in BODY:
        pdf.multi_cell(0, 7, line.format(agency=agency), new_x="LMARGIN", new_y="NEXT")
    out = io.BytesIO()
    pdf.output(out)
    return out.getvalue()

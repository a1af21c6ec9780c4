"""The demo agencies' retention tables (bảng thời hạn bảo quản): fourteen items each, headings and
terms in the manner of the common table of Circular 10/2022/TT-BNV — fictitious, for the demo only,
not a quotation of the Circular."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Agency, RetentionItem

# (code, heading, term, note)
ITEMS = [
    ("01.01", "Hồ sơ xây dựng, ban hành quy chế làm việc của cơ quan", "Vĩnh viễn", None),
    ("01.02", "Hồ sơ hội nghị tổng kết công tác năm của cơ quan", "Vĩnh viễn", None),
    ("01.03", "Kế hoạch, báo cáo công tác năm của cơ quan", "Vĩnh viễn", None),
    ("01.04", "Kế hoạch, báo cáo công tác quý, tháng", "5 năm", "Báo cáo năm: mục 01.03"),
    ("01.05", "Công văn trao đổi về những vấn đề chung của cơ quan", "10 năm", None),
    ("02.01", "Hồ sơ xây dựng quy chế công tác văn thư, lưu trữ của cơ quan", "Vĩnh viễn", None),
    ("02.02", "Sổ đăng ký văn bản đi, văn bản đến", "20 năm", None),
    ("02.03", "Tập lưu văn bản đi của cơ quan", "50 năm", None),
    ("03.01", "Hồ sơ gốc cán bộ, công chức, viên chức", "70 năm", None),
    ("03.02", "Hồ sơ nâng bậc lương, phụ cấp của cán bộ, công chức", "20 năm", None),
    ("04.01", "Báo cáo quyết toán tài chính năm", "Vĩnh viễn", None),
    ("04.02", "Chứng từ kế toán sử dụng trực tiếp để ghi sổ kế toán", "10 năm", None),
    ("05.01", "Hồ sơ giải quyết khiếu nại, tố cáo", "15 năm", "Vụ việc nghiêm trọng: Vĩnh viễn"),
    ("05.02", "Hồ sơ thi đua, khen thưởng cấp cơ quan", "20 năm", None),
]
INCOMING_RECORDS, OUTGOING_RECORDS = "01.05", "02.03"  # the items the demo's two records name


def seed(session: Session, agency: Agency, now: datetime) -> dict[str, RetentionItem]:
    """The agency's demo table (kept as it is if it has one), by code."""
    kept = {i.code: i for i in session.scalars(select(RetentionItem).where(RetentionItem.agency_id == agency.id))}
    if not kept:
        kept = {code: RetentionItem(agency_id=agency.id, code=code, heading=heading, term=term, note=note,
                                    created_at=now, updated_at=now) for code, heading, term, note in ITEMS}
        session.add_all(kept.values())
        session.flush()
    return kept

"""Biên bản hủy tài liệu hết giá trị: the minutes of a destruction, a PDF table of the records
destroyed with who listed, reviewed, approved and carried it out, and the backups noted."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.clock import VIETNAM
from engine.models import Agency, DestructionEntry, DestructionList, User
from engine.reporting import pdftable

COLUMNS = [("STT", 12), ("Mã hồ sơ", 55), ("Tiêu đề hồ sơ", 105), ("Thời hạn bảo quản", 30),
           ("Năm kết thúc", 25), ("Số văn bản", 22), ("Số tệp đã hủy", 28)]


def _who(session: Session, user_id: int | None, at: datetime | None) -> str:
    name = session.scalar(select(User.full_name).where(User.id == user_id)) if user_id else None
    return f"{name or '—'} ({at.astimezone(VIETNAM):%d/%m/%Y %H:%M})" if at else (name or "—")


def render(session: Session, found: DestructionList, entries: Sequence[DestructionEntry], fonts: pdftable.Fonts,
           now: datetime) -> bytes:
    agency = session.get(Agency, found.agency_id)
    assert agency is not None
    subtitle = (f"Danh mục số {found.id}. Lý do hủy: {found.reason}. "
                f"Lập danh mục: {_who(session, found.proposed_by, found.proposed_at)}; "
                f"thẩm tra: {_who(session, found.reviewed_by, found.reviewed_at)}; "
                f"người đứng đầu cơ quan phê duyệt: {_who(session, found.approved_by, found.approved_at)}; "
                f"thực hiện hủy: {_who(session, found.destroyed_by, now)}. "
                f"Tệp đã xóa khỏi kho lưu trữ của hệ thống; bản sao lưu: {found.backups_note}. "
                "Siêu dữ liệu hồ sơ và văn bản được giữ lại.")
    rows = [[str(i), e.code, e.title, e.retention, str(e.end_year), str(e.documents), str(e.files_deleted or 0)]
            for i, e in enumerate(entries, start=1)]
    return pdftable.render(pdftable.Sheet(
        heading=[(agency.name.upper(), "B", 12), ("BIÊN BẢN", "B", 16),
                 ("Về việc hủy tài liệu hết giá trị", "B", 13)],
        subtitle=subtitle, columns=COLUMNS, centred={"STT", "Năm kết thúc", "Số văn bản", "Số tệp đã hủy"},
        rows=rows, running_title=f"Biên bản hủy tài liệu – danh mục {found.id}",
        document_title="Biên bản hủy tài liệu hết giá trị", author=agency.name), fonts, now)

"""Chuyển để biết from a list: several documents sent at once to units and people of their
agency to read. Each becomes a "để biết" hand-over in the document's work tree and an item in
each recipient's "để biết" list (engine.office.info_items), as a direction's would; who may send is
engine.org.permissions' rule (``ensure_can_forward``). One transaction, one audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.errors import InvalidData, Text
from engine.models import Assignment, AssignmentRole, AssignmentStatus, Case, Document, Unit, User
from engine.office import info_items
from engine.org import permissions
from engine.workflow import roles

MAX_DOCUMENTS = 50


def _names(value: Any, field: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and 0 < len(v) <= 64 for v in value):
        raise InvalidData("Danh sách người nhận không hợp lệ.", {field: "Chọn lại trong danh sách."})
    return list(dict.fromkeys(value))


def forward(session: Session, user: User, document_ids: list[int], unit_codes: Any, usernames: Any,
            note: str | None, now: datetime) -> int:
    """Send the documents for information; how many were sent."""
    units, people = _names(unit_codes, "units"), _names(usernames, "people")
    if not document_ids or len(document_ids) > MAX_DOCUMENTS:
        raise InvalidData("Chưa chọn văn bản nào.", {"ids": Text("Chọn từ 1 đến %(n)s văn bản.", n=MAX_DOCUMENTS)})
    if not units and not people:
        raise InvalidData("Chưa chọn nơi nhận để biết.", {"units": "Chọn ít nhất một đơn vị hoặc một người."})
    if note is not None and len(note) > 2000:
        raise InvalidData("Ghi chú quá dài.", {"note": "Tối đa 2000 ký tự."})
    today = now.astimezone(VIETNAM).date()
    docs = list(session.scalars(select(Document).where(Document.id.in_(document_ids)).order_by(Document.id)))
    if len(docs) != len(set(document_ids)):
        raise InvalidData("Có văn bản không tồn tại.", {"ids": "Chọn lại văn bản trong danh sách."})
    for doc in docs:
        permissions.ensure_can_forward(session, user, doc, today)
        case_id = session.scalar(select(Case.id).where(Case.document_id == doc.id).order_by(Case.id.desc()))
        if case_id is None:
            raise InvalidData(Text("Văn bản “%(subject)s” chưa có hồ sơ xử lý để chuyển.", subject=doc.subject),
                              {"ids": "Chỉ chuyển được văn bản đang có hồ sơ công việc."})
        unit_rows = list(session.scalars(select(Unit).where(Unit.agency_id == doc.agency_id, Unit.code.in_(units))))
        persons = [roles.member(session, name, doc.agency_id) for name in people]
        if len(unit_rows) != len(units) or None in persons:
            raise InvalidData("Nơi nhận không thuộc cơ quan của văn bản.", {"units": "Chọn lại trong danh sách."})
        for unit in unit_rows:
            session.add(Assignment(document_id=doc.id, case_id=case_id, from_user_id=user.id, to_unit_id=unit.id,
                                   role=AssignmentRole.INFO, note=note, status=AssignmentStatus.OPEN, created_at=now))
        for person in persons:
            assert person is not None
            session.add(Assignment(document_id=doc.id, case_id=case_id, from_user_id=user.id, to_user_id=person.id,
                                   role=AssignmentRole.INFO, note=note, status=AssignmentStatus.OPEN, created_at=now))
        info_items.send_for_information(session, doc, case_id, user, [u.id for u in unit_rows],
                                        [p.id for p in persons if p is not None], note, now)
    session.flush()
    audit.append(session, at=now, action="documents_forwarded", actor_id=user.id,
                 payload={"documents": [d.id for d in docs], "units": units, "people": people, "note": note})
    return len(docs)

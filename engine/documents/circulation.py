"""Luân chuyển (Đồng Nai, PROCEDURES.md §4): the ordered list of units whose heads initial a
draft in turn before the signer, chosen per document by its creator, who also names the
người trình (a leader of their own unit) and the người ký (a leader of the agency).

The diagram walks the list; these checks, run when the creator submits, make sure it names
real units and people. Duplicates are refused by the form itself (``uniqueItems``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.models import Position, Unit
from engine.workflow import roles

UNIT_LEADERS = frozenset({Position.HEAD, Position.DEPUTY_HEAD})
AGENCY_LEADERS = frozenset({Position.DIRECTOR, Position.DEPUTY_DIRECTOR})


def check(
    session: Session, agency_id: int, own_unit_id: int, route: list[str], presenter: Any, signer: Any
) -> None:
    """Refuse a route with a unit the agency does not have or that does not start at the
    creator's own unit (where the người trình initials), and people who do not hold the
    position their role needs; one message per field."""
    fields: dict[str, str] = {}
    units = dict(session.execute(select(Unit.code, Unit.id).where(Unit.agency_id == agency_id,
                                                                 Unit.code.in_(route))).all())
    unknown = [code for code in route if code not in units]
    if unknown:
        fields["route"] = f"Không có đơn vị {', '.join(unknown)} trong cơ quan."
    elif units[route[0]] != own_unit_id:
        fields["route"] = "Luồng phải bắt đầu từ đơn vị của người soạn (người trình ký nháy trước)."
    if roles.member(session, presenter, agency_id, UNIT_LEADERS, own_unit_id) is None:
        fields["presenter"] = "Người trình phải là lãnh đạo đơn vị của người soạn."
    if roles.member(session, signer, agency_id, AGENCY_LEADERS) is None:
        fields["signer"] = "Người ký phải là Giám đốc hoặc Phó Giám đốc của cơ quan."
    if fields:
        raise InvalidData("Luồng luân chuyển chưa hợp lệ.", fields)

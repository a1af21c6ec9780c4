"""Cases jammed on purpose for the incident desk's tests: a Lai Châu incoming document whose
main unit has lost its head (the org state a diagram deployed before lanes were checked met),
so that routing it opens a task whose lane resolves to nobody."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from engine.core.platform import Platform
from engine.models import Position, Unit, User, UserPosition
from tests.conftest import Api
from tests.flows import attach_pdf, complete, only_task

INCOMING = {"channel": "paper", "doc_type": "CV", "subject": "Về việc kiểm tra an toàn hóa chất năm 2026",
            "number_symbol": "412/UBND-KT", "issuer_name": "UBND tỉnh Lai Châu", "document_date": "2026-02-26"}
DIRECTION = {"main_unit": "QLCN", "main_deadline": "2026-03-13", "co_units": ["QLTM"], "co_deadline": "2026-03-10",
             "note": "Phòng QLCN chủ trì, tham mưu báo cáo"}
OPERATOR = "laichau_cvp"


def user_id(platform: Platform, username: str) -> int:
    with platform.db.read() as session:
        return int(session.scalars(select(User.id).where(User.username == username)).one())


def name_operator(platform: Platform, username: str = OPERATOR, position: Position = Position.OPERATOR) -> None:
    """The Lai Châu chief of office becomes the agency's operator (vận hành quy trình), or
    ``username`` takes ``position`` in their unit."""
    with platform.db.write() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        unit = session.get(Unit, session.scalars(select(UserPosition.unit_id).where(
            UserPosition.user_id == user.id)).first())
        session.add(UserPosition(user_id=user.id, unit_id=unit.id, position=position))


def behead_qlcn(platform: Platform) -> None:
    """QLCN's head leaves the unit: nobody holds ``head(QLCN)`` any more."""
    head = user_id(platform, "laichau_head_qlcn")
    with platform.db.write() as session:
        session.execute(delete(UserPosition).where(UserPosition.user_id == head,
                                                   UserPosition.position == Position.HEAD))


def jammed_cases(api: Api, platform: Platform, count: int = 1) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Cases whose clerk cannot route them: directed to QLCN, which then loses its head (the
    direction itself refuses a unit without one). Returns each case and its refused answer."""
    directed = []
    for n in range(count):
        data = {**INCOMING, "number_symbol": f"{412 + n}/UBND-KT"}
        r = api.post("laichau_clerk", "/api/v1/cases", {"process": "laichau_incoming", "data": data})
        assert r.status_code == 201, r.get_json()
        case = complete(api, "laichau_clerk", only_task(r.get_json()), {"decision": "register"})
        case = complete(api, "laichau_director", only_task(case), DIRECTION)
        attach_pdf(api, "laichau_clerk", case)
        directed.append(case)
    behead_qlcn(platform)
    jammed = []
    for case in directed:
        refused = api.complete("laichau_clerk", only_task(case)["id"], {"decision": "route"})
        assert refused.status_code == 422, refused.get_json()
        jammed.append((case, refused.get_json()))
    return jammed

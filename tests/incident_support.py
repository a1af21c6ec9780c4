"""Cases jammed on purpose for the incident desk's tests, as issue 18 tells it: an older
diagram of Lai Châu's incoming procedure is deployed, whose units' "Lãnh đạo đơn vị phân công"
lane is ``head(initiator)`` — copied from the outgoing procedures, where the initiator is the
drafter in a department. On an incoming document the initiator is the clerk, in the Văn phòng
Sở, a unit without a head (Chánh Văn phòng is its office_chief): routing the document opens the
units' tasks in a lane that names nobody. The organisation is left as the demo has it."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any
from uuid import UUID

from sqlalchemy import select

from engine.core.platform import Platform
from engine.models import Case, HumanTask, Position, ProcessVersion, Unit, User, UserPosition
from engine.workflow import state
from engine.workflow.definitions import version_info
from qlvb import context
from tests.conftest import ROOT, Api
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


CURRENT_LANE = '<bpmn:lane id="L_head" name="head(data.unit)">'
OLD_LANE = '<bpmn:lane id="L_head" name="head(initiator)">'


def deploy_old_incoming(platform: Platform) -> int:
    """The older Lai Châu incoming diagram, built from the real one, deployed as a new version
    through the platform's deploy path (the validator, the org checks — ``head(initiator)``
    names the departments' heads, so the dry resolution passes — then the versions table)."""
    xml = (ROOT / "processes/lai_chau/laichau_incoming.bpmn").read_text(encoding="utf-8")
    assert xml.count(CURRENT_LANE) == 1
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "laichau_incoming.bpmn"
        path.write_text(xml.replace(CURRENT_LANE, OLD_LANE), encoding="utf-8")
        assert context.deploy(platform, [path])
    with platform.db.read() as session:
        return int(session.scalars(select(ProcessVersion.id).where(ProcessVersion.process_id == "laichau_incoming")
                                   .order_by(ProcessVersion.version.desc()).limit(1)).one())


def unit_of(platform: Platform, task_id: str) -> str:
    """The unit whose part of the case an open task is (the per-unit sub-process's item)."""
    with platform.db.read() as session:
        case = session.get(Case, session.get(HumanTask, task_id).case_id)
        info = version_info(session, case.process_version_id)
        workflow = state.load(case.state_json, info.spec, info.subprocess_specs)
        return str(workflow.get_task_from_id(UUID(task_id)).data["unit"])


def jammed_cases(api: Api, platform: Platform, count: int = 1) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Cases started on the older diagram, directed to QLCN (QLTM co-handling), whose clerk
    cannot route them: the units' tasks would go to the head of the Văn phòng. Returns each case
    and its refused answer."""
    old = deploy_old_incoming(platform)
    directed = []
    for n in range(count):
        data = {**INCOMING, "number_symbol": f"{412 + n}/UBND-KT"}
        r = api.post("laichau_clerk", "/api/v1/cases", {"process": "laichau_incoming", "data": data})
        assert r.status_code == 201, r.get_json()
        with platform.db.read() as session:
            assert session.get(Case, r.get_json()["id"]).process_version_id == old
        case = complete(api, "laichau_clerk", only_task(r.get_json()), {"decision": "register"})
        case = complete(api, "laichau_director", only_task(case), DIRECTION)
        attach_pdf(api, "laichau_clerk", case)
        directed.append(case)
    jammed = []
    for case in directed:
        refused = api.complete("laichau_clerk", only_task(case)["id"], {"decision": "route"})
        assert refused.status_code == 422, refused.get_json()
        jammed.append((case, refused.get_json()))
    return jammed

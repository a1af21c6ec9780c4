"""Lanes resolved against the organisation before a diagram is deployed (issue 18): each lane's
role expression must name at least one active person in every agency the process is deployed
for, or a case would stop at that lane with nobody to hand the task to. A term that depends on
the case (a unit or person chosen in a form) is resolved for every unit of the agency: the lane
passes when some unit has someone; the designer sees who, per agency."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Agency, Unit, User, UserPosition
from engine.org import permissions
from engine.workflow import roles
from engine.workflow.bpmn_check import NS, Definition, Problem

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)  # checked already
_SHOWN = 8  # people listed per lane and agency; the count says the rest


@dataclass(frozen=True)
class LanePreview:
    """Who a lane names in one agency (ai nhận việc ở lane này)."""

    lane_id: str
    expression: str
    agency: str
    people: tuple[str, ...]  # full names, at most _SHOWN
    count: int
    depends_on_case: bool  # the initiator or a person chosen in a form: known only when a case runs


def _agencies(session: Session, agency_property: str | None) -> list[Agency]:
    codes = permissions.agency_codes(agency_property)
    query = select(Agency).order_by(Agency.code)
    return list(session.scalars(query if codes is None else query.where(Agency.code.in_(codes))))


def _named(session: Session, agency: Agency, expression: str) -> tuple[set[int], bool]:
    """Everyone the expression may name in the agency, and whether it also names someone only a
    case knows (the initiator, a person a form names)."""
    found: set[int] = set()
    open_ended = False
    holders = select(UserPosition.user_id).join(Unit).join(User, User.id == UserPosition.user_id).where(
        Unit.agency_id == agency.id, User.active.is_(True))
    for term in roles.parse(expression):
        if term.kind in ("initiator", "user"):
            open_ended = True
        elif term.kind == "in_charge":
            found.update(u for u in session.scalars(select(Unit.supervisor_id).where(
                Unit.agency_id == agency.id, Unit.supervisor_id.is_not(None))) if u is not None)
        else:
            found.update(session.scalars(holders.where(UserPosition.position == term.position)))
    return found, open_ended


def previews(session: Session, definition: Definition, root_lanes: list[tuple[str, str]]) -> list[LanePreview]:
    """Who each lane (id, expression) names in each agency the file's processes are deployed for."""
    result = []
    agencies = {a.id: a for entry in definition.processes for a in _agencies(session, entry.agency_code)}
    for lane_id, expression in root_lanes:
        try:
            roles.parse(expression)
        except roles.RoleSyntaxError:
            continue  # bpmn_check reports it
        for agency in sorted(agencies.values(), key=lambda a: a.code):
            ids, open_ended = _named(session, agency, expression)
            names = sorted(session.scalars(select(User.full_name).where(User.id.in_(ids)))) if ids else []
            result.append(LanePreview(lane_id, expression, agency.code, tuple(names[:_SHOWN]), len(ids),
                                      open_ended))
    return result


def lanes(xml: bytes) -> list[tuple[str, str]]:
    root = etree.fromstring(xml, _PARSER)
    return [(str(lane.get("id")), lane.get("name") or "") for lane in root.xpath(".//bpmn:lane", namespaces=NS)]


def problems(session: Session, definition: Definition) -> list[Problem]:
    return [Problem(p.lane_id, f"lane '{p.expression}' không có ai ở cơ quan {p.agency}: công việc ở lane này "
                               "sẽ không giao được cho ai")
            for p in previews(session, definition, lanes(definition.content))
            if p.count == 0 and not p.depends_on_case]

"""Where a diagram's messages can go, checked before it is deployed: a message thrown by a
process of one agency must be caught by a process of the same agency or of one it has an
exchange agreement with (engine/interagency/agreements.py), or by none yet. The router checks again for
every message it delivers; this check tells the designer, on the element, before any case
runs into it."""

from __future__ import annotations

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.interagency import agreements as exchange
from engine.models import Agency
from engine.org import permissions
from engine.workflow.bpmn_check import NS, Definition, Problem
from engine.workflow.definitions import latest_versions

_MESSAGE_DEF = "bpmn:messageEventDefinition"
_THROWS = f"bpmn:intermediateThrowEvent[{_MESSAGE_DEF}] | bpmn:endEvent[{_MESSAGE_DEF}]"
_CATCHES = (f"bpmn:startEvent[{_MESSAGE_DEF}] | bpmn:intermediateCatchEvent[{_MESSAGE_DEF}] | "
            f"bpmn:boundaryEvent[{_MESSAGE_DEF}]")
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)


def _processes(xml: bytes) -> dict[str, list[tuple[str, str, str]]]:
    """Per process id: (throw or catch, element id, message name) of its message events,
    sub-processes included."""
    root = etree.fromstring(xml, _PARSER)
    names = {m.get("id"): m.get("name") or m.get("id") for m in root.xpath("bpmn:message", namespaces=NS)}
    found: dict[str, list[tuple[str, str, str]]] = {}
    for process in root.xpath("bpmn:process", namespaces=NS):
        events = found.setdefault(str(process.get("id")), [])
        for kind, xpath in (("throw", _THROWS), ("catch", _CATCHES)):
            for node in process.xpath(".//" + xpath.replace(" | ", " | .//"), namespaces=NS):
                ref = node.xpath(f"{_MESSAGE_DEF}/@messageRef", namespaces=NS)
                if ref:
                    events.append((kind, str(node.get("id")), str(names.get(str(ref[0]), ref[0]))))
    return found


def problems(session: Session, definition: Definition) -> list[Problem]:
    """A problem on each throwing element whose message only agencies without an agreement catch."""
    every = list(session.scalars(select(Agency.code)))
    agreed = exchange.partners(session)

    def agencies(property_value: str | None) -> list[str]:
        return permissions.agency_codes(property_value) or every

    catchers: dict[str, set[str]] = {}  # message name -> agencies whose processes catch it
    mine = {p.id: p.agency_code for p in definition.processes}
    for version in latest_versions(session):
        if version.process_id in mine:
            continue  # replaced by this definition
        for kind, _, name in _processes(version.bpmn_xml.encode("utf-8")).get(version.process_id, []):
            if kind == "catch":
                catchers.setdefault(name, set()).update(agencies(version.agency_code))
    events = _processes(definition.content)
    for process_id, agency_code in mine.items():
        for kind, _, name in events.get(process_id, []):
            if kind == "catch":
                catchers.setdefault(name, set()).update(agencies(agency_code))
    found = []
    for process_id, agency_code in mine.items():
        for kind, element, name in events.get(process_id, []):
            receivers = catchers.get(name, set())
            if kind != "throw" or not receivers:
                continue
            for sender in agencies(agency_code):
                if not any(r == sender or (sender, r) in agreed for r in receivers):
                    to = ", ".join(sorted(receivers))
                    found.append(Problem(element, f"thông điệp '{name}' chỉ đến cơ quan {to}, "
                                                  f"chưa có thỏa thuận liên thông với cơ quan {sender}"))
    return found

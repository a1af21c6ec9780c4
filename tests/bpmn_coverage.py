"""BPMN branch coverage of the test suite: every outgoing flow of every gateway of every
diagram in processes/ must be taken by at least one test. The moves come from the audit
log of each test's database (the ``path`` of each entry, see engine.workflow.state.path_since)."""

from __future__ import annotations

import json
from pathlib import Path

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import AuditEntry

BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
GATEWAYS = {f"{BPMN}{kind}" for kind in ("exclusiveGateway", "inclusiveGateway", "parallelGateway",
                                         "eventBasedGateway", "complexGateway")}
Move = tuple[str, str, str]  # process id, gateway id, target element id


def required(processes_dir: Path) -> set[Move]:
    moves: set[Move] = set()
    parser = etree.XMLParser(resolve_entities=False, no_network=True)
    for path in sorted(processes_dir.glob("*/*.bpmn")):
        root = etree.parse(str(path), parser).getroot()
        for process in root.iter(f"{BPMN}process"):
            gateways = {g.get("id") for g in process.iter() if g.tag in GATEWAYS}
            for flow in process.iter(f"{BPMN}sequenceFlow"):
                if flow.get("sourceRef") in gateways:
                    moves.add((str(process.get("id")), str(flow.get("sourceRef")), str(flow.get("targetRef"))))
    return moves


def taken(session: Session) -> set[Move]:
    moves: set[Move] = set()
    process_of: dict[int, str] = {}
    for entry in session.scalars(select(AuditEntry).where(AuditEntry.case_id.is_not(None)).order_by(AuditEntry.id)):
        payload = json.loads(entry.payload)
        if entry.action == "case_started":
            process_of[entry.case_id] = payload.get("process", "")  # type: ignore[index]
        process = process_of.get(entry.case_id)  # type: ignore[arg-type]
        for source, target in payload.get("path", []):
            if process:
                moves.add((process, source, target))
    return moves

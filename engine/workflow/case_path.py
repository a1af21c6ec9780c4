"""The path a case took through its diagram (đường đi của hồ sơ trên sơ đồ), event by event,
for the auditor's stepper: after each audit entry, which BPMN elements have completed,
which sequence flows were taken, which tasks are open and which elements that entry moved.

It is read from the moves each step logged (``path``: [from, to] element ids, see
``state.path_since``) and the tasks it opened and cancelled, so it shows what the engine
did at the time, on the case's own version of the diagram, not a re-run.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from lxml import etree

from engine.models import AuditEntry

_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


@dataclass(frozen=True)
class Diagram:
    elements: frozenset[str]  # every element id of the process model (not of its drawing)
    flows: dict[tuple[str, str], str]  # (source, target) -> sequence flow id
    ends: frozenset[str]  # end events: reached means completed, no move leaves them


def diagram(bpmn_xml: str) -> Diagram:
    root = etree.fromstring(bpmn_xml.encode())
    elements, flows, ends = set(), {}, set()
    for node in root.iter(f"{{{_BPMN}}}*"):
        ident = node.get("id")
        if ident is None:
            continue
        elements.add(ident)
        name = etree.QName(node).localname
        if name == "sequenceFlow":
            flows[(node.get("sourceRef", ""), node.get("targetRef", ""))] = ident
        elif name == "endEvent":
            ends.add(ident)
    return Diagram(frozenset(elements), flows, frozenset(ends))


def steps(bpmn_xml: str, entries: Iterable[AuditEntry]) -> list[dict[str, Any]]:
    """One step per audit entry, in order: the diagram's state right after that entry."""
    shape = diagram(bpmn_xml)
    done: set[str] = set()
    taken: set[str] = set()
    open_tasks: dict[str, str] = {}  # task id -> element id
    found = []
    for entry in entries:
        payload = json.loads(entry.payload)
        moves = [(str(a), str(b)) for a, b in payload.get("path", [])]
        for source, target in moves:
            done.add(source)
            if target in shape.ends:
                done.add(target)
            if (source, target) in shape.flows:
                taken.add(shape.flows[(source, target)])
        if entry.action == "task_completed" and entry.task_id:
            open_tasks.pop(entry.task_id, None)
        for task_id in payload.get("cancelled", []):
            open_tasks.pop(task_id, None)
        for item in payload.get("opened", []):
            open_tasks[item["id"]] = item["task"]
        found.append({
            "seq": entry.seq,
            "done": sorted(done & shape.elements),
            "flows": sorted(taken),
            "open": sorted(set(open_tasks.values()) & shape.elements),
            "moved": sorted({e for move in moves for e in move} & shape.elements),
        })
    return found

"""What changed between two versions of a process (so sánh phiên bản): the BPMN elements
added, removed, renamed or otherwise changed, matched by their ids, and the forms whose
JSON Schema changed. The diagram's layout (BPMN DI) is not a change of the process."""

from __future__ import annotations

import json
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.workflow.bpmn_check import NS

_BPMN = f"{{{NS['bpmn']}}}"
# Children that only say how an element is wired or nested: the flows and the nested
# elements are compared on their own, so an element does not count as changed because a
# flow into it was added.
_WIRING = {_BPMN + "incoming", _BPMN + "outgoing", _BPMN + "laneSet", _BPMN + "childLaneSet"}
_CONTAINERS = {_BPMN + "process", _BPMN + "subProcess", _BPMN + "transaction", _BPMN + "adHocSubProcess"}
_NOT_ELEMENTS = {_BPMN + "extensionElements", _BPMN + "documentation"}


@dataclass(frozen=True)
class Element:
    id: str
    type: str  # the BPMN tag without its namespace: userTask, sequenceFlow, lane…
    name: str
    signature: str  # everything else that defines it, canonicalised


@dataclass(frozen=True)
class ElementChange:
    id: str
    change: str  # "added", "removed", "renamed" (only its name) or "changed"
    type: str
    name: str
    old_type: str | None = None
    old_name: str | None = None


@dataclass(frozen=True)
class FormChange:
    name: str
    change: str  # "added", "removed" or "changed"


@dataclass
class VersionDiff:
    elements: list[ElementChange] = field(default_factory=list)
    forms: list[FormChange] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not self.elements and not self.forms


def _local(tag: str) -> str:
    return etree.QName(tag).localname


def _signature(node: etree._Element, process: bool = False) -> str:
    """The element without its id, name, wiring and the elements nested in it (compared on
    their own), as canonical XML; of a process, only its attributes and properties."""
    copy = deepcopy(node)
    for attribute in ("id", "name"):
        copy.attrib.pop(attribute, None)
    container = node.tag in _CONTAINERS
    for child in list(copy):
        nested = container and child.get("id") is not None
        if child.tag in _WIRING or nested or (process and child.tag not in _NOT_ELEMENTS):
            copy.remove(child)
    for node_ in copy.iter():
        if node_.text is not None and not node_.text.strip():
            node_.text = None
        if node_.tail is not None and not node_.tail.strip():
            node_.tail = None
    return etree.tostring(copy, method="c14n", exclusive=True).decode()


def _collect(container: etree._Element, found: dict[str, Element]) -> None:
    for node in (*container.xpath("bpmn:laneSet//bpmn:lane", namespaces=NS), *container):
        if not isinstance(node.tag, str) or node.tag in _NOT_ELEMENTS | _WIRING or not node.get("id"):
            continue
        found[node.get("id")] = Element(node.get("id"), _local(node.tag), node.get("name") or "",
                                        _signature(node))
        if node.tag in _CONTAINERS:
            _collect(node, found)


def elements(bpmn_xml: str) -> dict[str, Element]:
    """Each process of the file, with its own properties, and every element inside it."""
    root = etree.fromstring(bpmn_xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    found: dict[str, Element] = {}
    for process in root.xpath("bpmn:process", namespaces=NS):
        found[process.get("id")] = Element(process.get("id"), "process", process.get("name") or "",
                                           _signature(process, process=True))
        _collect(process, found)
    return found


def _element_changes(old: Mapping[str, Element], new: Mapping[str, Element]) -> list[ElementChange]:
    changes = []
    for key in sorted(old.keys() | new.keys()):
        before, after = old.get(key), new.get(key)
        if before is None and after is not None:
            changes.append(ElementChange(key, "added", after.type, after.name))
        elif after is None and before is not None:
            changes.append(ElementChange(key, "removed", before.type, before.name))
        elif before is not None and after is not None and before != after:
            only_name = before.type == after.type and before.signature == after.signature
            changes.append(ElementChange(
                key, "renamed" if only_name else "changed", after.type, after.name,
                old_type=before.type if before.type != after.type else None,
                old_name=before.name if before.name != after.name else None,
            ))
    order = {"added": 0, "removed": 1, "renamed": 2, "changed": 3}
    return sorted(changes, key=lambda c: (order[c.change], c.id))


def _form_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[FormChange]:
    def same(a: Any, b: Any) -> bool:
        return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)

    changes = []
    for name in sorted(old.keys() | new.keys()):
        if name not in old:
            changes.append(FormChange(name, "added"))
        elif name not in new:
            changes.append(FormChange(name, "removed"))
        elif not same(old[name], new[name]):
            changes.append(FormChange(name, "changed"))
    return changes


def diff(old_xml: str, old_forms: Mapping[str, Any], new_xml: str, new_forms: Mapping[str, Any]) -> VersionDiff:
    return VersionDiff(_element_changes(elements(old_xml), elements(new_xml)), _form_changes(old_forms, new_forms))

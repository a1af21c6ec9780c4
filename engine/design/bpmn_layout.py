"""A drawing for a process deployed without one (sơ đồ tự dàn trang): BPMN files written by
hand carry only the model, and bpmn-js cannot show a model without its diagram
interchange (BPMN DI). The layout is plain swimlanes: one band per lane, one column per
step along the longest path from the start, returns drawn back above the shapes. The
deployed XML is never changed; the drawing is added to the copy a page shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from lxml import etree

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
BPMNDI = "http://www.omg.org/spec/BPMN/20100524/DI"
DC = "http://www.omg.org/spec/DD/20100524/DC"
DI = "http://www.omg.org/spec/DD/20100524/DI"

_GATEWAYS = {"exclusiveGateway", "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway"}
_EVENTS = {"startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent"}
_ACTIVITIES = {"task", "userTask", "scriptTask", "serviceTask", "manualTask", "sendTask", "receiveTask",
               "businessRuleTask", "callActivity", "subProcess"}
_SIZES = {"gateway": (50, 50), "event": (36, 36), "activity": (100, 80)}
_COLUMN, _ROW, _LABEL, _MARGIN = 170, 110, 30, 40


@dataclass
class _Box:
    x: float
    y: float
    w: float
    h: float

    @property
    def cx(self) -> float:
        return self.x + self.w / 2

    @property
    def cy(self) -> float:
        return self.y + self.h / 2


def _kind(localname: str) -> str | None:
    if localname in _GATEWAYS:
        return "gateway"
    if localname in _EVENTS:
        return "event"
    return "activity" if localname in _ACTIVITIES else None


def _layers(nodes: dict[str, str], flows: list[tuple[str, str, str]], hosts: dict[str, str]) -> tuple[
        dict[str, int], set[str]]:
    """Each node's column (longest path from the roots, a boundary event in its host's) and
    the flows that go back (found by a depth-first walk: they close a loop)."""
    succ: dict[str, list[tuple[str, str]]] = {n: [] for n in nodes}
    for ident, source, target in flows:
        if source in succ and target in succ:
            succ[source].append((target, ident))
    for boundary, host in hosts.items():
        if host in succ:
            succ[host].append((boundary, ""))
    incoming = {t for edges in succ.values() for t, _ in edges}
    roots = [n for n in nodes if n not in incoming] or list(nodes)[:1]
    back: set[str] = set()
    order: list[str] = []
    state: dict[str, int] = {}  # 1 on the walk's path, 2 finished
    for root in roots:
        if root in state:
            continue
        stack = [(root, iter(succ[root]))]
        state[root] = 1
        while stack:
            node, edges = stack[-1]
            step = next(edges, None)
            if step is None:
                state[node] = 2
                order.append(node)
                stack.pop()
                continue
            target, ident = step
            if state.get(target) == 1:
                back.add(ident)
            elif target not in state:
                state[target] = 1
                stack.append((target, iter(succ[target])))
    layer = dict.fromkeys(nodes, 0)
    for node in reversed(order):  # a topological order of the graph without its back flows
        for target, ident in succ[node]:
            if ident not in back:
                layer[target] = max(layer[target], layer[node] + (0 if target in hosts else 1))
    return layer, back


def _element(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, tag, attributes)


def _bounds(parent: etree._Element, box: _Box) -> None:
    _element(parent, f"{{{DC}}}Bounds", x=f"{box.x:g}", y=f"{box.y:g}", width=f"{box.w:g}", height=f"{box.h:g}")


def _waypoints(edge: etree._Element, points: Iterable[tuple[float, float]]) -> None:
    for x, y in points:
        _element(edge, f"{{{DI}}}waypoint", x=f"{x:g}", y=f"{y:g}")


def _route(source: _Box, target: _Box, back: bool, lane: int) -> list[tuple[float, float]]:
    if back:  # above the shapes it passes, then down (or up) into the target
        if target.cy <= source.cy:
            above = target.y + target.h + 12 + 6 * lane
            return [(source.cx, source.y), (source.cx, above), (target.cx, above), (target.cx, target.y + target.h)]
        below = target.y - 12 - 6 * lane
        return [(source.cx, source.y + source.h), (source.cx, below), (target.cx, below), (target.cx, target.y)]
    start, end = (source.x + source.w, source.cy), (target.x, target.cy)
    if abs(start[1] - end[1]) < 1:
        return [start, end]
    if target.x <= source.x + source.w:  # same column (from a boundary event): straight down
        return [(source.cx, source.y + source.h), (source.cx, target.cy), end]
    middle = start[0] + (end[0] - start[0]) / 2
    return [start, (middle, start[1]), (middle, end[1]), end]


def with_diagram(bpmn_xml: str) -> str:
    """``bpmn_xml`` itself when it has a drawing, else a copy with one laid out."""
    root = etree.fromstring(bpmn_xml.encode())
    if root.find(f"{{{BPMNDI}}}BPMNDiagram") is not None:
        return bpmn_xml
    process = next((p for p in root.iterfind(f"{{{BPMN}}}process") if p.get("isExecutable") == "true"),
                   root.find(f"{{{BPMN}}}process"))
    if process is None:
        return bpmn_xml
    nodes: dict[str, str] = {}  # id -> kind
    hosts: dict[str, str] = {}  # boundary event -> the activity it is attached to
    flows: list[tuple[str, str, str]] = []
    collapsed: set[str] = set()  # sub-processes, drawn closed: their inside has no drawing either
    for child in process:
        if not isinstance(child.tag, str):
            continue
        name, ident = etree.QName(child).localname, child.get("id", "")
        kind = _kind(name)
        if kind is not None:
            nodes[ident] = kind
            if name == "boundaryEvent":
                hosts[ident] = child.get("attachedToRef", "")
            elif name == "subProcess":
                collapsed.add(ident)
        elif name == "sequenceFlow":
            flows.append((ident, child.get("sourceRef", ""), child.get("targetRef", "")))
    layer, back = _layers(nodes, flows, hosts)
    lanes = [(lane.get("id", ""), [r.text or "" for r in lane.iterfind(f"{{{BPMN}}}flowNodeRef")])
             for lane in process.iter(f"{{{BPMN}}}lane")]
    in_lane = {n for _, refs in lanes for n in refs}
    bands = [(ident, [n for n in refs if n in nodes]) for ident, refs in lanes]
    loose = [n for n in nodes if n not in in_lane]
    if loose or not bands:
        bands.append(("", loose))
    participant = root.find(f"{{{BPMN}}}collaboration/{{{BPMN}}}participant[@processRef='{process.get('id')}']")
    left = 2 * _LABEL if participant is not None and lanes else _LABEL
    boxes: dict[str, _Box] = {}
    band_boxes: list[tuple[str, _Box]] = []
    top = 0.0
    width = left + _MARGIN + (max(layer.values(), default=0) + 1) * _COLUMN
    for ident, members in bands:
        rows: dict[int, int] = {}
        for node in members:
            if node in hosts:
                continue
            row = rows.get(layer[node], 0)
            rows[layer[node]] = row + 1
            w, h = _SIZES[nodes[node]]
            cx = left + _MARGIN + layer[node] * _COLUMN + 50
            cy = top + 60 + row * _ROW
            boxes[node] = _Box(cx - w / 2, cy - h / 2, w, h)
        height = max(rows.values(), default=1) * _ROW + 10
        band_boxes.append((ident, _Box(_LABEL, top, width - _LABEL, height)))
        top += height
    for boundary, host in hosts.items():
        base = boxes.get(host, _Box(left, 0, 100, 80))
        boxes[boundary] = _Box(base.x + base.w * 0.7 - 18, base.y + base.h - 18, 36, 36)

    diagram = etree.SubElement(root, f"{{{BPMNDI}}}BPMNDiagram", {"id": "Diagram_auto"}, nsmap={
        "bpmndi": BPMNDI, "dc": DC, "di": DI})
    plane_of = root.find(f"{{{BPMN}}}collaboration") if participant is not None else process
    assert plane_of is not None
    plane = _element(diagram, f"{{{BPMNDI}}}BPMNPlane", id="Plane_auto", bpmnElement=plane_of.get("id", ""))
    if participant is not None:
        shape = _element(plane, f"{{{BPMNDI}}}BPMNShape", id="Shape_participant",
                         bpmnElement=participant.get("id", ""), isHorizontal="true")
        _bounds(shape, _Box(0, 0, width, top))
        for ident, box in band_boxes:
            if ident:
                shape = _element(plane, f"{{{BPMNDI}}}BPMNShape", id=f"Shape_{ident}", bpmnElement=ident,
                                 isHorizontal="true")
                _bounds(shape, box)
    for node, box in boxes.items():
        shape = _element(plane, f"{{{BPMNDI}}}BPMNShape", id=f"Shape_{node}", bpmnElement=node)
        if node in collapsed:
            shape.set("isExpanded", "false")
        _bounds(shape, box)
    for index, (ident, source, target) in enumerate(flows):
        if source in boxes and target in boxes:
            edge = _element(plane, f"{{{BPMNDI}}}BPMNEdge", id=f"Edge_{ident}", bpmnElement=ident)
            _waypoints(edge, _route(boxes[source], boxes[target], ident in back, index % 4))
    return etree.tostring(root, encoding="unicode")

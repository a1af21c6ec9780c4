"""What would go wrong when a case runs, found in the diagram before it is deployed (issue 18):

- every element is reachable from a start event of its process or sub-process, and leads to an
  end event (a task the modeler left unconnected, an end event deleted with its flow);
- every flow leaving an exclusive or inclusive gateway has a condition, or is the default;
- every value of a task form's ``decision`` leads somewhere from the gateway after the task
  (the clerk's "Phát hành" with no flow left for it);
- every name a condition reads is produced before it: a field of a form on the way there, a
  name a script or a multi-instance loop sets, a message's variable, what the platform puts in
  every case (``initiator``, ``initiator_unit``) or what an action may write.

Whether the values compared are of the right types (an enum's values among them) is
engine.workflow.field_types's check.

The checks read the XML only; each finding is ``(element id, Vietnamese message)``.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from lxml import etree

from engine.workflow import sandbox

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_NS = {"bpmn": BPMN, "spiffworkflow": SPIFF}
_FLOW_NODES = frozenset({
    "startEvent", "endEvent", "intermediateCatchEvent", "intermediateThrowEvent", "boundaryEvent",
    "task", "userTask", "manualTask", "scriptTask", "serviceTask", "sendTask", "receiveTask",
    "businessRuleTask", "callActivity", "subProcess", "transaction", "exclusiveGateway",
    "parallelGateway", "inclusiveGateway", "eventBasedGateway", "complexGateway",
})
_CONDITIONED = frozenset({"exclusiveGateway", "inclusiveGateway"})
# What the platform puts in every case's data when it starts (engine/workflow/cases.py).
CASE_NAMES = frozenset({"initiator", "initiator_unit"})
# What an expression may call without it being case data: the sandbox's builtins (dir() of a
# module's __builtins__, a dict there, named the dict's methods rather than ``len``).
_BUILTINS = frozenset(sandbox.SAFE_BUILTINS) | {"True", "False", "None"}

Finding = tuple[str | None, str]
FormFields = Callable[[etree._Element], tuple[frozenset[str], tuple[str, ...]]]


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _name(node: etree._Element) -> str:
    return node.get("name") or node.get("id") or "?"


class _Scope:
    """One process or sub-process: its own flow nodes and the flows between them."""

    def __init__(self, element: etree._Element) -> None:
        self.element = element
        self.nodes: dict[str, etree._Element] = {}
        self.flows: list[etree._Element] = []
        for child in element:
            kind = _local(child)
            if kind in _FLOW_NODES and child.get("id"):
                self.nodes[child.get("id")] = child
            elif kind == "sequenceFlow":
                self.flows.append(child)
        self.out: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.into: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.leaving: dict[str, list[etree._Element]] = {}
        for flow in self.flows:
            source, target = flow.get("sourceRef"), flow.get("targetRef")
            self.leaving.setdefault(source, []).append(flow)
            if source in self.nodes and target in self.nodes:
                self.out[source].append(target)
                self.into[target].append(source)
        for node_id, node in self.nodes.items():
            host = node.get("attachedToRef")
            if _local(node) == "boundaryEvent" and host in self.nodes:
                self.out[host].append(node_id)
                self.into[node_id].append(host)

    def starts(self) -> list[str]:
        return [n for n, node in self.nodes.items() if _local(node) == "startEvent"]

    def ends(self) -> list[str]:
        return [n for n, node in self.nodes.items() if _local(node) == "endEvent"]

    def outgoing(self, node_id: str) -> list[etree._Element]:
        return self.leaving.get(node_id, [])


def _walk(starts: Iterable[str], edges: Mapping[str, list[str]]) -> set[str]:
    seen: set[str] = set()
    todo = list(starts)
    while todo:
        current = todo.pop()
        if current not in seen:
            seen.add(current)
            todo.extend(edges.get(current, ()))
    return seen


def _scopes(root: etree._Element) -> list[_Scope]:
    return [_Scope(e) for e in root.iter(f"{{{BPMN}}}process", f"{{{BPMN}}}subProcess", f"{{{BPMN}}}transaction")]


def _connections(scope: _Scope) -> list[Finding]:
    found: list[Finding] = []
    for flow in scope.flows:
        for end in ("sourceRef", "targetRef"):
            if flow.get(end) not in scope.nodes:
                found.append((flow.get("id"), f"luồng trỏ tới phần tử không tồn tại '{flow.get(end)}'"))
    starts, ends = scope.starts(), scope.ends()
    if not scope.nodes:
        return found
    if not starts:
        return found + [(scope.element.get("id"), "không có sự kiện bắt đầu")]
    reached = _walk(starts, scope.out)
    finishing = _walk(ends, scope.into)
    for node_id, node in scope.nodes.items():
        if node_id not in reached:
            found.append((node_id, f"'{_name(node)}' không đi tới được từ sự kiện bắt đầu (không có luồng vào)"))
        elif node_id not in finishing:
            found.append((node_id, f"'{_name(node)}' không dẫn tới sự kiện kết thúc nào"))
    return found


def _gateways(scope: _Scope) -> list[Finding]:
    found: list[Finding] = []
    for node_id, node in scope.nodes.items():
        outgoing = scope.outgoing(node_id)
        if _local(node) not in _CONDITIONED or len(outgoing) < 2:
            continue
        for flow in outgoing:
            if flow.get("id") != node.get("default") and flow.find(f"{{{BPMN}}}conditionExpression") is None:
                found.append((flow.get("id"), f"luồng ra khỏi cổng '{_name(node)}' không có điều kiện và không "
                                              "phải luồng mặc định"))
    return found


def _literals(expression: str) -> set[str]:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return set()
    return {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _decisions(scope: _Scope, decisions_of: Callable[[etree._Element], tuple[str, ...]]) -> list[Finding]:
    """Each value of a task's decision must have a way out of the gateway right after it."""
    found: list[Finding] = []
    for node_id, node in scope.nodes.items():
        values = decisions_of(node)
        targets = scope.out.get(node_id, [])
        if not values or len(targets) != 1 or _local(scope.nodes[targets[0]]) not in _CONDITIONED:
            continue
        gateway = scope.nodes[targets[0]]
        flows = scope.outgoing(gateway.get("id"))
        # A default, or a flow without condition (a join's one way out), lets every value through.
        if gateway.get("default") in {f.get("id") for f in flows} or any(
                f.find(f"{{{BPMN}}}conditionExpression") is None for f in flows):
            continue
        conditions = [c.text or "" for f in flows for c in f.findall(f"{{{BPMN}}}conditionExpression")]
        if not any("decision" in _read(c) for c in conditions):
            continue  # the gateway decides on something else (the leader chosen, a channel...)
        named = set().union(*(_literals(c) for c in conditions))
        for value in values:
            if value not in named:
                found.append((node_id, f"lựa chọn '{value}' của '{_name(node)}' không dẫn tới đâu: cổng "
                                       f"'{_name(gateway)}' không có luồng cho giá trị này"))
    return found


def _assigned(code: str) -> set[str]:
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store):
            names.add(n.id)
    return names


def _produced(node: etree._Element, fields_of: FormFields) -> set[str]:
    """Names a node puts in the case's data: its form's fields, what its scripts assign, its
    loop's items and its messages' variables."""
    names = set(fields_of(node)[0])
    for script in node.iter(f"{{{BPMN}}}script", f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript"):
        names |= _assigned(script.text or "")
    for item in node.iter(f"{{{BPMN}}}inputDataItem", f"{{{BPMN}}}outputDataItem"):
        names |= {v for v in (item.get("name"), item.get("id")) if v}
    for ref in node.iter(f"{{{BPMN}}}loopDataInputRef", f"{{{BPMN}}}loopDataOutputRef",
                         f"{{{SPIFF}}}messageVariable"):
        names |= {(ref.text or "").strip()} - {""}
    return names


def _read(expression: str) -> set[str]:
    try:
        tree = ast.parse(expression, mode="eval")
    except SyntaxError:
        return set()  # the code check reports it
    bound = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)} - bound


def _components(scope: _Scope) -> list[list[str]]:
    """The strongly connected components of the scope's flow graph (Tarjan's, without recursion:
    a diagram may be thousands of steps long), sources first."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in scope.nodes:
        if root in index:
            continue
        work = [(root, iter(scope.out[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, targets = work[-1]
            target = next(targets, None)
            if target is not None:
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, iter(scope.out[target])))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                found.append(component)
    return found[::-1]  # Tarjan's finds sinks first


def _upstream_masks(scope: _Scope, masks: Mapping[str, int]) -> dict[str, int]:
    """For each node, the OR of ``masks`` over every node with a way to it (itself included): one
    pass over the components in flow order, each name a bit, so the whole diagram costs its
    nodes and flows once rather than a walk back from every condition."""
    component_of: dict[str, int] = {}
    reach: list[int] = []
    for number, component in enumerate(_components(scope)):
        mask = 0
        for member in component:
            component_of[member] = number
        for member in component:
            mask |= masks.get(member, 0)
            for source in scope.into[member]:
                if component_of.get(source, number) != number:
                    mask |= reach[component_of[source]]
        reach.append(mask)
    return {node: reach[number] for node, number in component_of.items()}


def _conditions(scopes: list[_Scope], fields_of: FormFields, always: frozenset[str]) -> list[Finding]:
    """A condition may read what is produced on some way to it, in its own process or sub-process
    or around it (a sub-process starts with its parent's data). Each node's names are worked out
    once, and each scope's own names once: a sub-process looks them up in its parents' rather
    than recomputing them."""
    found: list[Finding] = []
    produced: dict[str, set[str]] = {}
    own: dict[etree._Element, set[str]] = {}
    parent: dict[etree._Element, etree._Element | None] = {}

    def names_of(scope: _Scope, node_id: str) -> set[str]:
        key = f"{id(scope)}:{node_id}"
        if key not in produced:
            produced[key] = _produced(scope.nodes[node_id], fields_of)
        return produced[key]

    for scope in scopes:  # document order: a scope comes after the scopes around it
        own[scope.element] = set().union(*(names_of(scope, n) for n in scope.nodes))
        around = scope.element.getparent()
        while around is not None and around not in own:
            around = around.getparent()
        parent[scope.element] = around

    def outer(scope: _Scope, name: str) -> bool:
        around = parent[scope.element]
        while around is not None:
            if name in own[around]:
                return True
            around = parent[around]
        return False

    for scope in scopes:
        reads: list[tuple[etree._Element, str, list[str]]] = []
        bits: dict[str, int] = {}
        for flow in scope.flows:
            condition = flow.find(f"{{{BPMN}}}conditionExpression")
            source = flow.get("sourceRef")
            if condition is None or source not in scope.nodes:
                continue
            unknown = sorted(n for n in _read(condition.text or "") - always - _BUILTINS if not outer(scope, n))
            reads.append((flow, source, unknown))
            for name in unknown:
                bits.setdefault(name, 1 << len(bits))
        if not bits:
            continue
        masks = {n: sum(bits[name] for name in names_of(scope, n) if name in bits) for n in scope.nodes}
        upstream = _upstream_masks(scope, masks)
        for flow, source, unknown in reads:
            for name in unknown:
                if not upstream[source] & bits[name]:
                    found.append((flow.get("id"), f"điều kiện đọc '{name}' nhưng không biểu mẫu, kịch bản hay bước "
                                                  "nào trước nó tạo ra trường này"))
    return found


def condition_names(root: etree._Element) -> frozenset[str]:
    """Every name some condition of the diagram reads (what a dry run's answers should vary)."""
    return frozenset().union(*(_read(c.text or "") for c in root.iter(f"{{{BPMN}}}conditionExpression")))


def problems(root: etree._Element, fields_of: FormFields, action_outputs: frozenset[str]) -> list[Finding]:
    """Every finding of the checks above for a parsed BPMN file. ``fields_of(node)`` gives the
    fields of the node's form and the values of its ``decision`` (empty when it has none)."""
    scopes = _scopes(root)
    found: list[Finding] = []
    for scope in scopes:
        found += _connections(scope) + _gateways(scope) + _decisions(scope, lambda n: fields_of(n)[1])
    found += _conditions(scopes, fields_of, CASE_NAMES | action_outputs)
    return found


def form_fields(schema: Mapping[str, Any] | None) -> tuple[frozenset[str], tuple[str, ...]]:
    """A form's top-level fields, and the values its ``decision`` field may take."""
    if not schema:
        return frozenset(), ()
    properties = schema.get("properties") or {}
    decision = properties.get("decision") or {}
    values = tuple(decision.get("enum") or (o.get("const") for o in decision.get("oneOf", []) if "const" in o))
    return frozenset(properties), tuple(v for v in values if isinstance(v, str))

"""The diagram's fields typed, and every expression of it checked against them: conditions,
completion conditions, scripts, message payloads and timers. A field's type is the union of
what produces it anywhere in the file (each form's JSON Schema, each script's assignment); a
name only a loop, a message or an action sets is of unknown type. A timer must give what its
kind needs: an ISO 8601 duration (timeDuration), date and time (timeDate) or repeating interval
(timeCycle); a literal is parsed as SpiffWorkflow will parse it."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any

from lxml import etree
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.core.errors import Text
from engine.workflow import deadlines, sandbox
from engine.workflow.field_types import kinds
from engine.workflow.field_types.expressions import Checker
from engine.workflow.field_types.kinds import DATE, TEXT, Type

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_SCRIPTS = (f"{{{BPMN}}}script", f"{{{SPIFF}}}preScript", f"{{{SPIFF}}}postScript")
_UNKNOWN_SETTERS = (f"{{{BPMN}}}loopDataInputRef", f"{{{BPMN}}}loopDataOutputRef", f"{{{SPIFF}}}messageVariable")
_TIMERS = {
    "timeDuration": (frozenset({TEXT}), Text("khoảng thời gian ISO 8601, ví dụ P2D hoặc PT4H"),
                     Text("thời hạn hẹn giờ '%(value)s' không hợp lệ (khoảng thời gian ISO 8601, ví dụ P2D "
                          "hoặc PT4H)")),
    "timeDate": (frozenset({TEXT, DATE}), Text("ngày giờ ISO 8601, ví dụ 2026-03-05T08:00:00+07:00"),
                 Text("thời điểm hẹn giờ '%(value)s' không hợp lệ (ngày giờ ISO 8601, ví dụ "
                      "2026-03-05T08:00:00+07:00)")),
    "timeCycle": (frozenset({TEXT}), Text("chu kỳ lặp ISO 8601, ví dụ R3/PT1H"),
                  Text("chu kỳ hẹn giờ '%(value)s' không hợp lệ (chu kỳ lặp ISO 8601, ví dụ R3/PT1H)")),
}
_TIMER_TYPE = "biểu thức hẹn giờ cho ra %(type)s, không phải %(expected)s"
_UNPRODUCED = "biểu thức đọc '%(name)s' nhưng không biểu mẫu, kịch bản hay bước nào của sơ đồ tạo ra trường này"
_CALLABLE = frozenset(sandbox.SAFE_BUILTINS)

SchemaOf = Callable[[etree._Element], Mapping[str, Any] | None]
Finding = tuple[str | None, Text]


def _parse(code: str, mode: str) -> ast.AST | None:
    try:
        return ast.parse(code.strip(), mode=mode)
    except SyntaxError:
        return None  # bpmn_check's code check reports it


def _stored(tree: ast.AST) -> frozenset[str]:
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store))


def _add(fields: dict[str, Type], name: str, found: Type) -> None:
    fields[name] = kinds.union(fields[name], found) if name in fields else found


def field_types(root: etree._Element, schema_of: SchemaOf, known: Mapping[str, Type]) -> dict[str, Type]:
    """Each name the diagram's data may hold, with its type: ``known`` (what the platform puts in
    every case, what actions write), the forms' fields, then what scripts assign."""
    fields: dict[str, Type] = dict(known)
    for node in root.iter():
        schema = schema_of(node) if isinstance(node.tag, str) else None
        for name, prop in ((schema or {}).get("properties") or {}).items():
            _add(fields, name, kinds.from_schema(prop))
    for node in root.iter(f"{{{BPMN}}}inputDataItem", f"{{{BPMN}}}outputDataItem"):
        for name in {node.get("name"), node.get("id")} - {None}:
            _add(fields, str(name), None)
    for node in root.iter(*_UNKNOWN_SETTERS):
        _add(fields, (node.text or "").strip(), None)
    forms_only = dict(fields)
    for script in root.iter(*_SCRIPTS):
        tree = _parse(script.text or "", "exec")
        for statement in ast.walk(tree) if tree is not None else ():
            if isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
                found = Checker(forms_only).infer(statement.value)
                # A script's literal is one value it sets, not the field's only values.
                found = replace(found, values=None) if found is not None else None
                for name in _stored(statement):  # its targets, plain names
                    _add(fields, name, found)
            elif isinstance(statement, (ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.With, ast.comprehension,
                                        ast.NamedExpr)):
                for name in _stored(statement):  # set some other way: of a type not followed here
                    _add(fields, name, None)
    return fields


def _owner(node: etree._Element) -> str | None:
    while node is not None:
        if node.get("id"):
            return str(node.get("id"))
        node = node.getparent()
    return None


def _expressions(root: etree._Element) -> Iterable[tuple[etree._Element, str]]:
    for tag in ("conditionExpression", "completionCondition"):
        for node in root.iter(f"{{{BPMN}}}{tag}"):
            yield node, "eval"
    for node in root.iter(f"{{{SPIFF}}}messagePayload"):
        yield node, "eval"
    for node in root.iter(*_SCRIPTS):
        yield node, "exec"


def _valid_timer(kind: str, value: str) -> bool:
    try:
        if kind == "timeDuration":
            deadlines.step_default(value)
        elif kind == "timeDate":
            datetime.fromisoformat(value)
        else:
            TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # noqa: BLE001 - SpiffWorkflow's parsers raise several kinds for a bad value
        return False
    return True


def _timer(kind: str, expression: str, fields: Mapping[str, Type]) -> list[Text]:
    tree = _parse(expression, "eval")
    if tree is None:
        return []
    checker = Checker(fields, _stored(tree))
    found = checker.check(tree)
    expected, shape, invalid = _TIMERS[kind]
    given = checker.infer(tree.body)  # type: ignore[attr-defined]
    if given is None:
        return found
    if not given.kinds <= expected:
        return found + [Text(_TIMER_TYPE, type=given.describe(), expected=shape)]
    literals = sorted(v for v in given.values or () if isinstance(v, str))
    return found + [Text(invalid.template, value=v) for v in literals if not _valid_timer(kind, v)]


def _unproduced(tree: ast.AST, fields: Mapping[str, Type]) -> list[Text]:
    """Names read that nothing in the diagram produces (a condition's, flow_check finds on the
    way to it; a script's, payload's or timer's, here, anywhere in the file)."""
    read = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    return [Text(_UNPRODUCED, name=name) for name in sorted(read - _stored(tree) - _CALLABLE - set(fields))]


def problems(root: etree._Element, schema_of: SchemaOf, known: Mapping[str, Type]) -> list[Finding]:
    """Every type error of the diagram's expressions, on the element that holds each (the flow of
    a condition, the task of a script, the event of a timer)."""
    fields = field_types(root, schema_of, known)
    found: list[Finding] = []
    for node, mode in _expressions(root):
        tree = _parse(node.text or "", mode)
        if tree is not None:
            said = [] if etree.QName(node).localname == "conditionExpression" else _unproduced(tree, fields)
            found += [(_owner(node), each) for each in said + Checker(fields, _stored(tree)).check(tree)]
    for kind in _TIMERS:
        for node in root.iter(f"{{{BPMN}}}{kind}"):
            event = node.getparent().getparent() if node.getparent() is not None else node
            tree = _parse(node.text or "", "eval")
            said = _unproduced(tree, fields) if tree is not None else []
            found += [(_owner(event), each) for each in said + _timer(kind, node.text or "", fields)]
    return list(dict.fromkeys(found))

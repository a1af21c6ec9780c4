"""The restricted evaluator for BPMN scripts and expressions.

SpiffWorkflow's default engine runs ``eval``/``exec`` on task data, so whoever deploys a
diagram could run any code on the server (see ENGINE.md). Here a script is first parsed
and checked against an allow-list of syntax, names and attributes; only then is it
compiled, with the few builtins below as its whole world. Operators that could exhaust
memory or time (``**``, ``*``, ``+``, ``%``, ``<<``, calls, f-string fields, slices, loops)
are rewritten to go through the budget of engine/core/script_budget.py. The same check runs
when a process is validated and every time a script runs.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import math
from collections.abc import Callable, Iterator
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.audit.refusals import Refused
from engine.core import script_budget
from engine.core.errors import InvalidData, Text
from engine.core.script_budget import (
    MAX_INT_BITS,
    MAX_INT_DIGITS,
    Budget,
    BudgetExceeded,
    Limits,
    bounded_range,
    limited,
    safe_call,
    safe_format,
    safe_op,
    safe_slice,
    safe_sum,
)

MAX_SOURCE = 20_000
MAX_DEPTH = 40  # nesting of the syntax tree; real scripts stay under 10

_ALLOWED_NODES: tuple[type[ast.AST], ...] = (
    ast.Module, ast.Expression, ast.Expr, ast.Assign, ast.AugAssign, ast.If, ast.For, ast.Break,
    ast.Continue, ast.Pass, ast.Name, ast.Load, ast.Store, ast.Constant, ast.JoinedStr,
    ast.FormattedValue, ast.List, ast.Tuple, ast.Dict, ast.Set, ast.ListComp, ast.SetComp,
    ast.DictComp, ast.comprehension, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub,
    ast.Mult, ast.Div, ast.FloorDiv, ast.Mod, ast.Pow, ast.LShift, ast.RShift, ast.BitAnd,
    ast.BitOr, ast.BitXor, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Invert, ast.Compare,
    ast.Eq, ast.NotEq, ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot,
    ast.IfExp, ast.Call, ast.keyword, ast.Attribute, ast.Subscript, ast.Slice,
)
# Methods of str, list, dict, set and date that read or build plain data. Everything else,
# in particular format/format_map (which reach attributes through "{0.__class__}") and the
# frame attributes of generators, is refused.
_ALLOWED_ATTRIBUTES = frozenset(
    """get keys values items lower upper strip lstrip rstrip split join startswith endswith
    replace append extend pop count index insert remove sort copy update setdefault title
    capitalize isdigit isalpha isoformat year month day hour minute weekday date days
    seconds total_seconds add discard union intersection difference""".split()
)


class ScriptFailed(Refused):
    """A script, condition, timer or payload of a diagram failed or went over its budget:
    the step is refused (its transaction rolls back) with the element named, and audited."""

    action = "script_failed"

    def __init__(self, element: str, reason: str) -> None:
        super().__init__(Text("Bước '%(element)s' của quy trình bị dừng: %(reason)s.", element=element, reason=reason),
                         {"element": Text("%(element)s: %(reason)s", element=element, reason=reason)},
                         {"element": element, "reason": reason})
        self.element, self.reason = element, reason


SAFE_BUILTINS: dict[str, Any] = {
    "len": len, "min": min, "max": max, "sum": safe_sum, "abs": abs, "round": round, "sorted": sorted,
    "any": any, "all": all, "int": int, "float": float, "str": str, "bool": bool, "list": list,
    "dict": dict, "set": set, "tuple": tuple, "range": bounded_range, "enumerate": enumerate,
    "zip": zip, "reversed": reversed, "ceil": math.ceil, "floor": math.floor,
    "date": _dt.date, "timedelta": _dt.timedelta,
}

_OP_NAMES = {ast.Pow: "pow", ast.Mult: "mult", ast.LShift: "lshift", ast.Add: "add", ast.Mod: "mod"}
_OP, _CALL, _TICK, _FORMAT, _SLICE = "__qlvb_op", "__qlvb_call", "__qlvb_tick", "__qlvb_format", "__qlvb_slice"


class UnsafeScript(ValueError):
    """A script or expression outside the allowed subset; the message is for the designer."""


def _depth(tree: ast.AST) -> int:
    """The deepest nesting of the tree, walked without recursion (a deep tree is the attack)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    return deepest


def _literal_problem(node: ast.Constant, limits: Limits) -> str | None:
    value = node.value
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > MAX_INT_BITS:
        return f"số quá lớn (tối đa {MAX_INT_DIGITS} chữ số)"
    if isinstance(value, str | bytes) and len(value) > limits.value_bytes:
        return f"chuỗi quá dài (tối đa {limits.value_bytes} ký tự)"
    return None


def problems(source: str, mode: str = "exec") -> list[str]:
    """Why ``source`` may not run, as plain messages; empty when it is allowed."""
    if len(source) > MAX_SOURCE:
        return [f"mã quá dài ({len(source)} ký tự, tối đa {MAX_SOURCE})"]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as err:
        return [f"lỗi cú pháp ở dòng {err.lineno}: {err.msg}"]
    except (ValueError, RecursionError, MemoryError):
        # A number literal beyond Python's digit limit, or nesting deeper than its parser takes.
        return [f"mã lồng quá sâu hoặc hằng số quá lớn (tối đa {MAX_DEPTH} tầng, {MAX_INT_DIGITS} chữ số)"]
    if _depth(tree) > MAX_DEPTH:
        return [f"mã lồng quá sâu (tối đa {MAX_DEPTH} tầng)"]
    found: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 1)
        if not isinstance(node, _ALLOWED_NODES):
            found.append(f"dòng {line}: không được dùng cú pháp {type(node).__name__}")
        elif isinstance(node, ast.Name) and (node.id.startswith("_") or node.id in _FORBIDDEN_NAMES):
            found.append(f"dòng {line}: không được dùng tên '{node.id}'")
        elif isinstance(node, ast.Attribute) and node.attr not in _ALLOWED_ATTRIBUTES:
            found.append(f"dòng {line}: không được truy cập thuộc tính '{node.attr}'")
        elif isinstance(node, ast.Constant) and (problem := _literal_problem(node, script_budget.LIMITS)):
            found.append(f"dòng {line}: {problem}")
    return found


_FORBIDDEN_NAMES = frozenset({"eval", "exec", "compile", "open", "getattr", "setattr", "globals", "locals",
                              "vars", "type", "object", "breakpoint", "input", "help", "memoryview"})


def _helper(name: str, *args: ast.expr) -> ast.Call:
    return ast.Call(ast.Name(name, ast.Load()), list(args), [])


class _Bounded(ast.NodeTransformer):
    """Rewrites a checked tree so that its costs go through the budget: operators that can
    make large values, every call, f-string field and slice, and a step for every loop
    iteration and comprehension item."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        name = _OP_NAMES.get(type(node.op))
        if name is None:
            return node
        return ast.copy_location(_helper(_OP, ast.Constant(name), node.left, node.right), node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        name = _OP_NAMES.get(type(node.op))
        if name is None or not isinstance(node.target, ast.Name):
            return node
        value = _helper(_OP, ast.Constant(name), ast.Name(node.target.id, ast.Load()), node.value)
        return ast.copy_location(ast.Assign([node.target], value), node)

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        call = ast.Call(ast.Name(_CALL, ast.Load()), [node.func, *node.args], node.keywords)
        return ast.copy_location(call, node)

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.AST:
        self.generic_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        value = _helper(_FORMAT, node.value, ast.Constant(node.conversion), spec)
        return ast.copy_location(ast.FormattedValue(value, -1, None), node)

    def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
        self.generic_visit(node)
        if not isinstance(node.ctx, ast.Load) or not isinstance(node.slice, ast.Slice):
            return node
        return ast.copy_location(_helper(_SLICE, node), node)

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        node.body.insert(0, ast.copy_location(ast.Expr(_helper(_TICK)), node))
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.AST:
        self.generic_visit(node)
        node.ifs.insert(0, _helper(_TICK))
        return node


_compiled: dict[tuple[str, str], Any] = {}


def _compile(source: str, mode: str) -> Any:
    key = (source, mode)
    code = _compiled.get(key)
    if code is None:
        found = problems(source, mode)
        if found:
            raise UnsafeScript("; ".join(found))
        tree = ast.fix_missing_locations(_Bounded().visit(ast.parse(source, mode=mode)))
        code = compile(tree, "<bpmn-script>", mode)
        if len(_compiled) > 4096:
            _compiled.clear()
        _compiled[key] = code
    return code


_HELPERS: dict[str, Callable[..., Any]] = {_OP: safe_op, _CALL: safe_call, _FORMAT: safe_format, _SLICE: safe_slice}


def _globals(context: dict[str, Any], budget: Budget) -> dict[str, Any]:
    scope = dict(context)
    scope["__builtins__"] = SAFE_BUILTINS
    scope.update(_HELPERS)
    scope[_TICK] = budget.tick
    return scope


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    code = _compile(expression, "eval")
    with limited() as budget:
        budget.tick()
        # A payload or a timer's value goes on into task data: sized like any value produced.
        return budget.sized(eval(code, _globals(context, budget)))  # noqa: S307 - checked by problems()


def execute(script: str, context: dict[str, Any]) -> None:
    """Run ``script``; its assignments land in ``context`` (the task data), each sized as
    it would be stored (a structure built from literals, ``[a, a]``, escapes the operators)."""
    code = _compile(script, "exec")
    with limited() as budget:
        budget.tick()
        scope = _globals(context, budget)
        exec(code, scope)  # noqa: S102 - checked by problems()
        assigned = {key: value for key, value in scope.items()
                    if key != "__builtins__" and not key.startswith("__qlvb_") and not callable(value)}
        for key, value in assigned.items():
            if context.get(key) is not value:
                budget.sized(value)
    for key in [k for k in context if k not in scope]:
        del context[key]
    context.update(assigned)


def element_of(task: Any) -> str:
    spec = task.task_spec
    return str(getattr(spec, "bpmn_id", None) or spec.name)


@contextlib.contextmanager
def _failing_as(task: Any) -> Iterator[None]:
    """Any error of a diagram's code becomes the step's refusal, naming its element."""
    try:
        yield
    except InvalidData:
        raise
    except (BudgetExceeded, UnsafeScript) as err:
        raise ScriptFailed(element_of(task), str(err)) from err
    except Exception as err:  # noqa: BLE001 - the designer's code: any error is theirs to see
        raise ScriptFailed(element_of(task), f"lỗi khi chạy mã ({type(err).__name__}: {err})") from err


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        return evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        execute(script, context)
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        raise UnsafeScript("service tasks are not available to diagrams")


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression: str) -> None:
        found = problems(expression, "eval")
        if found:
            raise UnsafeScript("; ".join(found))

    def evaluate(self, task: Any, expression: str, external_context: Any = None) -> Any:
        with _failing_as(task):
            return self.environment.evaluate(expression, task.data, external_context)

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        with _failing_as(task):
            return bool(self.environment.execute(script, task.data, external_context or {}))


def run_engine(workflow: Any) -> None:
    """``workflow.do_engine_steps()`` within one budget: each step the engine takes counts,
    so a diagram that loops through tasks without code is stopped too."""
    with limited() as budget:
        def step(task: Any) -> None:
            with _failing_as(task):
                budget.tick()
        workflow.do_engine_steps(did_complete_task=step)

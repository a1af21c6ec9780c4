"""The restricted evaluator for BPMN scripts and expressions.

SpiffWorkflow's default engine runs ``eval``/``exec`` on task data, so whoever deploys a
diagram could run any code on the server (see ENGINE.md). Here a script is first parsed
and checked against an allow-list of syntax, names and attributes; only then is it
compiled, with the few builtins below as its whole world. Operators that could exhaust
memory or time (``**``, ``*``, ``<<``, ``range``) are rewritten to bounded versions.
The same check runs when a process is validated and every time a script runs.
"""

from __future__ import annotations

import ast
import datetime as _dt
import math
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

MAX_SEQUENCE = 100_000
MAX_EXPONENT = 256
MAX_SOURCE = 20_000

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


def _bounded_range(*args: int) -> range:
    r = range(*args)
    if len(r) > MAX_SEQUENCE:
        raise ValueError(f"range quá lớn (tối đa {MAX_SEQUENCE} phần tử)")
    return r


def _safe_op(op: str, left: Any, right: Any) -> Any:
    if op == "pow":
        if isinstance(right, int | float) and abs(right) > MAX_EXPONENT:
            raise ValueError(f"số mũ quá lớn (tối đa {MAX_EXPONENT})")
        return left**right
    if op == "mult":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(count, int) and len(seq) * count > MAX_SEQUENCE:
                raise ValueError("kết quả phép nhân quá lớn")
        return left * right
    if isinstance(right, int) and right > MAX_EXPONENT:  # lshift
        raise ValueError("phép dịch bit quá lớn")
    return left << right


SAFE_BUILTINS: dict[str, Any] = {
    "len": len, "min": min, "max": max, "sum": sum, "abs": abs, "round": round, "sorted": sorted,
    "any": any, "all": all, "int": int, "float": float, "str": str, "bool": bool, "list": list,
    "dict": dict, "set": set, "tuple": tuple, "range": _bounded_range, "enumerate": enumerate,
    "zip": zip, "reversed": reversed, "ceil": math.ceil, "floor": math.floor,
    "date": _dt.date, "timedelta": _dt.timedelta,
}

_OP_NAMES = {ast.Pow: "pow", ast.Mult: "mult", ast.LShift: "lshift"}
_HELPER = "__qlvb_op"


class UnsafeScript(ValueError):
    """A script or expression outside the allowed subset; the message is for the designer."""


def problems(source: str, mode: str = "exec") -> list[str]:
    """Why ``source`` may not run, as plain messages; empty when it is allowed."""
    if len(source) > MAX_SOURCE:
        return [f"mã quá dài ({len(source)} ký tự, tối đa {MAX_SOURCE})"]
    try:
        tree = ast.parse(source, mode=mode)
    except SyntaxError as err:
        return [f"lỗi cú pháp ở dòng {err.lineno}: {err.msg}"]
    found: list[str] = []
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 1)
        if not isinstance(node, _ALLOWED_NODES):
            found.append(f"dòng {line}: không được dùng cú pháp {type(node).__name__}")
        elif isinstance(node, ast.Name) and (node.id.startswith("_") or node.id in _FORBIDDEN_NAMES):
            found.append(f"dòng {line}: không được dùng tên '{node.id}'")
        elif isinstance(node, ast.Attribute) and node.attr not in _ALLOWED_ATTRIBUTES:
            found.append(f"dòng {line}: không được truy cập thuộc tính '{node.attr}'")
    return found


_FORBIDDEN_NAMES = frozenset({"eval", "exec", "compile", "open", "getattr", "setattr", "globals", "locals",
                              "vars", "type", "object", "breakpoint", "input", "help", "memoryview"})


class _BoundOperators(ast.NodeTransformer):
    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        name = _OP_NAMES.get(type(node.op))
        if name is None:
            return node
        call = ast.Call(ast.Name(_HELPER, ast.Load()), [ast.Constant(name), node.left, node.right], [])
        return ast.copy_location(call, node)

    def visit_AugAssign(self, node: ast.AugAssign) -> ast.AST:
        self.generic_visit(node)
        name = _OP_NAMES.get(type(node.op))
        if name is None or not isinstance(node.target, ast.Name):
            return node
        value = ast.Call(
            ast.Name(_HELPER, ast.Load()), [ast.Constant(name), ast.Name(node.target.id, ast.Load()), node.value], []
        )
        return ast.copy_location(ast.Assign([node.target], value), node)


_compiled: dict[tuple[str, str], Any] = {}


def _compile(source: str, mode: str) -> Any:
    key = (source, mode)
    code = _compiled.get(key)
    if code is None:
        found = problems(source, mode)
        if found:
            raise UnsafeScript("; ".join(found))
        tree = ast.fix_missing_locations(_BoundOperators().visit(ast.parse(source, mode=mode)))
        code = compile(tree, "<bpmn-script>", mode)
        if len(_compiled) > 4096:
            _compiled.clear()
        _compiled[key] = code
    return code


def _globals(context: dict[str, Any]) -> dict[str, Any]:
    scope = dict(context)
    scope["__builtins__"] = SAFE_BUILTINS
    scope[_HELPER] = _safe_op
    return scope


def evaluate(expression: str, context: dict[str, Any]) -> Any:
    return eval(_compile(expression, "eval"), _globals(context))  # noqa: S307 - checked by problems()


def execute(script: str, context: dict[str, Any]) -> None:
    """Run ``script``; its assignments land in ``context`` (the task data)."""
    scope = _globals(context)
    exec(_compile(script, "exec"), scope)  # noqa: S102 - checked by problems()
    for key in [k for k in context if k not in scope]:
        del context[key]
    for key, value in scope.items():
        if key in ("__builtins__", _HELPER) or callable(value):
            continue
        context[key] = value


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


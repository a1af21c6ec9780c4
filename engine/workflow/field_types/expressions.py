"""Type errors in one condition, script or timer expression, read with Python's ast (never run):
operands that can never be equal, an order between a string and a number, an enum compared with
a value it does not hold, arithmetic on strings, ``in`` over something that is not a list. Only
what is certain is said: an operand of unknown type (kinds.Type None) passes."""

from __future__ import annotations

import ast
from collections.abc import Mapping

from engine.core.errors import Text
from engine.workflow.field_types.kinds import ARRAY, BOOLEAN, NUMBER, OBJECT, TEXT, Type, constant, plain, union

ENUM = ("điều kiện so sánh '%(field)s' với '%(value)s' nhưng không biểu mẫu nào có lựa chọn này "
        "(%(offered)s)")
_NEVER_EQUAL = ("'%(left)s' (%(left_type)s) được so sánh với '%(right)s' (%(right_type)s): hai kiểu này không "
                "bao giờ bằng nhau")
_NO_ORDER = "không so sánh lớn nhỏ được '%(left)s' (%(left_type)s) với '%(right)s' (%(right_type)s)"
_NOT_NUMBER = "phép tính '%(op)s' trên '%(operand)s' (%(type)s): chỉ làm được với số"
_NO_SUM = "không cộng được '%(left)s' (%(left_type)s) với '%(right)s' (%(right_type)s)"
_NOT_CONTAINER = "'%(right)s' (%(right_type)s) không phải danh sách hay chuỗi nên không dùng 'in' được"
_OPERATORS = {ast.Sub: "-", ast.Div: "/", ast.FloorDiv: "//", ast.Pow: "**", ast.Mod: "%", ast.Mult: "*",
              ast.MatMult: "@", ast.LShift: "<<", ast.RShift: ">>", ast.BitOr: "|", ast.BitAnd: "&",
              ast.BitXor: "^", ast.USub: "-", ast.UAdd: "+", ast.Invert: "~"}
_CALLS = {"len": NUMBER, "int": NUMBER, "float": NUMBER, "abs": NUMBER, "round": NUMBER, "str": TEXT,
          "bool": BOOLEAN, "list": ARRAY, "sorted": ARRAY, "dict": OBJECT}
_SEQUENCES = frozenset({TEXT, ARRAY})


def _shown(value: object) -> str:
    return str(value) if not isinstance(value, str) else value


class Checker:
    """Infers the type of each sub-expression from the fields' types (``fields``) and reports the
    operations that cannot work. ``local`` names are set by the code itself: their type is not the
    field's."""

    def __init__(self, fields: Mapping[str, Type], local: frozenset[str] = frozenset()) -> None:
        self.fields = fields
        self.local = local

    def infer(self, node: ast.AST) -> Type:  # noqa: C901 - one case per kind of expression
        if isinstance(node, ast.Constant):
            return constant(node.value)
        if isinstance(node, ast.Name):
            return None if node.id in self.local else self.fields.get(node.id)
        if isinstance(node, ast.JoinedStr):
            return plain(TEXT)
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            items = [self.infer(e) for e in node.elts]
            joined: Type = items[0] if items else None
            for item in items[1:]:
                joined = union(joined, item)
            return plain(ARRAY, joined)
        if isinstance(node, ast.Dict):
            return plain(OBJECT)
        if isinstance(node, ast.Compare) or isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return plain(BOOLEAN)
        if isinstance(node, ast.UnaryOp):
            operand = self.infer(node.operand)
            return plain(NUMBER) if operand is not None and NUMBER in operand.families() else None
        if isinstance(node, ast.BoolOp):
            types = [self.infer(v) for v in node.values]
            result = types[0]
            for each in types[1:]:
                result = union(result, each)
            return result
        if isinstance(node, ast.IfExp):
            return union(self.infer(node.body), self.infer(node.orelse))
        if isinstance(node, ast.BinOp):
            return self._sum_or_product(node)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in _CALLS:
            return plain(_CALLS[node.func.id])
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            held = self.infer(node.value)
            if held is not None and held.kinds == {ARRAY}:
                return held.items
            return plain(TEXT) if held is not None and held.families() == {TEXT} else None
        return None

    def _sum_or_product(self, node: ast.BinOp) -> Type:
        left, right = self.infer(node.left), self.infer(node.right)
        if left is None or right is None:
            return None
        shared = left.families() & right.families()
        if isinstance(node.op, ast.Add):
            for kind in (NUMBER, TEXT, ARRAY):
                if shared == {kind}:
                    return plain(kind, union(left.items, right.items) if kind == ARRAY else None)
            return None
        if shared == {NUMBER}:
            return plain(NUMBER)
        if isinstance(node.op, ast.Mod) and left.families() == {TEXT}:
            return plain(TEXT)  # "%s" % value
        if isinstance(node.op, ast.Mult) and (left.families() | right.families()) in ({TEXT, NUMBER}, {ARRAY, NUMBER}):
            return plain(TEXT if TEXT in left.families() | right.families() else ARRAY)
        return None

    def check(self, tree: ast.AST) -> list[Text]:
        """Every type error in ``tree``, each once, in the order they stand."""
        found: list[Text] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                pairs = zip([node.left, *node.comparators[:-1]], node.ops, node.comparators, strict=True)
                found += [said for left, op, right in pairs for said in self._compare(left, op, right)]
            elif isinstance(node, ast.BinOp):
                found += self._arithmetic(node)
            elif isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.Not):
                operand = self.infer(node.operand)
                if operand is not None and NUMBER not in operand.families():
                    found.append(Text(_NOT_NUMBER, op=_OPERATORS[type(node.op)], operand=ast.unparse(node.operand),
                                      type=operand.describe()))
        return list(dict.fromkeys(found))

    def _both(self, template: str, left: ast.AST, right: ast.AST, left_type: Type, right_type: Type) -> Text:
        assert left_type is not None and right_type is not None
        return Text(template, left=ast.unparse(left), right=ast.unparse(right), left_type=left_type.describe(),
                    right_type=right_type.describe())

    def _compare(self, left: ast.AST, op: ast.cmpop, right: ast.AST) -> list[Text]:
        left_type, right_type = self.infer(left), self.infer(right)
        if isinstance(op, (ast.In, ast.NotIn)):
            return self._membership(left, right, left_type, right_type)
        if left_type is None or right_type is None:
            return []
        if isinstance(op, (ast.Eq, ast.NotEq)):
            for field, field_type, value in ((left, left_type, right), (right, right_type, left)):
                wrong = self._not_offered(field, field_type, value)
                if wrong is not None:
                    return [wrong]
            if not left_type.families() & right_type.families() and "null" not in left_type.kinds | right_type.kinds:
                return [self._both(_NEVER_EQUAL, left, right, left_type, right_type)]
        elif isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)):
            if not left_type.families() & right_type.families() & {NUMBER, TEXT, ARRAY}:
                return [self._both(_NO_ORDER, left, right, left_type, right_type)]
        return []

    @staticmethod
    def _not_offered(field: ast.AST, field_type: Type, value: ast.AST) -> Text | None:
        """A literal compared with a field whose forms offer only some values, not that one."""
        if field_type is None or field_type.values is None or not isinstance(value, ast.Constant):
            return None
        if value.value in field_type.values or value.value is None:
            return None
        literal = constant(value.value)
        if literal is None or not literal.families() & field_type.families():
            return None  # another kind altogether: said as such
        offered = ", ".join(sorted(_shown(v) for v in field_type.values))
        return Text(ENUM, field=ast.unparse(field), value=_shown(value.value), offered=offered)

    def _membership(self, left: ast.AST, right: ast.AST, left_type: Type, right_type: Type) -> list[Text]:
        if right_type is not None and not right_type.families() & {TEXT, ARRAY, OBJECT}:
            return [Text(_NOT_CONTAINER, right=ast.unparse(right), right_type=right_type.describe())]
        found: list[Text] = []
        if isinstance(right, (ast.List, ast.Tuple, ast.Set)):
            found += [said for e in right.elts if (said := self._not_offered(left, left_type, e)) is not None]
        elif right_type is not None and right_type.items is not None:
            said = self._not_offered(right, right_type.items, left)
            found += [said] if said is not None else []
        return found

    def _arithmetic(self, node: ast.BinOp) -> list[Text]:
        """An operation no pair of the operands' kinds allows (a union passes if one pair does)."""
        left, right = self.infer(node.left), self.infer(node.right)
        if left is None or right is None:
            return []
        ours, theirs = left.families(), right.families()
        if isinstance(node.op, ast.Add):
            return [] if ours & theirs & {NUMBER, TEXT, ARRAY} else [
                self._both(_NO_SUM, node.left, node.right, left, right)]
        if NUMBER in ours and NUMBER in theirs or isinstance(node.op, ast.Mod) and TEXT in ours or isinstance(
                node.op, ast.Mult) and (ours | theirs) & _SEQUENCES and NUMBER in ours | theirs:
            return []  # "%s" % value, "-" * 3, [x] * 2
        operand, kind = (node.left, left) if NUMBER not in ours else (node.right, right)
        return [Text(_NOT_NUMBER, op=_OPERATORS[type(node.op)], operand=ast.unparse(operand), type=kind.describe())]

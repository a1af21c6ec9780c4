"""The type of a case field as the diagram's forms give it: JSON Schema's types, a date held as a
string (``format: date``), the values of an enum, the items of an array; the union of these when
several forms or scripts produce the field. ``None`` is a type not known here (what an action, a
message or a loop item puts in the data): nothing is checked against it."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.core.errors import Text

TEXT, DATE, NUMBER, BOOLEAN, NULL, ARRAY, OBJECT = "string", "date", "number", "boolean", "null", "array", "object"
_JSON = {"string": TEXT, "number": NUMBER, "integer": NUMBER, "boolean": BOOLEAN, "null": NULL, "array": ARRAY,
         "object": OBJECT}
_DATE_FORMATS = frozenset({"date", "date-time"})
# What Python lets meet in a comparison or a sum: a date is a string, True is 1.
_FAMILY = {TEXT: TEXT, DATE: TEXT, NUMBER: NUMBER, BOOLEAN: NUMBER, NULL: NULL, ARRAY: ARRAY, OBJECT: OBJECT}
_NAMES = {TEXT: Text("kiểu chuỗi"), DATE: Text("kiểu ngày (chuỗi năm-tháng-ngày)"), NUMBER: Text("kiểu số"),
          BOOLEAN: Text("kiểu đúng/sai"), NULL: Text("kiểu rỗng (None)"), ARRAY: Text("kiểu danh sách"),
          OBJECT: Text("kiểu đối tượng")}
_ORDER = (TEXT, DATE, NUMBER, BOOLEAN, NULL, ARRAY, OBJECT)


@dataclass(frozen=True)
class FieldType:
    kinds: frozenset[str]
    values: frozenset[Any] | None = None  # an enum's values: the field holds nothing else
    items: FieldType | None = None  # an array's items, when known

    def families(self) -> frozenset[str]:
        return frozenset(_FAMILY[k] for k in self.kinds)

    def describe(self) -> Text:
        """The type in the designer's words: "kiểu số", "kiểu chuỗi hoặc kiểu số"…"""
        named = [_NAMES[k] for k in _ORDER if k in self.kinds]
        said = named[0]
        for more in named[1:]:
            said = Text("%(first)s hoặc %(second)s", first=said, second=more)
        return said


Type = FieldType | None


def plain(kind: str, items: Type = None) -> FieldType:
    return FieldType(frozenset({kind}), None, items)


def _kind_of(value: Any) -> str | None:
    if value is None:
        return NULL
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, (int, float)):
        return NUMBER
    return TEXT if isinstance(value, str) else None


def constant(value: Any) -> Type:
    """The type of a literal in an expression: its kind, and itself as the one value."""
    kind = _kind_of(value)
    return None if kind is None else FieldType(frozenset({kind}), frozenset({value}))


def _enum(values: Iterable[Any]) -> Type:
    values = list(values)
    kinds = {_kind_of(v) for v in values}
    if not values or None in kinds:
        return None  # an enum of objects or arrays: not followed here
    return FieldType(frozenset(k for k in kinds if k is not None), frozenset(values))


def from_schema(schema: Any) -> Type:
    """A form field's type from its JSON Schema; None when the schema says too little (no
    ``type``, a ``$ref``, a combination)."""
    if not isinstance(schema, Mapping):
        return None
    if "const" in schema:
        return _enum([schema["const"]])
    if isinstance(schema.get("enum"), list):
        return _enum(schema["enum"])
    options = schema.get("oneOf") or schema.get("anyOf")
    if isinstance(options, list) and options and all(isinstance(o, Mapping) and "const" in o for o in options):
        return _enum(o["const"] for o in options)
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else declared if isinstance(declared, list) else []
    if not names or any(n not in _JSON for n in names):
        return None
    kinds = {_JSON[n] for n in names}
    if TEXT in kinds and schema.get("format") in _DATE_FORMATS:
        kinds = kinds - {TEXT} | {DATE}
    return FieldType(frozenset(kinds), None, from_schema(schema.get("items")) if ARRAY in kinds else None)


def union(first: Type, second: Type) -> Type:
    """What a field may hold when either produces it; unknown when either is."""
    if first is None or second is None:
        return None
    values = first.values | second.values if first.values is not None and second.values is not None else None
    if ARRAY in first.kinds and ARRAY in second.kinds:
        items = union(first.items, second.items)
    else:
        items = first.items if ARRAY in first.kinds else second.items
    return FieldType(first.kinds | second.kinds, values, items)


def union_all(types: Iterable[Type]) -> Type:
    result: Type = None
    for number, each in enumerate(types):
        result = each if number == 0 else union(result, each)
    return result

"""pydantic's validation errors as this API has always answered them: one message per field, in
Vietnamese (English under English), the answer's ``error`` saying what was refused. The one place
that words them: a shape may give a field its own message (``messages``) or the whole refusal its
own ``summary``; every other fault gets the message of its kind here."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from pydantic import BaseModel, ValidationError

from engine.core.errors import InvalidData

MAX_NAMED = 10  # undeclared fields named in one answer


def _bounds(schema: dict[str, Any]) -> tuple[Any, Any]:
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    for option in schema.get("anyOf", ()):  # an optional field: int | None
        low, high = (low if low is not None else option.get("minimum")), \
            (high if high is not None else option.get("maximum"))
    return low, high


def _message(kind: str, ctx: dict[str, Any], schema: dict[str, Any]) -> str:
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        low, high = _bounds(schema)
        if low is not None and high is not None:
            return gettext("Từ %(low)s đến %(high)s.", low=low, high=high)
        return gettext("Tối thiểu %(n)s.", n=low) if low is not None else gettext("Tối đa %(n)s.", n=high)
    if kind == "string_too_long":
        return gettext("Tối đa %(n)s ký tự.", n=ctx.get("max_length"))
    if kind == "too_long":
        return gettext("Tối đa %(n)s phần tử.", n=ctx.get("max_length"))
    if kind == "literal_error":
        choices: list[Any] = schema.get("enum") or next((o["enum"] for o in schema.get("anyOf", ()) if "enum" in o), [])
        return gettext("Chọn một trong: %(choices)s.", choices=", ".join(map(str, choices)))
    simple = {
        "missing": gettext("Bắt buộc."), "string_too_short": gettext("Bắt buộc."),
        "string_type": gettext("Cần một chuỗi ký tự."), "int_type": gettext("Cần số nguyên."),
        "int_parsing": gettext("Cần số nguyên."), "int_from_float": gettext("Cần số nguyên."),
        "bool_type": gettext("Cần true hoặc false."), "bool_parsing": gettext("Cần true hoặc false."),
        "float_type": gettext("Cần một số."), "float_parsing": gettext("Cần một số."),
        "list_type": gettext("Cần một danh sách."), "dict_type": gettext("Cần một đối tượng JSON."),
        "model_type": gettext("Cần một đối tượng JSON."), "too_short": gettext("Thiếu phần tử."),
        "extra_forbidden": gettext("Trường không được hỗ trợ."),
    }
    return simple.get(kind, gettext("Giá trị không hợp lệ."))


def refusal(model: type[BaseModel], error: ValidationError) -> InvalidData:
    """The 422 a request gets when ``model`` refuses it: each field named by its name in the
    request (its alias), with the first fault found in it."""
    properties = model.model_json_schema().get("properties", {})
    own: dict[str, Any] = getattr(model, "messages", {})
    fields: dict[str, str] = {}
    undeclared: list[str] = []
    for fault in error.errors():
        field = str(fault["loc"][0]) if fault["loc"] else "_"
        if fault["type"] == "extra_forbidden":
            if len(undeclared) < MAX_NAMED:
                undeclared.append(field)
                fields[field] = _message("extra_forbidden", {}, {})
            continue
        if field not in fields:
            fields[field] = str(own[field]) if field in own else \
                _message(fault["type"], fault.get("ctx") or {}, properties.get(field, {}))
    if undeclared and len(undeclared) == len(fields):
        return InvalidData(gettext("Có trường không được hỗ trợ: %(names)s.", names=", ".join(undeclared)), fields)
    summary = getattr(model, "summary", None)
    return InvalidData(str(summary) if summary else gettext("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại."),
                       fields)

"""Task forms: JSON Schemas kept in ``forms/`` and frozen with each deployed version.

Validation turns jsonschema's errors into one Vietnamese message per field, and keeps
only the fields the form declares, so a user cannot write other case data (a number,
a signature status) by adding keys to a request.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from engine.core.errors import InvalidData

# By the schema object, which the cache keeps alive so its id is never reused: a deployed
# version's forms live as long as the version (engine/workflow/definitions.py), and repr-ing a whole
# schema to key it cost more than the validation at every task completion.
_validators: dict[int, tuple[dict[str, Any], Draft202012Validator]] = {}


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = _validators[id(schema)] = (schema, Draft202012Validator(schema, format_checker=FormatChecker()))
    return cached[1]


# The JSON Schema formats the forms use, as users call them: a message never shows
# the schema's English keyword.
_FORMATS = {
    "date": "ngày (năm-tháng-ngày, ví dụ 2026-03-05)",
    "date-time": "ngày giờ",
    "time": "giờ",
    "email": "thư điện tử",
    "uri": "địa chỉ trang web",
}


def _field_and_message(error: ValidationError, schema: dict[str, Any]) -> tuple[str, str]:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        name = f"{path}.{missing}" if path else missing
        title = schema.get("properties", {}).get(missing, {}).get("title", missing)
        return name, f"Vui lòng nhập {title}."
    field = path or "_"
    messages = {
        "enum": lambda: "Giá trị không nằm trong danh sách cho phép: " + ", ".join(map(str, error.validator_value)),
        "const": lambda: f"Giá trị phải là {error.validator_value}.",
        "type": lambda: f"Sai kiểu dữ liệu (cần {error.validator_value}).",
        "minLength": lambda: f"Cần ít nhất {error.validator_value} ký tự.",
        "maxLength": lambda: f"Tối đa {error.validator_value} ký tự.",
        "pattern": lambda: "Không đúng định dạng.",
        "format": lambda: (f"Không đúng định dạng {_FORMATS[error.validator_value]}."
                           if error.validator_value in _FORMATS else "Không đúng định dạng."),
        "minimum": lambda: f"Phải lớn hơn hoặc bằng {error.validator_value}.",
        "maximum": lambda: f"Phải nhỏ hơn hoặc bằng {error.validator_value}.",
        "minItems": lambda: f"Cần ít nhất {error.validator_value} mục.",
        "maxItems": lambda: f"Tối đa {error.validator_value} mục.",
        "uniqueItems": lambda: "Các mục không được trùng nhau.",
        "additionalProperties": lambda: "Có trường không thuộc biểu mẫu.",
    }
    make = messages.get(str(error.validator))
    return field, make() if make else str(error.message)


def validate(schema: dict[str, Any], data: Any) -> dict[str, Any]:
    """The declared fields of ``data`` if it satisfies ``schema``; otherwise InvalidData."""
    if not isinstance(data, dict):
        raise InvalidData("Dữ liệu biểu mẫu phải là một đối tượng JSON.", {"_": "Cần một đối tượng JSON."})
    fields: dict[str, str] = {}
    for error in sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path)):
        name, message = _field_and_message(error, schema)
        fields.setdefault(name, message)
    if fields:
        raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", fields)
    declared = schema.get("properties", {})
    return {k: v for k, v in data.items() if k in declared}

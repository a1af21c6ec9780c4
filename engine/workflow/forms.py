"""Task forms: JSON Schemas kept in ``forms/`` and frozen with each deployed version.

Validation turns jsonschema's errors into one Vietnamese message per field (a translatable
:class:`~engine.errors.Text`), and keeps only the fields the form declares, so a user cannot
write other case data (a number, a signature status) by adding keys to a request.
"""

from __future__ import annotations

from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from engine.core.errors import InvalidData, Text

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
    "date": Text("ngày (năm-tháng-ngày, ví dụ 2026-03-05)"),
    "date-time": Text("ngày giờ"),
    "time": Text("giờ"),
    "email": Text("thư điện tử"),
    "uri": Text("địa chỉ trang web"),
}


def _field_and_message(error: ValidationError, schema: dict[str, Any]) -> tuple[str, Text]:
    path = ".".join(str(p) for p in error.absolute_path)
    if error.validator == "required":
        missing = str(error.message).split("'")[1]
        name = f"{path}.{missing}" if path else missing
        title = schema.get("properties", {}).get(missing, {}).get("title", missing)
        return name, Text("Vui lòng nhập %(title)s.", title=Text(title))
    field = path or "_"
    value = error.validator_value
    messages = {
        "enum": lambda: Text("Giá trị không nằm trong danh sách cho phép: %(values)s",
                             values=", ".join(map(str, value))),
        "const": lambda: Text("Giá trị phải là %(value)s.", value=value),
        "type": lambda: Text("Sai kiểu dữ liệu (cần %(type)s).", type=value),
        "minLength": lambda: Text("Cần ít nhất %(n)s ký tự.", n=value),
        "maxLength": lambda: Text("Tối đa %(n)s ký tự.", n=value),
        "pattern": lambda: Text("Không đúng định dạng."),
        "format": lambda: (Text("Không đúng định dạng %(format)s.", format=_FORMATS[value])
                           if value in _FORMATS else Text("Không đúng định dạng.")),
        "minimum": lambda: Text("Phải lớn hơn hoặc bằng %(n)s.", n=value),
        "maximum": lambda: Text("Phải nhỏ hơn hoặc bằng %(n)s.", n=value),
        "minItems": lambda: Text("Cần ít nhất %(n)s mục.", n=value),
        "maxItems": lambda: Text("Tối đa %(n)s mục.", n=value),
        "maxProperties": lambda: Text("Tối đa %(n)s mục.", n=value),
        "uniqueItems": lambda: Text("Các mục không được trùng nhau."),
        "additionalProperties": lambda: Text("Có trường không thuộc biểu mẫu."),
    }
    make = messages.get(str(error.validator))
    return field, make() if make else Text(str(error.message))


def validate(schema: dict[str, Any], data: Any) -> dict[str, Any]:
    """The declared fields of ``data`` if it satisfies ``schema``; otherwise InvalidData."""
    if not isinstance(data, dict):
        raise InvalidData("Dữ liệu biểu mẫu phải là một đối tượng JSON.", {"_": "Cần một đối tượng JSON."})
    fields: dict[str, Text] = {}
    for error in sorted(_validator(schema).iter_errors(data), key=lambda e: list(e.absolute_path)):
        name, message = _field_and_message(error, schema)
        fields.setdefault(name, message)
    if fields:
        raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", dict(fields))
    declared = schema.get("properties", {})
    return {k: v for k, v in data.items() if k in declared}

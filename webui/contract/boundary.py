"""The API's input boundary: every JSON body, query, path and form field of ``/api/`` is
checked here, before a view does any work, so that bad input gets the same 4xx on SQLite and
PostgreSQL instead of whatever the database or the parser makes of it.

- a body (its size is ``webui.common.limits``' rule, checked before anything reads it) is UTF-8,
  valid JSON without NaN or Infinity, nested at most
  ``MAX_DEPTH`` levels (deeper, Python's parser runs out of stack: a 500) and holds at most
  ``MAX_VALUES`` keys and array items in all (700,000 keys once held a thread for seconds);
- every text (keys included) has no NUL (PostgreSQL refuses it in text, SQLite stores it) and
  no lone surrogate (no UTF-8 exists for it), and is normalised to NFC, the form Vietnamese is
  stored and searched in (a keyboard in "tổ hợp" mode sends decomposed letters);
- integers fit in 64 bits (``engine.core.db.BIGINT``), and those of a field named like an id
  (``document_id``, ``ids``) in the databases' id columns (``engine.core.db.MAX_INT``);

Each route's own shape (its fields, their types and bounds) is checked next, by the models
``webui.contract.route`` attaches to the view.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, NoReturn

from flask import Flask, request
from werkzeug.datastructures import ImmutableMultiDict

from engine.core.db import BIGINT, MAX_INT
from engine.core.errors import InvalidData, Text

MAX_DEPTH = 64
MAX_VALUES = 20_000
_AN_ID = re.compile(r"(?:^|[._])ids?(?:\.\d+)?$")  # id, document_id, ids.3


class _TooMany(Exception):
    pass


def _refuse(field: str, message: str) -> NoReturn:
    raise InvalidData(Text("Dữ liệu chưa hợp lệ: %(reason)s", reason=message), {field: message})


def text(value: str, field: str) -> str:
    """``value`` in NFC, refused (naming ``field``) if it holds NUL or a lone surrogate."""
    if "\x00" in value:
        _refuse(field, "có ký tự NUL (\\u0000), không được phép.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        _refuse(field, "có ký tự Unicode không hợp lệ (nửa cặp thay thế, ví dụ \\ud800).")
    return value if unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)


def _clean(value: Any, field: str, depth: int) -> Any:
    if depth > MAX_DEPTH:
        _refuse(field or "_", f"JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).")
    if isinstance(value, str):
        return text(value, field or "_")
    if isinstance(value, dict):
        return {text(k, f"{field}.{k!r}" if field else repr(k)): _clean(v, f"{field}.{k}" if field else k, depth + 1)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, f"{field}.{i}" if field else str(i), depth + 1) for i, v in enumerate(value)]
    if isinstance(value, int) and not isinstance(value, bool) and \
            abs(value) > (MAX_INT if _AN_ID.search(str(field)) else BIGINT):
        _refuse(field or "_", "số nguyên quá lớn.")
    return value


def _parse(raw: bytes) -> Any:
    counted = 0

    def count(values: list[Any]) -> list[Any]:
        nonlocal counted
        counted += len(values)
        if counted > MAX_VALUES:
            raise _TooMany
        return values

    def constant(name: str) -> NoReturn:
        _refuse("_", f"JSON không cho phép {name}.")

    try:
        parsed = json.loads(raw.decode("utf-8"), object_pairs_hook=lambda pairs: dict(count(pairs)),
                            parse_constant=constant)
        # Arrays count too (json has no hook for them); walked without recursion, the depth not
        # being checked yet.
        stack = [parsed]
        while stack:
            current = stack.pop()
            if isinstance(current, list):
                stack.extend(count(current))
            elif isinstance(current, dict):
                stack.extend(current.values())
        return parsed
    except _TooMany:
        _refuse("_", f"có quá nhiều trường hoặc phần tử (tối đa {MAX_VALUES}).")
    except RecursionError:
        _refuse("_", f"JSON lồng nhau quá sâu (tối đa {MAX_DEPTH} cấp).")
    except UnicodeDecodeError:
        _refuse("_", "nội dung không phải UTF-8.")
    except ValueError:
        _refuse("_", "nội dung không phải JSON hợp lệ.")


def json_object() -> dict[str, Any]:
    """The request's JSON object, checked as the module says."""
    if not request.is_json:
        raise InvalidData("Nội dung yêu cầu phải là một đối tượng JSON.", {"_": "Cần JSON."})
    raw = request.get_data(cache=True)  # capped by webui.common.limits (request.max_content_length)
    given = _clean(_parse(raw), "", 0)
    if not isinstance(given, dict):
        raise InvalidData("Nội dung yêu cầu phải là một đối tượng JSON.", {"_": "Cần JSON."})
    return given


def _check_query() -> None:
    """The path's, the query's and a multipart form's texts, as a body's: NUL would reach the
    database. (The API's multipart views read their form anyway; its files are not texts.)"""
    if not request.path.startswith("/api/"):
        return
    for name, value in (request.view_args or {}).items():
        if isinstance(value, str):
            text(value, name)
    if request.mimetype == "multipart/form-data":
        for name, value in request.form.items(multi=True):
            if name is None:  # a part with no name (schemathesis found it: a TypeError, a 500)
                _refuse("_", "có phần của biểu mẫu không có tên.")
            text(value, text(name, "_"))
    args = request.args
    normalised = [(text(k, "_"), text(v, k)) for k, v in args.items(multi=True)]
    if any(a != b for a, b in zip(normalised, args.items(multi=True), strict=True)):
        request.args = ImmutableMultiDict(normalised)


def init_app(app: Flask) -> None:
    app.before_request(_check_query)

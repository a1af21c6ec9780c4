"""A form's UI description (mô tả giao diện biểu mẫu): ``forms/<name>.ui.json`` beside
``forms/<name>.schema.json``, in the shape of react-jsonschema-form's uiSchema, read by the
server-rendered forms (formfields.build). What it may say:

- ``ui:order``: the fields in the order a person fills them, ``"*"`` standing for the rest;
- per field: ``ui:widget`` (``radio``, ``select``, ``checkboxes``, ``textarea``, ``text``,
  ``hidden``), ``ui:help`` (a line under the field), ``ui:placeholder``, ``ui:default``
  (a value, or ``"today"`` for a date field: the day the form is shown, in Vietnam);
  ``ui:options.templates``: bút phê templates a click puts into a note;
- ``ui:submitButtonOptions.submitText``: the act of a form without a decision field
  (``Trình``), as the diagram names it.

A form without a description keeps the order of formfields' rule. A description is read
once per process run; a change to one is a change to the repository, deployed with it. A
designer's form editor changes one for a version: it is deployed with that version
(``process_versions.ui_json``) and shown for that version's cases instead of the file.
Free of Flask.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

SCHEMA_SUFFIX = ".schema.json"
UI_SUFFIX = ".ui.json"
WIDGETS = frozenset({"radio", "select", "checkboxes", "textarea", "text", "hidden"})


def path_of(forms_dir: Path, ref: str | None) -> Path | None:
    """The description's file for the form ``ref`` (``btl_outgoing/draft.schema.json``), inside forms_dir."""
    if not ref or not ref.endswith(SCHEMA_SUFFIX):
        return None
    path = (forms_dir / (ref[: -len(SCHEMA_SUFFIX)] + UI_SUFFIX)).resolve()
    return path if forms_dir.resolve() in path.parents else None


@lru_cache(maxsize=256)
def _read(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    found = json.loads(path.read_text(encoding="utf-8"))
    return found if isinstance(found, dict) else {}


def load(forms_dir: Path, ref: str | None) -> dict[str, Any]:
    """The UI description of form ``ref``; empty when it has none."""
    path = path_of(forms_dir, ref)
    return _read(path) if path is not None else {}


def of(deployed: dict[str, Any] | None, forms_dir: Path, ref: str | None) -> dict[str, Any]:
    """The description a case shows: the one deployed with its version (a designer's), else forms/'s."""
    return deployed if deployed is not None else load(forms_dir, ref)


def problems(description: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """What is wrong in a description against its schema (the test of every file in forms/)."""
    found: list[str] = []
    props = schema.get("properties", {})
    order = description.get("ui:order", [])
    unknown = [n for n in order if n != "*" and n not in props]
    if unknown:
        found.append(f"ui:order names fields the schema lacks: {unknown}")
    if order and "*" not in order and set(props) - set(order) - {"decision"}:
        found.append(f"ui:order leaves out {sorted(set(props) - set(order) - {'decision'})} without '*'")
    for name, ui in description.items():
        if name.startswith("ui:"):
            continue
        if name not in props:
            found.append(f"'{name}' is not a field of the schema")
        elif not isinstance(ui, dict):
            found.append(f"'{name}' must be an object")
        elif ui.get("ui:widget", "text") not in WIDGETS:
            found.append(f"'{name}': unknown widget {ui['ui:widget']}")
        elif ui.get("ui:default") == "today" and props[name].get("format") != "date":
            found.append(f"'{name}': 'today' is for a date field")
    return found


def ordered(names: list[str], description: dict[str, Any]) -> list[str]:
    """``names`` (in formfields' order) rearranged by ``ui:order``."""
    order = [n for n in description.get("ui:order", []) if n == "*" or n in names]
    if not order:
        return names
    rest = [n for n in names if n not in order]
    if "*" not in order:
        order.append("*")
    result: list[str] = []
    for name in order:
        result.extend(rest if name == "*" else [name])
    return result


def submit_text(description: dict[str, Any]) -> str | None:
    options = description.get("ui:submitButtonOptions", {})
    text = options.get("submitText") if isinstance(options, dict) else None
    return str(text) if text else None

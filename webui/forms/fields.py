"""A task's JSON Schema as an HTML form, and the posted form back as the JSON the schema
validates. The schemas carry titles and ``x-enumTitles`` but no widget hints, so the
widget follows the type: enums as radios or selects, dates, numbers, booleans, long
strings as text areas, arrays of objects as repeatable rows; fields that name a unit or
a person (by the names the procedures use) offer the agency's units or people. The
``decision`` field becomes one button per outcome. A form's UI description (formui: order,
widgets, help, placeholders, defaults such as today's date) overrides these guesses.

Free of Flask: the views hand it the posted form as a mapping with ``getlist``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

from . import formui, routing
from .routing import person_label

DECISION = "decision"
UNIT_FIELDS = frozenset({"main_unit", "co_units", "info_units", "route", "unit", "target_unit"})
WORK_UNIT_FIELDS = frozenset({"main_unit", "co_units"})  # only units someone takes work for (a head)
PERSON_FIELDS = frozenset({"assignee", "commenter", "drafter", "presenter", "signer", "info_people"})
RADIO_LIMIT = 4  # up to this many choices show as radio buttons, more as a drop-down
LONG_TEXT = 500  # strings allowed to be longer than this get a text area
_ROW_KEY = re.compile(r"^(?P<name>[a-z_]+)-(?P<index>\d{1,3})-")


class FormData(Protocol):
    def get(self, key: str) -> str | None: ...
    def getlist(self, key: str) -> list[str]: ...
    def keys(self) -> Iterable[str]: ...


@dataclass
class Field:
    key: str  # the data path, as in the server's error messages: "recipients.0.name"
    name: str  # the input's name: "recipients-0-name"
    title: str
    widget: str  # text, textarea, number, date, checkbox, radio, select, checkboxes, lines, rows
    value: Any = None
    required: bool = False
    error: str | None = None
    hint: str | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)
    limits: dict[str, Any] = field(default_factory=dict)  # maxlength, min, max for the browser
    rows: list[list[Field]] = field(default_factory=list)
    blank_row: list[Field] = field(default_factory=list)  # the row the page adds, "__i__" in its names
    placeholder: str | None = None
    templates: list[str] = field(default_factory=list)  # bút phê templates, put into the field by a click
    data_choices: bool = False  # the choices are people, units or agencies: document data, said in Vietnamese
    parts: dict[str, Field] = field(default_factory=dict)  # the routing tree's own fields, by name
    tree: list[dict[str, Any]] = field(default_factory=list)  # the routing tree's units, each with its people
    book: list[dict[str, Any]] = field(default_factory=list)  # recipients' rows: the address book to pick from


@dataclass
class FormView:
    title: str
    fields: list[Field]
    decisions: list[tuple[str, str]]  # (value, title) of each outcome button
    decision_error: str | None
    other_errors: list[str]  # messages for no field on the page (e.g. the missing main file)
    submit_text: str | None = None  # the act of a form without decisions (Trình), from its UI description


def _ordered(props: dict[str, Any], required: list[str]) -> list[tuple[str, Any]]:
    """Deployed forms keep their properties in alphabetical order (their JSON is stored with
    sorted keys), but arrays keep theirs: the fields come in the order of the schema's
    ``required`` lists, then the others grouped by the first word of their names (co_units
    beside co_deadline, dates last in a group), notes at the end."""
    def weight(item: tuple[int, tuple[str, Any]]) -> tuple[bool, int, str, bool, int]:
        index, (name, prop) = item
        note = prop.get("maxLength", 0) > LONG_TEXT
        if name in required:
            return note, 0, f"{required.index(name):04d}", False, index
        return note, 1, name.split("_")[0], prop.get("format") == "date", index

    return [item for _, item in sorted(enumerate(props.items()), key=weight)]


def _titles(prop: dict[str, Any]) -> list[tuple[str, str]]:
    titles = prop.get("x-enumTitles", {})
    return [(str(v), str(titles.get(v, v))) for v in prop.get("enum", [])]


def _choices(name: str, prop: dict[str, Any], directory: dict[str, list[dict[str, str]]]) -> list[tuple[str, str]]:
    if "enum" in prop:
        return _titles(prop)
    if name in UNIT_FIELDS:
        units = directory.get("working_units" if name in WORK_UNIT_FIELDS else "units", [])
        return [(u["code"], f"{u['name']} ({u['code']})") for u in units]
    if name in PERSON_FIELDS:
        return [(p["username"], person_label(p)) for p in directory.get("people", [])]
    return []


def _conditional_requirements(schema: dict[str, Any]) -> dict[str, list[str]]:
    """Field name -> the decisions that make it required (``allOf`` if/then on ``decision``)."""
    found: dict[str, list[str]] = {}
    for rule in schema.get("allOf", []):
        condition = rule.get("if", {}).get("properties", {}).get(DECISION, {})
        values = [condition["const"]] if "const" in condition else list(condition.get("enum", []))
        for name in rule.get("then", {}).get("required", []):
            found.setdefault(name, []).extend(values)
    return found


def _field(name: str, key: str, prop: dict[str, Any], value: Any, required: bool, errors: dict[str, str],
           directory: dict[str, list[dict[str, str]]]) -> Field:
    kind = prop.get("type")
    title = prop.get("title", name)  # a Text (engine.core.errors) keeps its translation
    made = Field(key=key, name=key.replace(".", "-"), title=title if isinstance(title, str) else str(title),
                 widget="text", value=value, required=required, error=errors.get(key))
    made.data_choices = bool(prop.get("x-data")) or name in UNIT_FIELDS or name in PERSON_FIELDS
    if kind == "array":
        items = prop.get("items", {})
        if items.get("type") == "object":
            return _rows(made, items, value, errors, directory, prop.get("maxItems"))
        made.choices = _choices(name, items, directory)
        made.widget = "checkboxes" if made.choices else "lines"
        made.value = value if isinstance(value, list) else []
        return made
    made.choices = _choices(name, prop, directory)
    if made.choices:
        made.widget = "radio" if "enum" in prop and len(made.choices) <= RADIO_LIMIT else "select"
    elif kind == "boolean":
        made.widget = "checkbox"
    elif kind in ("integer", "number"):
        made.widget = "number"
        made.limits = {k: prop[s] for k, s in (("min", "minimum"), ("max", "maximum")) if s in prop}
    elif prop.get("format") == "date":
        made.widget = "date"
    else:
        made.widget = "textarea" if prop.get("maxLength", 0) > LONG_TEXT else "text"
        if "maxLength" in prop:
            made.limits = {"maxlength": prop["maxLength"]}
    return made


def _rows(made: Field, items: dict[str, Any], value: Any, errors: dict[str, str],
          directory: dict[str, list[dict[str, str]]], max_items: int | None) -> Field:
    made.widget = "rows"
    order = list(items.get("required", []))
    required = set(order)
    props = items.get("properties", {})

    def row(index: str, data: dict[str, Any]) -> list[Field]:
        return [_field(sub, f"{made.key}.{index}.{sub}", p, data.get(sub), sub in required, errors, directory)
                for sub, p in _ordered(props, order)]

    given = [r for r in value if isinstance(r, dict)] if isinstance(value, list) else []
    made.rows = [row(str(i), r) for i, r in enumerate(given)]
    if max_items is None or len(given) < max_items:
        made.rows.append(row(str(len(given)), {}))  # one empty row to fill in, even without scripts
    made.blank_row = row("__i__", {})
    if {"name", "organ_id"} <= set(props):  # nơi nhận: picked from the address book, or typed
        made.book = list(directory.get("address_book", []))
    return made


CHOICE_WIDGETS = frozenset({"radio", "select", "checkboxes", "checkbox", "date"})


def _designed(made: Field, ui: dict[str, Any], today: date | None, fresh: bool) -> Field:
    """The field as its UI description shows it; the message of a required choice asks to choose."""
    widget = ui.get("ui:widget")
    if widget == "textarea" and made.widget == "text" or widget == "text" and made.widget == "textarea":
        made.widget = widget
    elif widget in ("radio", "select") and made.widget in ("radio", "select"):
        made.widget = widget
    elif widget == "hidden":
        made.widget = "hidden"
    help_text = ui.get("ui:help")
    if help_text:
        made.hint = f"{help_text} {made.hint}" if made.hint else str(help_text)
    made.placeholder = ui.get("ui:placeholder")
    options = ui.get("ui:options", {})
    made.templates = [str(t) for t in options.get("templates", [])] if isinstance(options, dict) else []
    default = ui.get("ui:default")
    if fresh and made.value in (None, "", []) and default is not None:
        made.value = today.isoformat() if default == "today" and today else default
    return made


def _fit_message(made: Field) -> Field:
    if made.error and made.error.startswith("Vui lòng nhập ") and made.widget in CHOICE_WIDGETS:
        made.error = "Vui lòng chọn " + made.error[len("Vui lòng nhập "):]
    return made


def build(schema: dict[str, Any] | None, values: dict[str, Any], errors: dict[str, str],
          directory: dict[str, list[dict[str, str]]], ui: dict[str, Any] | None = None,
          today: date | None = None) -> FormView:
    """The form to show: every field with its value and its error, and the outcome buttons.
    ``ui``: the form's UI description; its defaults fill a form shown for the first time
    (no errors), never one coming back refused."""
    schema = schema or {}
    ui = ui or {}
    fresh = not errors
    props: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    decision = props.get(DECISION, {})
    decisions = _titles(decision) if "enum" in decision else []
    titles = dict(decisions)
    conditional = _conditional_requirements(schema)
    order = list(schema.get("required", [])) + list(conditional)  # both in the schema's own order
    fields = []
    in_order = dict(_ordered(props, list(dict.fromkeys(order))))
    for name in formui.ordered(list(in_order), ui):
        if name == DECISION and decisions:
            continue
        made = _field(name, name, in_order[name], values.get(name), name in required, errors, directory)
        when = [titles.get(v, v) for v in conditional.get(name, [])]
        if when and name not in required:
            made.hint = "Bắt buộc khi chọn: " + ", ".join(f"“{w}”" for w in when)
        design = ui.get(name) or {}
        for row in [*made.rows, made.blank_row]:  # rows: their fields as the description's "items" show them
            for sub in row:
                _fit_message(_designed(sub, design.get("items", {}).get(sub.key.rsplit(".", 1)[-1]) or {}, today,
                                       fresh))
        fields.append(_fit_message(_designed(made, design, today, fresh)))
    fields = _routing(fields, directory, errors)
    shown = {f.key for f in _walk(fields)} | ({DECISION} if decisions else set())
    shown |= {k for f in fields if f.widget == "routing" for k in routing.shown_keys(f.tree)}
    others = [m for k, m in errors.items() if k not in shown]
    return FormView(str(schema.get("title", "")), fields, decisions, errors.get(DECISION) if decisions else None,
                    others, formui.submit_text(ui))


def _routing(fields: list[Field], directory: dict[str, list[dict[str, str]]], errors: dict[str, str]) -> list[Field]:
    """A direction's choices as one tree (webui.forms.routing); the tree takes the place of its
    first part."""
    named = {f.key: f for f in fields}
    if not routing.applies(named):
        return fields
    parts = {n: named[n] for n in routing.part_names(named) if n in named}
    tree = Field(key="routing", name="routing", title="Chuyển xử lý", widget="routing", parts=parts,
                 tree=routing.tree(directory, parts, errors))
    first = len([f for f in fields[:fields.index(named["main_unit"])] if f.key not in parts])
    kept = [f for f in fields if f.key not in parts]
    return [*kept[:first], tree, *kept[first:]]


def _walk(fields: list[Field]) -> Iterable[Field]:
    for f in fields:
        yield f
        yield from f.parts.values()
        for row in f.rows:
            yield from _walk(row)


def initial_values(schema: dict[str, Any] | None, data: dict[str, Any]) -> dict[str, Any]:
    """What a task's form starts with: the case's values of its fields, except the decision
    and the notes (text areas), which are each person's own."""
    props = (schema or {}).get("properties", {})
    return {k: data[k] for k, p in props.items()
            if k in data and k != DECISION and p.get("maxLength", 0) <= LONG_TEXT}


def _scalar(prop: dict[str, Any], raw: str, key: str, errors: dict[str, str]) -> Any:
    kind = prop.get("type")
    if kind == "integer":
        if not re.fullmatch(r"-?\d{1,15}", raw):
            errors[key] = "Cần một số nguyên."
            return raw
        return int(raw)
    if kind == "number":
        try:
            return float(raw.replace(",", "."))
        except ValueError:
            errors[key] = "Cần một số."
            return raw
    return raw


def _parse_object(props: dict[str, Any], form: FormData, prefix: str, errors: dict[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, prop in props.items():
        key, input_name = prefix + name, (prefix + name).replace(".", "-")
        kind = prop.get("type")
        if kind == "boolean":
            data[name] = form.get(input_name) is not None
        elif kind == "array" and prop.get("items", {}).get("type") == "object":
            rows = _parse_rows(prop["items"], form, key, errors)
            if rows:
                data[name] = rows
        elif kind == "array":
            values = form.getlist(input_name)
            if len(values) == 1 and "\n" in values[0]:  # the one-per-line text area
                values = values[0].splitlines()
            picked = [v.strip() for v in values if v.strip()]
            if picked:
                data[name] = picked
        else:
            raw = (form.get(input_name) or "").strip()
            if raw:
                data[name] = _scalar(prop, raw, key, errors)
    return data


def _parse_rows(items: dict[str, Any], form: FormData, key: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    """The rows as posted, in order, without the rows left blank; renumbered from 0, as
    the page will show them again."""
    props = items.get("properties", {})
    base = key.replace(".", "-")
    indexes = sorted({int(m["index"]) for k in form.keys() if (m := _ROW_KEY.match(k)) and m["name"] == base})
    rows: list[dict[str, Any]] = []
    for index in indexes:
        row_errors: dict[str, str] = {}
        row = _parse_object(props, _Prefixed(form, f"{base}-{index}-", f"{base}-{len(rows)}-"),
                            f"{key}.{len(rows)}.", row_errors)
        # A row counts once something is typed in it: a choice with a default does not count.
        typed = [n for n, p in props.items() if "enum" not in p and p.get("type") == "string" and row.get(n)]
        if typed:
            rows.append(row)
            errors.update(row_errors)
    return rows


class _Prefixed:
    """The posted form seen with the row's posted index renamed to its index after blank
    rows are dropped, so field names and error keys agree."""

    def __init__(self, form: FormData, posted: str, renumbered: str) -> None:
        self.form, self.posted, self.renumbered = form, posted, renumbered

    def _name(self, key: str) -> str:
        return self.posted + key[len(self.renumbered):] if key.startswith(self.renumbered) else key

    def get(self, key: str) -> str | None:
        return self.form.get(self._name(key))

    def getlist(self, key: str) -> list[str]:
        return self.form.getlist(self._name(key))

    def keys(self) -> Iterable[str]:
        return self.form.keys()


def parse(schema: dict[str, Any] | None, form: FormData) -> tuple[dict[str, Any], dict[str, str]]:
    """The posted form as the schema's JSON, and the fields that could not be read (a
    number that is not one); those keep what was typed so the page can show it again."""
    props = dict((schema or {}).get("properties", {}))
    errors: dict[str, str] = {}
    decision = props.pop(DECISION, None)
    data = _parse_object(props, form, "", errors)
    if routing.dated(props):
        routing.read(form, data)
    chosen = form.get(DECISION)
    if decision is not None and chosen:
        data[DECISION] = chosen
    return data, errors

"""Extracting a process's texts (msgids) from its BPMN and the forms it names, and reading the
catalogues that translate them. A catalogue is a JSON object from the Vietnamese text to its
translation; the extraction (``qlvb process texts``) keeps what is translated and adds what is
new with an empty translation, which the catalogue test refuses."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from engine.documents.doctypes import DOC_TYPES

_LETTERS = re.compile(r"[^\x00-\x7f]")  # a text people read has Vietnamese letters; codes do not
_FORM_PROPERTY = "formJsonSchemaFilename"
_SHOWN = ("title", "description")
# What a form's UI description (NAME.ui.json beside NAME.schema.json, webui.forms.formui) shows.
_UI_SHOWN = ("ui:help", "ui:placeholder", "ui:title", "ui:description", "submitText")


def _form_texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _SHOWN and isinstance(value, str):
                yield value
            elif key == "x-enumTitles" and isinstance(value, dict):
                yield from (v for v in value.values() if isinstance(v, str))
            else:
                yield from _form_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _form_texts(item)


def _ui_texts(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key in _UI_SHOWN and isinstance(value, str):
                yield value
            elif key == "templates" and isinstance(value, list):
                yield from (v for v in value if isinstance(v, str))
            else:
                yield from _ui_texts(value)
    elif isinstance(node, list):
        for item in node:
            yield from _ui_texts(item)


def _texts_of_form(schema: Path) -> Iterator[str]:
    yield from _form_texts(json.loads(schema.read_text("utf-8")))
    ui = schema.with_name(schema.name.removesuffix(".schema.json") + ".ui.json")
    if ui.is_file():
        yield from _ui_texts(json.loads(ui.read_text("utf-8")))


def process_texts(bpmn: Path, forms_dir: Path) -> list[str]:
    """Every text of the diagram people read (names of its process, tasks, events and flows) and
    of the forms it names with their UI descriptions, in order of appearance, once each."""
    found: dict[str, None] = {}
    for element in etree.parse(str(bpmn)).iter():  # noqa: S320 - the project's own diagrams
        if not isinstance(element.tag, str):
            continue
        name = element.get("name")
        if name and _LETTERS.search(name) and etree.QName(element).localname != "lane":
            found[name] = None
        if etree.QName(element).localname == "property" and element.get("name") == _FORM_PROPERTY:
            form = forms_dir / element.get("value", "")
            if form.is_file():
                found.update(dict.fromkeys(t for t in _texts_of_form(form) if _LETTERS.search(t)))
    return list(found)


def common_texts() -> list[str]:
    """What every process shows: the document types' names, the registers' names and columns."""
    from engine.registry.register_views import INCOMING_COLUMNS, OUTGOING_COLUMNS, SECRECY_COLUMN
    from engine.registry.registers import DEFAULT_BOOKS

    columns = [title for title, _ in (*OUTGOING_COLUMNS, *INCOMING_COLUMNS, SECRECY_COLUMN)]
    return list(dict.fromkeys([*DOC_TYPES.values(), *(name for _, name, *_ in DEFAULT_BOOKS), *columns]))


def catalogue_path(bpmn: Path, language: str) -> Path:
    return bpmn.with_suffix(f".{language}.json")


def update(path: Path, texts: Iterable[str]) -> list[str]:
    """Write the catalogue at ``path`` with ``texts``, keeping the translations it had; returns
    the texts still without one."""
    old: dict[str, str] = json.loads(path.read_text("utf-8")) if path.is_file() else {}
    new = {text: old.get(text, "") for text in texts}
    path.write_text(json.dumps(new, ensure_ascii=False, indent=1) + "\n", "utf-8")
    return [text for text, translated in new.items() if not translated]


def load(processes_dir: Path, language: str) -> dict[str, str]:
    """Every catalogue of ``language`` under ``processes_dir``, merged (a text means the same in
    every process); untranslated entries are left out."""
    merged: dict[str, str] = {}
    for path in sorted(processes_dir.rglob(f"*.{language}.json")):
        merged.update({k: v for k, v in json.loads(path.read_text("utf-8")).items() if v})
    return merged

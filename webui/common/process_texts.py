"""The processes' texts in the reader's language (issue 17 item 8): task, event and decision
names, form titles and choices, document-type names, from the per-process catalogues beside the
diagrams (engine.processtexts). They reach the pages inside the views' data (a task's title, a
form's choices, a document's type name), so the page's data is translated as a whole before it
is rendered, value by value: a text that is exactly one of the catalogue's is replaced, anything
else (a document's summary, a person's name) is left as it is, as are the values of the keys
that hold what people wrote (``DATA_KEYS``)."""

from __future__ import annotations

import dataclasses
from functools import cache
from pathlib import Path
from typing import Any

from engine.processtexts import catalogue

SOURCE = "vi"
DATA_KEYS = frozenset({"subject", "case_title", "note", "notes", "issuer_name", "text", "body", "comment",
                       "outcome_note", "description", "filename", "username", "full_name"})


@cache
def _catalogue(processes_dir: Path, language: str) -> dict[str, str]:
    return catalogue.load(processes_dir, language)


def translate(value: Any, texts: dict[str, str]) -> Any:
    """``value`` with every string that is a catalogue text replaced by its translation."""
    if isinstance(value, str):
        return texts.get(value, value)
    if isinstance(value, dict):
        return {k: v if k in DATA_KEYS else translate(v, texts) for k, v in value.items()}
    if isinstance(value, list):
        return [translate(v, texts) for v in value]
    if isinstance(value, tuple) and not hasattr(value, "_fields"):
        return tuple(translate(v, texts) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changed = {f.name: translate(getattr(value, f.name), texts) for f in dataclasses.fields(value)
                   if f.init and f.name not in DATA_KEYS}
        return dataclasses.replace(value, **changed)
    return value


def localized(context: dict[str, Any], processes_dir: Path, language: str) -> dict[str, Any]:
    """The page's data with the processes' texts in ``language`` (as is in Vietnamese)."""
    if language == SOURCE:
        return context
    texts = _catalogue(processes_dir, language)
    return {k: v if k == "me" else translate(v, texts) for k, v in context.items()} if texts else context

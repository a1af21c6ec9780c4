"""Domain errors; each entry point maps them to its own form (HTTP status, exit code).

Their messages are :class:`Text`: Vietnamese strings that keep their template and parameters,
so that an entry point with a reader's language (the web layer sets ``Text.translator``) says
them in that language; the Vietnamese template is the catalogue's msgid."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from typing import Any, ClassVar


class Text(str):
    """A message in Vietnamese: ``Text("Tối đa %(n)s ký tự.", n=500)`` reads "Tối đa 500 ký tự."
    and can be said in the reader's language with :meth:`localized`."""

    template: str
    params: dict[str, Any]
    translator: ClassVar[Callable[[str, Mapping[str, Any]], str] | None] = None

    def __new__(cls, template: str, **params: Any) -> Text:
        text = super().__new__(cls, template % params if params else template)
        text.template, text.params = template, params
        return text

    def localized(self) -> str:
        """The message in the reader's language (parameters that are Text too), when the entry
        point has set ``Text.translator``; Vietnamese otherwise."""
        if Text.translator is None:
            return str(self)
        return Text.translator(self.template, {k: localized(v) for k, v in self.params.items()})

    def __html__(self) -> str:
        """A page shows the message in the reader's language, escaped (Jinja calls this)."""
        return html.escape(self.localized()).replace("&#x27;", "&#39;")  # as Jinja escapes a quote


def localized(value: Any) -> Any:
    return value.localized() if isinstance(value, Text) else value


def dumped(value: Any) -> Any:
    """A message as JSON keeps it (template and parameters, nested), to be said later in the
    reader's language; anything else as it is."""
    if isinstance(value, Text):
        return {"template": value.template, "params": {k: dumped(v) for k, v in value.params.items()}}
    return value


def loaded(value: Any) -> Any:
    """What :func:`dumped` kept, as a message again."""
    if isinstance(value, dict) and set(value) == {"template", "params"}:
        return Text(value["template"], **{k: loaded(v) for k, v in value["params"].items()})
    return value


def _text(value: Any) -> Any:
    return value if isinstance(value, Text) or not isinstance(value, str) else Text(value)


class DomainError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message: str = _text(message)


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Unauthorized(DomainError):
    status = 401


class InvalidData(DomainError):
    """Input that fails validation; ``fields`` maps a field name to its message."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields: dict[str, str] = {name: _text(said) for name, said in (fields or {}).items()}


class TooManyAttempts(DomainError):
    """Logins refused for a while after too many wrong passwords (engine/org/login_throttle.py)."""

    status = 429

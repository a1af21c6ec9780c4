"""Where a package beside the engine joins the engine's steps, the engine not importing it.

The exchange between installations (``exchange/``) is built on the engine, so the engine may
not import it (setup.cfg, contract ``engine-without-exchange``). At each point where the
exchange acts the engine calls a hook below, in the transaction of the step, and
``exchange.hooks.install()`` fills them when a process starts: ``webui.create_app`` and every
``qlvb`` command (``qlvb serve``, ``qlvb worker``). A hook nobody filled answers what the
engine alone would: nothing goes to another installation.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Generic, ParamSpec, TypeVar

from sqlalchemy.orm import Session

from engine.models import Case, Document

P = ParamSpec("P")
R = TypeVar("R")


class Hook(Generic[P, R]):
    """One implementation; registering again replaces it, so installing twice is harmless."""

    def __init__(self, name: str, unset: R) -> None:
        self.name = name
        self._unset = unset
        self._fn: Callable[P, R] | None = None

    def register(self, fn: Callable[P, R]) -> None:
        self._fn = fn

    def clear(self) -> None:
        self._fn = None

    @property
    def filled(self) -> bool:
        return self._fn is not None

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> R:
        return self._unset if self._fn is None else self._fn(*args, **kwargs)


# An outgoing document was issued: what goes to its recipients of other installations.
document_issued: Hook[[Session, Document, datetime], object] = Hook("document_issued", None)
# An issued document was recalled (the reason given): what goes to the recipients it was sent to.
document_recalled: Hook[[Session, Document, str, datetime], object] = Hook("document_recalled", None)
# A step of a case: the diagram's task properties, the tasks it opened and those it passed
# through, the decision of the completed task.
case_moved: Hook[[Session, Case, dict[str, dict[str, str]], list[str], set[str], object, datetime], object] = \
    Hook("case_moved", None)
# A message starting a case of another agency (its name and payload): True when the hook sent
# it (an agency of another installation), False to route it inside this one.
message_forwarded: Hook[[Session, Case, str, dict[str, Any], datetime], bool] = Hook("message_forwarded", False)
# A reply thrown with a reply token: True when the hook sent it (a request from another installation).
message_replied: Hook[[Session, Case, str, Any, datetime], bool] = Hook("message_replied", False)
# (document, organ identifier) → its recipient's latest status ("03 Đã tiếp nhận (vào sổ)").
recipient_statuses: Hook[[Session, list[int]], dict[tuple[int, str], str]] = Hook("recipient_statuses", {})

HOOKS = (document_issued, document_recalled, case_moved, message_forwarded, message_replied, recipient_statuses)

# Task extension properties that a package beside the engine reads, each with its check at
# deploy: a function raising ValueError with the message for the designer.
TASK_PROPERTIES: dict[str, Callable[[str], object]] = {}


def filled() -> list[str]:
    """The hooks filled in this process, by name (what a start must have installed)."""
    return [hook.name for hook in HOOKS if hook.filled] + [f"property:{name}" for name in sorted(TASK_PROPERTIES)]

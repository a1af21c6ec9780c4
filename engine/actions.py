"""Actions a task may name in its ``action`` property, run in the same transaction when a
person completes it: the platform's side of a step (saving the draft's metadata, taking
the outgoing number). Each returns the data it adds to the case."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import documents
from .clock import VIETNAM
from .errors import InvalidData
from .models import Document


@dataclass(frozen=True)
class ActionContext:
    session: Session
    document: Document | None
    now: datetime
    data: dict[str, Any]  # the task's data with what the person just entered

    def require_document(self) -> Document:
        if self.document is None:
            raise InvalidData("Hồ sơ này không gắn với văn bản nào.")
        return self.document


Action = Callable[[ActionContext], dict[str, Any]]


def save_draft(ctx: ActionContext) -> dict[str, Any]:
    """Copy the metadata fields of the form onto the draft document."""
    fields = set(documents.METADATA_SCHEMA["properties"])
    documents.update_draft(ctx.session, ctx.require_document(), {k: v for k, v in ctx.data.items() if k in fields},
                           ctx.now)
    return {}


def issue_outgoing(ctx: ActionContext) -> dict[str, Any]:
    """Lấy số và phát hành: the outgoing number is given at issuance, never at draft time."""
    if ctx.data.get("decision") != "issue":
        return {}
    doc = ctx.require_document()
    documents.issue(ctx.session, doc, ctx.now)
    return {"number": doc.number, "number_symbol": doc.number_symbol,
            "issued_on": ctx.now.astimezone(VIETNAM).date().isoformat()}


ACTIONS: dict[str, Action] = {"save_draft": save_draft, "issue_outgoing": issue_outgoing}

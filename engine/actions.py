"""Actions a task may name in its ``action`` property, run in the same transaction when a
person completes it (the platform's side of a step, e.g. taking the outgoing number)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from . import registers
from .clock import VIETNAM


@dataclass(frozen=True)
class ActionContext:
    session: Session
    agency_id: int
    agency_abbreviation: str
    unit_code: str
    now: datetime
    data: dict[str, Any]


Action = Callable[[ActionContext], dict[str, Any]]


def issue_outgoing(ctx: ActionContext) -> dict[str, Any]:
    """Lấy số và phát hành: the outgoing number is given at issuance, never at draft time."""
    if ctx.data.get("decision") != "issue":
        return {}
    local = ctx.now.astimezone(VIETNAM)
    number = registers.take_number(ctx.session, ctx.agency_id, "outgoing", local.year)
    doc_type = str(ctx.data.get("doc_type") or "CV")
    # A công văn carries no type abbreviation: 15/TTYT-KHTH; others: 05/QĐ-TTYT.
    if doc_type == "CV":
        symbol = f"{ctx.agency_abbreviation}-{ctx.unit_code}"
    else:
        symbol = f"{doc_type}-{ctx.agency_abbreviation}"
    return {
        "number": number,
        "number_symbol": registers.format_number(number, symbol),
        "issued_on": local.date().isoformat(),
    }


ACTIONS: dict[str, Action] = {"issue_outgoing": issue_outgoing}

"""Refusals that must be on record though their transaction is rolled back: a diagram's
code that failed or went over its budget (engine/workflow/sandbox.py), a liên thông message refused
(engine/interagency/case_messages.py). The step is refused and rolled back; ``Database.write`` then
writes the refusal to the audit log in a transaction of its own, for the operators (and a
later incident desk) to find, whichever entry point (API, page, worker) ran the step."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from engine.audit import chain as audit
from engine.core.errors import InvalidData
from engine.models import Case

if TYPE_CHECKING:
    from engine.core.db import Database


class Refused(InvalidData):
    """A refusal to audit: ``action`` and ``payload`` say what; the caller that knows them
    fills in the case, the person and the time (``on_case``); without a time it is not
    audited."""

    action = "refused"

    def __init__(self, message: str, fields: dict[str, str], payload: dict[str, Any]) -> None:
        super().__init__(message, fields)
        self.payload = payload
        self.case_id: int | None = None
        self.actor_id: int | None = None
        self.at: datetime | None = None


@contextlib.contextmanager
def on_case(case_id: int | None, process: str, actor_id: int | None, now: datetime) -> Iterator[None]:
    """Name the case (None while it is being started), process and person of a refusal
    raised inside, unless a step nearer to it has."""
    try:
        yield
    except Refused as err:
        if "process" not in err.payload:
            err.payload["process"] = process
            err.case_id, err.actor_id, err.at = case_id, actor_id, now
        raise


def record(db: Database, err: Refused) -> None:
    """After the rollback: one audit entry. A case started in the rolled-back transaction
    does not exist: the entry then names none (its process is in the payload)."""
    assert err.at is not None
    with db.write() as session:
        case_id = err.case_id if err.case_id is not None and session.get(Case, err.case_id) is not None else None
        audit.append(session, at=err.at, action=err.action, actor_id=err.actor_id, case_id=case_id, payload=err.payload)

"""A diagram's code that failed or went over its budget (engine/sandbox.py): the step is
refused and its transaction rolled back, so the failure is written to the audit log in a
transaction of its own, with the element and the reason, for the operators (and a later
incident desk) to find."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime

from . import audit
from .db import Database
from .sandbox import ScriptFailed


@contextlib.contextmanager
def on_case(case_id: int | None, process: str, actor_id: int | None) -> Iterator[None]:
    """Name the case (None while it is being started), process and person of a failure."""
    try:
        yield
    except ScriptFailed as err:
        if err.process is None:
            err.case_id, err.process, err.actor_id = case_id, process, actor_id
        raise


def record(db: Database, err: ScriptFailed, at: datetime) -> None:
    """After the rollback: one audit entry ``script_failed``."""
    with db.write() as session:
        audit.append(session, at=at, action="script_failed", actor_id=err.actor_id, case_id=err.case_id,
                     payload={"process": err.process, "element": err.element, "reason": err.reason})

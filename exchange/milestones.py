"""Statuses 04, 05 and 06 at milestones of the receiving agency's procedure.

A user task of a diagram says which status its milestone sends back to the sender of the
document the case handles, with the extension property ``edxmlStatus``: ``open:04`` when the
task opens, ``complete:06`` when it is completed, ``complete[issue]:06`` when it is completed
with that decision (not when it is returned), several separated by commas
(``open:05,complete[issue]:06``). The document is the case's own, or the incoming one its draft
replies to; only a document received in an edXML package and registered has a sender to tell.
A status is sent once per document and code."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Case, DocumentLink, LinkKind, OutboxItem, Received

from . import statuses

PROPERTY = "edxmlStatus"
MILESTONE_CODES = ("04", "05", "06")


_ITEM = re.compile(r"^(open|complete)(?:\[([a-z_]+)\])?:(\d\d)$")


def parse(value: str) -> list[tuple[str, str | None, str]]:
    """``open:04,complete[issue]:06`` → [("open", None, "04"), ("complete", "issue", "06")];
    ValueError naming the part that is not one."""
    found = []
    for part in value.split(","):
        match = _ITEM.match(part.strip())
        if match is None or match.group(3) not in MILESTONE_CODES or (match.group(1) == "open" and match.group(2)):
            raise ValueError(f"edxmlStatus '{part.strip()}': cần open:0x, complete:0x hoặc complete[quyết định]:0x "
                             "với mã 04, 05, 06")
        found.append((match.group(1), match.group(2), match.group(3)))
    return found


def _received(session: Session, document_id: int | None) -> list[Received]:
    if document_id is None:
        return []
    ids = [document_id, *session.scalars(select(DocumentLink.target_id).where(
        DocumentLink.source_id == document_id, DocumentLink.kind == LinkKind.REPLY_TO))]
    return list(session.scalars(select(Received).where(Received.document_id.in_(ids),
                                                       Received.state == "registered")))


def reached(session: Session, case: Case, task_properties: dict[str, dict[str, str]], opened: Iterable[str],
            completed: Iterable[str], decision: object, now: datetime) -> list[str]:
    """Queue the statuses of the tasks just opened and completed (``decision`` is the completed
    task's); returns the codes queued."""
    wanted: list[str] = []
    for moment, names in (("complete", completed), ("open", opened)):
        for name in names:
            value = task_properties.get(name, {}).get(PROPERTY)
            if value:
                wanted += [code for when, only, code in parse(value)
                           if when == moment and (only is None or only == decision)]
    if not wanted:
        return []
    queued = []
    for row in _received(session, case.document_id):
        sent = set(session.scalars(select(OutboxItem.status_code).where(
            OutboxItem.partner_id == row.partner_id, OutboxItem.kind == "status",
            OutboxItem.edxml_document_id == row.edxml_document_id)))
        for code in dict.fromkeys(wanted):
            if code not in sent:
                statuses.answer(session, row, code, now, f"{statuses.CODES[code]} ({case.title[:200]})")
                queued.append(code)
    return queued

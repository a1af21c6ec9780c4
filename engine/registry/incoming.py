"""Each agency's incoming procedures: the deployed processes that handle an incoming document
(property ``document`` = ``incoming``) which its clerk starts by hand, their first step being
the registration (vào sổ). The clerk's menu leads to them, and an agency without one is told
so, so that no received document is registered into a dead end."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Agency, Position, Unit, User, UserPosition
from engine.org import permissions
from engine.workflow.definitions import latest_versions, version_info

MISSING = ("Cơ quan chưa có quy trình xử lý văn bản đến: văn bản vào sổ sẽ không được chuyển cho ai xử lý. "
           "Đề nghị người thiết kế quy trình triển khai một quy trình văn bản đến cho cơ quan.")


def procedures(session: Session, agency_code: str) -> list[dict[str, str]]:
    """The incoming procedures the agency's clerk may start, by process id and name."""
    found = []
    for version in latest_versions(session):
        codes = permissions.agency_codes(version.agency_code)
        if version.document_kind != "incoming" or (codes is not None and agency_code not in codes):
            continue
        if not version_info(session, version.id).start_messages:
            found.append({"id": version.process_id, "name": version.name})
    return found


def warning(session: Session, agency_code: str) -> str | None:
    """What the agency's administrator and clerk are told when it has no incoming procedure."""
    return None if procedures(session, agency_code) else MISSING


def for_clerk(session: Session, user: User) -> list[dict[str, Any]]:
    """Each agency where ``user`` is a clerk, with its incoming procedures (none: ``warning``)."""
    agencies = session.execute(
        select(Agency.code, Agency.name).join(Unit, Unit.agency_id == Agency.id)
        .join(UserPosition, UserPosition.unit_id == Unit.id)
        .where(UserPosition.user_id == user.id, UserPosition.position == Position.CLERK).distinct()
        .order_by(Agency.code)
    ).all()
    found = [{"code": code, "name": name, "procedures": procedures(session, code)} for code, name in agencies]
    return [{**a, "warning": None if a["procedures"] else MISSING} for a in found]


def menu_procedure(session: Session, user: User) -> str | None:
    """The one incoming procedure the clerk's menu entry "Vào sổ văn bản đến" starts, if the
    clerk has exactly one; otherwise the entry page lists them (or says there is none)."""
    found = [p["id"] for a in for_clerk(session, user) for p in a["procedures"]]
    return found[0] if len(found) == 1 else None

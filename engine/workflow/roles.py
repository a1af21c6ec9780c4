"""Lane names are role expressions, resolved to people for each case.

Grammar (``|`` joins alternatives; whitespace is ignored)::

    expr     := term ("|" term)*
    term     := "initiator"                  the person who started the case (the drafter)
              | POSITION                     holders of POSITION anywhere in the case's agency
              | POSITION "(" subject ")"     holders of POSITION in the subject's unit
              | "in_charge(" subject ")"     the deputy director in charge of that unit
              | "user(data." FIELD ")"       the user whose username is in that case field
    subject  := "initiator"                  the unit the case was started from
              | "data." FIELD                a unit code held in that case field

POSITION is a position code: specialist, head, deputy_head, office_chief,
deputy_office_chief, director, deputy_director, clerk, admin.

Examples: ``head(initiator)`` (the head of the drafter's unit), ``in_charge(initiator)``
(Phó Giám đốc phụ trách), ``director``, ``clerk``, ``head(data.unit) | deputy_head(data.unit)``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.models import Position, Unit, User, UserPosition

_POSITIONS = {p.value for p in Position}
_TERM = re.compile(
    r"""^(?:
        (?P<initiator>initiator)
      | in_charge\((?P<charge>initiator|data\.[a-z_][a-z0-9_]*)\)
      | user\(data\.(?P<user_field>[a-z_][a-z0-9_]*)\)
      | (?P<position>[a-z_]+)(?:\((?P<subject>initiator|data\.[a-z_][a-z0-9_]*)\))?
    )$""",
    re.VERBOSE,
)


# Built once: every task a case opens resolves its lane (engine/core/db.py says why).
_UNIT_BY_CODE = select(Unit.id).where(Unit.agency_id == bindparam("agency_id"), Unit.code == bindparam("code"))
_SUPERVISOR = select(Unit.supervisor_id).where(Unit.id == bindparam("unit_id"))
_ACTIVE_BY_NAME = select(User.id).where(User.username == bindparam("username"), User.active.is_(True))
_ACTIVE_AMONG = select(User.id).where(User.id.in_(bindparam("ids", expanding=True)), User.active.is_(True))
_HOLDERS = (
    select(UserPosition.user_id).join(Unit).join(User, User.id == UserPosition.user_id)
    .where(UserPosition.position == bindparam("position"), User.active.is_(True))
)
_HOLDERS_IN_AGENCY = _HOLDERS.where(Unit.agency_id == bindparam("agency_id"))
_HOLDERS_IN_UNIT = _HOLDERS.where(UserPosition.unit_id == bindparam("unit_id"))


class RoleSyntaxError(ValueError):
    pass


@dataclass(frozen=True)
class Term:
    kind: str  # initiator | position | in_charge | user
    position: str | None = None
    subject: str | None = None  # "initiator" or a data field name
    field: str | None = None


@dataclass(frozen=True)
class CaseContext:
    agency_id: int
    initiator_id: int
    initiator_unit_id: int
    data: dict[str, Any]


def _subject(raw: str | None) -> str | None:
    if raw is None or raw == "initiator":
        return raw
    return raw.removeprefix("data.")


@lru_cache(maxsize=1024)  # a deployed diagram has a few dozen lanes, each resolved many times
def parse(expression: str) -> tuple[Term, ...]:
    text = re.sub(r"\s+", "", expression or "")
    if not text:
        raise RoleSyntaxError("biểu thức vai trò trống")
    terms = []
    for part in text.split("|"):
        m = _TERM.match(part)
        if not m:
            raise RoleSyntaxError(f"không hiểu vai trò '{part}'")
        if m["initiator"]:
            terms.append(Term("initiator"))
        elif m["charge"]:
            terms.append(Term("in_charge", subject=_subject(m["charge"])))
        elif m["user_field"]:
            terms.append(Term("user", field=m["user_field"]))
        else:
            if m["position"] not in _POSITIONS:
                raise RoleSyntaxError(f"không có chức vụ '{m['position']}' (có: {', '.join(sorted(_POSITIONS))})")
            terms.append(Term("position", position=m["position"], subject=_subject(m["subject"])))
    return tuple(terms)


def _unit_id(session: Session, subject: str, ctx: CaseContext) -> int | None:
    if subject == "initiator":
        return ctx.initiator_unit_id
    code = ctx.data.get(subject)
    if not isinstance(code, str):
        return None
    return session.scalar(_UNIT_BY_CODE, {"agency_id": ctx.agency_id, "code": code})


def resolve(session: Session, expression: str, ctx: CaseContext) -> list[int]:
    """The active users the lane ``expression`` names in this case, in a stable order."""
    found: set[int] = set()
    named: set[int] = set()  # people named directly, whose active flag is checked at the end
    for term in parse(expression):
        if term.kind == "initiator":
            named.add(ctx.initiator_id)
        elif term.kind == "user":
            username = ctx.data.get(term.field or "")
            if isinstance(username, str):
                found.update(session.scalars(_ACTIVE_BY_NAME, {"username": username}))
        elif term.kind == "in_charge":
            unit = _unit_id(session, term.subject or "initiator", ctx)
            supervisor = session.scalar(_SUPERVISOR, {"unit_id": unit}) if unit else None
            if supervisor is not None:
                named.add(supervisor)
        elif term.subject is None:
            found.update(session.scalars(_HOLDERS_IN_AGENCY, {"position": term.position, "agency_id": ctx.agency_id}))
        else:
            found.update(session.scalars(_HOLDERS_IN_UNIT, {"position": term.position,
                                                            "unit_id": _unit_id(session, term.subject, ctx)}))
    if named - found:
        found.update(session.scalars(_ACTIVE_AMONG, {"ids": sorted(named - found)}))
    return sorted(found)


def member(
    session: Session, username: Any, agency_id: int, positions: frozenset[Position] | None = None,
    unit_id: int | None = None,
) -> User | None:
    """The active user ``username`` if they belong to the agency (to the unit, when given),
    holding one of ``positions`` when given; None otherwise. For people a form names."""
    if not isinstance(username, str):
        return None
    query = (
        select(User).join(UserPosition, UserPosition.user_id == User.id).join(Unit, Unit.id == UserPosition.unit_id)
        .where(User.username == username, User.active.is_(True), Unit.agency_id == agency_id)
    )
    if positions is not None:
        query = query.where(UserPosition.position.in_(positions))
    if unit_id is not None:
        query = query.where(UserPosition.unit_id == unit_id)
    return session.scalars(query.limit(1)).first()

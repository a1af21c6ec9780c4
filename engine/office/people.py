"""People as the staff call them: by name and position (Hoàng Văn Bình, Trưởng đơn vị,
KHNV), never by username. A person's position shown is the highest they hold."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Position, Unit, User, UserPosition

# Highest first: a deputy director who is also a unit's head is shown as deputy director.
RANK = (Position.DIRECTOR, Position.DEPUTY_DIRECTOR, Position.OFFICE_CHIEF, Position.DEPUTY_OFFICE_CHIEF,
        Position.HEAD, Position.DEPUTY_HEAD, Position.CLERK, Position.SPECIALIST, Position.ADMIN,
        Position.DESIGNER, Position.AUDITOR)


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    full_name: str
    position: str | None  # Position value
    unit: str | None  # unit code

    def as_dict(self) -> dict[str, str | int | None]:
        return {"id": self.id, "username": self.username, "full_name": self.full_name,
                "position": self.position, "unit": self.unit}


def people(session: Session, user_ids: Iterable[int]) -> dict[int, Person]:
    """Each person with their highest position and its unit."""
    wanted = {i for i in user_ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(User.id, User.username, User.full_name, UserPosition.position, Unit.code)
        .outerjoin(UserPosition, UserPosition.user_id == User.id).outerjoin(Unit, Unit.id == UserPosition.unit_id)
        .where(User.id.in_(wanted))
    ).all()
    found: dict[int, Person] = {}
    for user_id, username, full_name, position, unit in rows:
        known = found.get(user_id)
        if known is None or (position is not None and (known.position is None
                                                       or RANK.index(position) < RANK.index(Position(known.position)))):
            found[user_id] = Person(user_id, username, full_name, position.value if position else None, unit)
    return found

"""Danh bạ nơi nhận: where an outgoing document may be sent, so that a clerk picks a recipient
instead of typing an organ code: the agency's own units, then the agencies of this
installation, each with its organ code (mã định danh) and how it receives (electronically,
through the platform)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Agency, Unit


def entries(session: Session, agency_id: int) -> list[dict[str, Any]]:
    units = session.scalars(select(Unit).where(Unit.agency_id == agency_id).order_by(Unit.id))
    agencies = session.scalars(select(Agency).where(Agency.id != agency_id).order_by(Agency.name))
    return [
        *({"key": f"unit:{u.code}", "unit": u.code, "organ_id": None, "name": u.name, "delivery": "electronic"}
          for u in units),
        *({"key": f"organ:{a.identifier_code}", "unit": None, "organ_id": a.identifier_code, "name": a.name,
           "delivery": "electronic"} for a in agencies),
    ]

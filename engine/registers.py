"""Sổ văn bản: yearly numbering series. The one place that gives out numbers.

A number is taken inside the caller's transaction with the register row locked, so two
clerks issuing at once get consecutive numbers and a rolled-back issuance leaves no gap.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .models import Register


def take_number(session: Session, agency_id: int, kind: str, year: int) -> int:
    query = (
        select(Register)
        .where(Register.agency_id == agency_id, Register.kind == kind, Register.year == year)
        .with_for_update()
    )
    register = session.scalars(query).first()
    if register is None:
        try:
            with session.begin_nested():
                session.add(Register(agency_id=agency_id, kind=kind, year=year, last_number=0))
        except IntegrityError:
            pass  # another transaction opened this year's series first
        register = session.scalars(query).one()
    register.last_number += 1
    session.flush()
    return register.last_number


def format_number(number: int, symbol: str) -> str:
    """``5, "QĐ-TTYT"`` → ``05/QĐ-TTYT`` (Decree 30: two digits below 10)."""
    return f"{number:02d}/{symbol}"

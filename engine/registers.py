"""Sổ văn bản: the configured numbering series of each agency. The one place that gives
out numbers.

A number is taken inside the caller's transaction with the book's counter row locked,
so concurrent registrations get consecutive numbers, and a rolled-back registration
gives its number back: the series stays gapless.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .errors import InvalidData
from .models import Direction, RegisterBook, RegisterCounter

# The books every agency starts with; an agency may add more (e.g. one per legal type).
DEFAULT_BOOKS = [
    ("outgoing", "Sổ văn bản đi", Direction.OUTGOING, False, False),
    ("incoming", "Sổ văn bản đến", Direction.INCOMING, False, False),
    ("outgoing_secret", "Sổ văn bản đi mật", Direction.OUTGOING, True, False),
    ("incoming_secret", "Sổ văn bản đến mật", Direction.INCOMING, True, False),
    ("copies", "Sổ bản sao văn bản", Direction.OUTGOING, False, True),
]


def create_default_books(session: Session, agency_id: int) -> None:
    for code, name, direction, secret, copies in DEFAULT_BOOKS:
        session.add(RegisterBook(agency_id=agency_id, code=code, name=name, direction=direction,
                                 secret=secret, copies=copies))
    session.flush()


def book(session: Session, agency_id: int, code: str) -> RegisterBook:
    found = session.scalars(
        select(RegisterBook).where(RegisterBook.agency_id == agency_id, RegisterBook.code == code)
    ).first()
    if found is None:
        raise InvalidData(f"Cơ quan chưa cấu hình sổ '{code}'.")
    return found


def take_number(session: Session, book_id: int, year: int) -> int:
    query = (
        select(RegisterCounter)
        .where(RegisterCounter.book_id == book_id, RegisterCounter.year == year)
        .with_for_update()
    )
    counter = session.scalars(query).first()
    if counter is None:
        try:
            with session.begin_nested():
                session.add(RegisterCounter(book_id=book_id, year=year, last_number=0))
        except IntegrityError:
            pass  # another transaction opened this year's series first
        counter = session.scalars(query).one()
    counter.last_number += 1
    session.flush()
    return counter.last_number

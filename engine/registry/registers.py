"""Sổ văn bản: the configured numbering series of each agency. The one place that gives
out numbers.

A number is taken inside the caller's transaction with the book's counter row locked,
so concurrent registrations get consecutive numbers, and a rolled-back registration
gives its number back: the series stays gapless. An issue whose number is printed in a signed
file (engine.signed_steps) signs with the number the book would give next, outside any
transaction, and takes exactly that one in its short final transaction: when another issue took
it meanwhile, :class:`NumberMoved` sends it back to sign again, and nothing was taken.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import Conflict, InvalidData, NotFound, Text
from engine.models import Direction, RegisterBook, RegisterCounter, User
from engine.org import permissions

BOOK_CODE = re.compile(r"^[a-z0-9_]{2,32}$")

# The books every agency starts with; an agency may add more (e.g. one per legal type).
DEFAULT_BOOKS = [
    ("outgoing", "Sổ văn bản đi", Direction.OUTGOING, False, False),
    ("incoming", "Sổ văn bản đến", Direction.INCOMING, False, False),
    ("outgoing_secret", "Sổ văn bản đi mật", Direction.OUTGOING, True, False),
    ("incoming_secret", "Sổ văn bản đến mật", Direction.INCOMING, True, False),
    ("copies", "Sổ bản sao văn bản", Direction.OUTGOING, False, True),
]
DEFAULT_CODES = frozenset(code for code, *_ in DEFAULT_BOOKS)  # the procedures number in these


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
        raise InvalidData(Text("Cơ quan chưa cấu hình sổ '%(code)s'.", code=code))
    if found.closed_at is not None:
        raise InvalidData(Text("%(register)s đã khóa, không cấp số mới.", register=found.name))
    return found


class NumberMoved(Conflict):
    """The number a file was signed with was taken by another registration meanwhile."""

    def __init__(self) -> None:
        super().__init__("Số văn bản đã được cấp cho văn bản khác trong lúc ký; hãy phát hành lại.")


def take_number(session: Session, book_id: int, year: int, expected: int | None = None) -> int:
    """The book's next number in ``year``; ``expected``: only that number (the one already
    printed and signed), else :class:`NumberMoved` and nothing taken."""
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
    if expected is not None and counter.last_number + 1 != expected:
        raise NumberMoved()
    counter.last_number += 1
    session.flush()
    return counter.last_number


def peek_number(session: Session, book_id: int, year: int) -> int:
    """The number the book's next registration would take, read without taking it (a preview)."""
    last = session.scalar(select(RegisterCounter.last_number).where(RegisterCounter.book_id == book_id,
                                                                    RegisterCounter.year == year))
    return (last or 0) + 1


def agency_books(session: Session, agency_id: int) -> list[RegisterBook]:
    return list(session.scalars(select(RegisterBook).where(RegisterBook.agency_id == agency_id)
                                .order_by(RegisterBook.id)))


def create_book(session: Session, admin_id: int, agency_id: int, data: Mapping[str, Any],
                now: datetime) -> RegisterBook:
    """A new book of the agency (e.g. one per legal type): its name, its kind (đi / đến, mật)
    and its code (ký hiệu), which names it in the registers' pages; audited."""
    errors: dict[str, str] = {}
    code = str(data.get("code") or "").strip()
    if not BOOK_CODE.match(code):
        errors["code"] = "Từ 2 đến 32 ký tự: chữ thường không dấu, số, gạch dưới."
    elif session.scalar(select(exists().where(RegisterBook.agency_id == agency_id, RegisterBook.code == code))):
        errors["code"] = "Cơ quan đã có sổ với ký hiệu này."
    name = str(data.get("name") or "").strip()
    if not name or len(name) > 255:
        errors["name"] = "Bắt buộc, tối đa 255 ký tự."
    direction = str(data.get("direction") or "")
    if direction not in {d.value for d in Direction}:
        errors["direction"] = "Chọn sổ văn bản đi hoặc đến."
    if errors:
        raise InvalidData("Dữ liệu chưa hợp lệ, vui lòng kiểm tra lại.", errors)
    made = RegisterBook(agency_id=agency_id, code=code, name=name, direction=Direction(direction),
                        secret=bool(data.get("secret")), copies=False)
    session.add(made)
    session.flush()
    audit.append(session, at=now, action="register_book_created", actor_id=admin_id, payload={
        "agency_id": agency_id, "book_id": made.id, "code": code, "name": name, "direction": direction,
        "secret": made.secret}, agency_id=agency_id)
    return made


def close_book(session: Session, admin: User, book_id: int, now: datetime) -> RegisterBook:
    """Khóa sổ: an administrator of the book's agency closes a book the agency added; it gives
    no more numbers. The books the procedures number in (``DEFAULT_BOOKS``) stay open."""
    found = session.get(RegisterBook, book_id, with_for_update=True)
    if found is None or found.agency_id not in permissions.administered(session, admin).values():
        raise NotFound("Không có sổ này trong cơ quan.")
    if found.code in DEFAULT_CODES:
        raise InvalidData("Sổ này được các quy trình dùng để cấp số, không thể khóa.", {"book": "Sổ mặc định."})
    if found.closed_at is not None:
        raise InvalidData("Sổ này đã khóa.", {"book": "Đã khóa."})
    found.closed_at = now
    audit.append(session, at=now, action="register_book_closed", actor_id=admin.id,
                 payload={"agency_id": found.agency_id, "book_id": found.id, "code": found.code})
    return found

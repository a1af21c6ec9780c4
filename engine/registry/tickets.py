"""Turns for the issues of one book signing in this process at once (engine.signed_steps).

An issue signs with the number its book would give next and takes exactly that one afterwards
(registers.take_number ``expected``): when several issues of one book sign at once, all but one
would sign with the same number and sign again. Here each takes a different one instead (the
next after those being signed), signs, and records once those before it have recorded or given
up: the work is not wasted. Only an optimisation, within one process and without any lock held
while signing: the database's check decides, and an issue whose number went (another process
took it, an issue before it failed) signs again with a new one; an issue failing gives up the
numbers after its own, whose issues then sign again too.
"""

from __future__ import annotations

import threading

Book = tuple[int, int]  # (book id, year)
WAIT_SECONDS = 120.0  # then the issue records anyway: the database's check still decides


class Tickets:
    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._signing: dict[Book, set[int]] = {}

    def take(self, book: Book, following: int) -> int:
        """The number to sign with: ``following`` (the book's next) or the one after those being signed."""
        with self._changed:
            signing = self._signing.setdefault(book, set())
            number = max([following - 1, *signing]) + 1
            signing.add(number)
            return number

    def wait_turn(self, book: Book, number: int) -> None:
        """Until the issues signing with a smaller number have recorded or given up."""
        with self._changed:
            self._changed.wait_for(lambda: not any(n < number for n in self._signing.get(book, ())), WAIT_SECONDS)

    def done(self, book: Book, number: int, recorded: bool) -> None:
        with self._changed:
            signing = self._signing.get(book, set())
            if number in signing:
                # Failed: the numbers after it would leave a hole; their issues sign again.
                signing.difference_update({n for n in signing if n >= number} if not recorded else {number})
            if not signing:
                self._signing.pop(book, None)
            self._changed.notify_all()


TICKETS = Tickets()

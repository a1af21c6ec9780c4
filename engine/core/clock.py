"""The time source of the engine, injectable so that tests can move time forward.

SpiffWorkflow reads ``datetime.now(timezone.utc)`` inside its timer definitions; the
engine swaps that module's ``datetime`` for one that asks the clock in force, so a
deadline computed or checked by the engine always agrees with the injected clock.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that stands still until a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 1, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self._now

    def advance(self, delta: timedelta) -> None:
        self._now += delta

    def set(self, moment: datetime) -> None:
        self._now = moment


_SYSTEM = SystemClock()
_current: contextvars.ContextVar[Clock | None] = contextvars.ContextVar("qlvb_clock", default=None)


@contextlib.contextmanager
def using(clock: Clock) -> Iterator[None]:
    token = _current.set(clock)
    try:
        yield
    finally:
        _current.reset(token)


class _ClockDatetime(datetime):
    @classmethod
    def now(cls, tz: tzinfo | None = None) -> _ClockDatetime:
        moment = (_current.get() or _SYSTEM).now()
        moment = moment.astimezone(tz) if tz is not None else moment.replace(tzinfo=None)
        return cls.combine(moment.date(), moment.time(), moment.tzinfo)


def install_in_spiffworkflow() -> None:
    from SpiffWorkflow.bpmn.specs.event_definitions import timer

    timer.datetime = _ClockDatetime

"""The budget of a diagram's code (engine/workflow/sandbox.py): a step counter (loop iterations,
comprehension items, calls), a size limit on every value produced (strings, bytes, lists,
dicts, int digits) and a wall-clock limit, shared by everything one engine run evaluates.
Operators and calls whose result could be large are sized from their operands before they
run (``((10**256)**256)**256``, ``'%*d' % (10**8, 1)``, ``f"{1:{10**8}}"``)."""

from __future__ import annotations

import contextlib
import contextvars
import math
import re
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

MAX_SEQUENCE = 100_000  # items in a list, tuple, set or dict
# Python's own limit for turning an int into text (sys.int_info.default_max_str_digits): a
# larger number could not even be shown, and multiplying two of this size takes microseconds.
MAX_INT_DIGITS = 4300
MAX_INT_BITS = int(MAX_INT_DIGITS * math.log2(10)) + 1
# Everything one run may produce, as a multiple of the largest value: a loop that keeps
# values of the largest size in a list is stopped long before memory runs out.
PRODUCED_FACTOR = 16


@dataclass(frozen=True)
class Limits:
    """The budget of one run of the engine (all the scripts, conditions, timers and message
    payloads evaluated while a case moves); low by default, set from Settings at start-up."""

    steps: int = 100_000  # loop iterations, comprehension items, calls, expressions
    value_bytes: int = 1_000_000  # the largest string or bytes a script may produce
    # Counted in the CPU time of the thread that runs the case: on a loaded machine a plain
    # gateway waited over a second for the processor (and failed the step) though it computed
    # for microseconds. The wall clock still bounds the run, at WALL_FACTOR times as long.
    seconds: float = 1.0


WALL_FACTOR = 10


LIMITS = Limits()


def configure(limits: Limits) -> None:
    global LIMITS
    LIMITS = limits


class BudgetExceeded(ValueError):
    """A script went over its budget; the message (Vietnamese) says which limit."""


def weight(value: Any, cap: int) -> int:
    """Roughly the size of ``value`` written out: the characters of its strings, the bytes of
    its numbers and one per item, a nested value counted as often as it appears (``[a, a]``
    is written twice). The walk stops past ``cap``, or past twice MAX_SEQUENCE values (a
    cycle never ends), and then answers more than ``cap``."""
    total, stack, visits = 0, [value], 0
    while stack:
        visits += 1
        if total > cap or visits > 2 * MAX_SEQUENCE:
            return cap + 1
        item = stack.pop()
        if isinstance(item, str | bytes):
            total += len(item)
        elif isinstance(item, int) and not isinstance(item, bool):
            total += item.bit_length() // 8 + 1
        elif isinstance(item, dict):
            total += len(item)
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            stack.extend(item)
        else:
            total += 1
    return total


class Budget:
    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.steps = 0
        self.produced = 0
        self.deadline = time.thread_time() + limits.seconds
        self.wall_deadline = time.monotonic() + limits.seconds * WALL_FACTOR

    def tick(self) -> bool:
        self.steps += 1
        if self.steps > self.limits.steps:
            raise BudgetExceeded(f"vượt quá {self.limits.steps} bước tính (vòng lặp, phần tử, lời gọi)")
        if time.thread_time() > self.deadline:
            raise BudgetExceeded(f"chạy quá {self.limits.seconds:g} giây")
        if time.monotonic() > self.wall_deadline:
            raise BudgetExceeded(f"chạy quá {self.limits.seconds * WALL_FACTOR:g} giây (kể cả thời gian chờ)")
        return True

    def allow(self, kind: str, size: int) -> None:
        """Refuse, before it is made, a value of ``size`` (characters/bytes or items)."""
        if kind == "items" and size > MAX_SEQUENCE:
            raise BudgetExceeded(f"danh sách quá lớn ({size} phần tử, tối đa {MAX_SEQUENCE})")
        if kind == "bits" and size > MAX_INT_BITS:
            raise BudgetExceeded(f"số quá lớn (tối đa {MAX_INT_DIGITS} chữ số)")
        if kind == "chars" and size > self.limits.value_bytes:
            raise BudgetExceeded(f"chuỗi quá dài ({size} ký tự, tối đa {self.limits.value_bytes})")
        if kind == "weight" and size > self.limits.value_bytes:
            raise BudgetExceeded(f"dữ liệu quá lớn (hơn {self.limits.value_bytes} byte khi ghi ra)")

    def weigh(self, value: Any, times: int = 1) -> None:
        """Refuse ``value`` (written ``times`` over) if it would be too large written out."""
        if isinstance(value, list | tuple | set | frozenset | dict):
            self.allow("weight", weight(value, self.limits.value_bytes) * times)

    def sized(self, value: Any) -> Any:
        """``value`` after checking its size and counting it against everything produced."""
        if isinstance(value, str | bytes):
            kind, size, written = "chars", len(value), len(value)
        elif isinstance(value, int) and not isinstance(value, bool):
            kind, size = "bits", value.bit_length()
            written = size // 8
        elif isinstance(value, list | tuple | set | frozenset | dict):
            self.allow("items", len(value))
            kind, size = "weight", weight(value, self.limits.value_bytes)
            written = size
        else:
            return value
        self.allow(kind, size)
        self.produced += written
        if self.produced > PRODUCED_FACTOR * self.limits.value_bytes:
            raise BudgetExceeded(f"tạo ra quá nhiều dữ liệu (tối đa {PRODUCED_FACTOR * self.limits.value_bytes} byte)")
        return value


_BUDGET: contextvars.ContextVar[Budget | None] = contextvars.ContextVar("qlvb_script_budget", default=None)


@contextlib.contextmanager
def limited() -> Iterator[Budget]:
    """One budget for everything evaluated inside the block (a whole engine run); nested
    blocks share the outer one, so a chain of messages is bounded as one run."""
    outer = _BUDGET.get()
    if outer is not None:
        yield outer
        return
    budget = Budget(LIMITS)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def current() -> Budget:
    found = _BUDGET.get()
    assert found is not None, "scripts run inside limited()"
    return found


def bounded_range(*args: int) -> range:
    r = range(*args)
    current().allow("items", len(r))
    return r


def check_widths(fmt: str | bytes, args: Any) -> None:
    """printf-style widths and precisions (``'%*d' % (10**8, 1)``, ``'%100000000d'``) are
    the size of the result: refuse those above the limit before formatting."""
    text = fmt.decode("latin-1") if isinstance(fmt, bytes) else fmt
    limit = current().limits.value_bytes
    specs = re.findall(r"%(?:\([^)]*\))?([-#0 +]*[\d*]*(?:\.[\d*]*)?)", text)
    if any(int(n) > limit for spec in specs for n in re.findall(r"\d+", spec)):
        raise BudgetExceeded(f"độ rộng định dạng quá lớn (tối đa {limit})")
    if any("*" in spec for spec in specs):
        values = args if isinstance(args, tuple) else (args,)
        if any(isinstance(v, int) and abs(v) > limit for v in values):
            raise BudgetExceeded(f"độ rộng định dạng quá lớn (tối đa {limit})")


def safe_op(op: str, left: Any, right: Any) -> Any:
    """A binary operator whose result could be large, refused before it is computed when
    its size (predicted from the operands) is over the limit."""
    budget = current()
    ints = isinstance(left, int) and isinstance(right, int)
    if op == "pow":
        if ints and right > 0 and abs(left) > 1:
            budget.allow("bits", left.bit_length() * right)
        result = left**right
    elif op == "mult":
        if ints:
            budget.allow("bits", left.bit_length() + right.bit_length())
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | bytes | list | tuple) and isinstance(count, int):
                budget.allow("chars" if isinstance(seq, str | bytes) else "items", len(seq) * count)
                budget.weigh(seq, count)
        result = left * right
    elif op == "add":
        if isinstance(left, str | bytes | list | tuple) and type(left) is type(right):
            budget.allow("chars" if isinstance(left, str | bytes) else "items", len(left) + len(right))
        result = left + right
    elif op == "mod":
        if isinstance(left, str | bytes):
            check_widths(left, right)
            budget.weigh(right)
        result = left % right
    else:  # lshift
        if ints:
            budget.allow("bits", left.bit_length() + right)
        result = left << right
    return budget.sized(result)


def safe_call(func: Any, *args: Any, **kwargs: Any) -> Any:
    """Every call is a step; ``str`` of a structure, ``join`` and ``replace`` are sized before
    they run, the result of any call after."""
    budget = current()
    budget.tick()
    if func is str and args:
        budget.weigh(args[0])
    owner, name = getattr(func, "__self__", None), getattr(func, "__name__", "")
    if isinstance(owner, str | bytes):
        if name == "join" and args and isinstance(args[0], list | tuple):
            parts = args[0]
            budget.allow("chars", sum(len(p) for p in parts if isinstance(p, str | bytes)) + len(owner) * len(parts))
        elif name == "replace" and len(args) >= 2:
            old, new = args[0], args[1]
            budget.allow("chars", len(owner) + (owner.count(old) + (1 if not old else 0)) * len(new))
    return budget.sized(func(*args, **kwargs))


_CONVERSIONS: dict[int, Callable[[Any], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}


def safe_format(value: Any, conversion: int, spec: str) -> str:
    """An f-string field: its width and precision are sized before formatting."""
    limit = current().limits.value_bytes
    if any(int(n) > limit for n in re.findall(r"\d+", spec)):
        raise BudgetExceeded(f"độ rộng định dạng quá lớn (tối đa {limit})")
    current().weigh(value)
    if conversion != -1:
        value = _CONVERSIONS[conversion](value)
    return str(current().sized(format(value, spec)))


def safe_slice(value: Any) -> Any:
    return current().sized(value)


def safe_sum(values: Iterable[Any], start: Any = 0) -> Any:
    total = start
    for value in values:
        total = safe_op("add", total, value)
    return total

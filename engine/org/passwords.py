"""The password policy, the one place that owns it: wherever a person sets a password (their
own change, an administrator's new account or reset), it is at least 12 characters, not a
common password nor a common one with digits and signs added, and not the username. The
seeded demo accounts (engine/demo.py) are not set by a person and keep the README's password."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

MIN_LENGTH = 12
MAX_LENGTH = 256  # scrypt hashes any length; this only bounds the work of one request
_LIST = Path(__file__).with_name("common_passwords.txt")


@cache
def _common() -> frozenset[str]:
    lines = _LIST.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def problem(password: str, username: str) -> str | None:
    """What is wrong with this password (Vietnamese, for the form), or None."""
    if len(password) < MIN_LENGTH:
        return f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự."
    if len(password) > MAX_LENGTH:
        return f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự."
    lowered = password.lower()
    if username and username.lower() in lowered:
        return "Mật khẩu không được chứa tên đăng nhập."
    letters = re.sub(r"[\W\d_]", "", lowered)
    if lowered in _common() or letters in _common() or len(set(lowered)) < 4:
        return "Mật khẩu quá phổ biến, dễ bị đoán; hãy chọn một cụm từ riêng của bạn."
    return None

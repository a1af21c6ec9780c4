"""Vietnamese text folded for search: lower case, no diacritics, "đ" as "d", so that
"quyet dinh tiem chung" finds "Quyết định tiêm chủng"."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[0-9a-z]+")


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(c for c in decomposed if unicodedata.category(c) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))

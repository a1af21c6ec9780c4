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


def search_words(text: str) -> str:
    """What ``documents.search_text`` holds: the folded words of ``text`` between single spaces,
    with one at each end, so that a term's words in order are found as `` w1 w2 `` in it and the
    beginning of a word as `` w1`` — the same words the full-text indexes see."""
    found = words(text)
    return f" {' '.join(found)} " if found else ""

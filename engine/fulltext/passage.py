"""The passage of a document's text where a search query's words are, for the results list:
the text is folded one character at a time (engine.documents.textfold's rules), so that a match in the
folded text points back at the original, with its diacritics."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

WIDTH = 90  # characters of context on each side


@dataclass(frozen=True)
class Passage:
    before: str
    match: str
    after: str


def _fold_char(c: str) -> str:
    if c in "đĐ":
        return "d"
    return "".join(x for x in unicodedata.normalize("NFD", c) if unicodedata.category(x) != "Mn").lower()


def _folded(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, its position in ``text``."""
    chars: list[str] = []
    origin: list[int] = []
    for i, c in enumerate(text):
        for f in _fold_char(c):
            chars.append(f)
            origin.append(i)
    return "".join(chars), origin


def _pattern(words: tuple[str, ...], prefix: bool) -> str:
    return r"(?<![0-9a-z])" + r"[^0-9a-z]+".join(map(re.escape, words)) + ("" if prefix else r"(?![0-9a-z])")


def find(text: str, terms: tuple[tuple[str, ...], ...], prefix: bool) -> Passage | None:
    """Where the query's words are in ``text``, with their context: the whole query as a phrase
    if it is one there, else its first term found; None if none is (the document matched on its
    metadata alone, or its text holds the terms only as parts of other words)."""
    if not text or not terms:
        return None
    folded, origin = _folded(text)
    phrase = tuple(w for words in terms for w in words)
    candidates = [(phrase, prefix)] + [(words, prefix and i == len(terms) - 1) for i, words in enumerate(terms)]
    for words, open_end in candidates:
        found = re.search(_pattern(words, open_end), folded)
        if found is None:
            continue
        start, end = origin[found.start()], origin[found.end() - 1] + 1
        left, right = max(0, start - WIDTH), min(len(text), end + WIDTH)
        before = ("…" if left else "") + " ".join(text[left:start].split())
        after = " ".join(text[end:right].split()) + ("…" if right < len(text) else "")
        gap_before = " " if before and text[start - 1].isspace() else ""
        gap_after = " " if after and text[end:end + 1].isspace() else ""
        return Passage(before + gap_before, text[start:end], gap_after + after)
    return None

"""An uploaded file's name, made safe once when it is stored: it is shown on pages, sent back
in ``Content-Disposition`` and used as a member name of the audit dossier's ZIP, so it is in
NFC, has no control characters (a CR/LF once made every download of its file answer 500), no
path separators or dot segments (``../../x.pdf`` in a dossier) and at most 255 characters."""

from __future__ import annotations

import unicodedata

MAX_LENGTH = 255
FALLBACK = "tep.pdf"
_UNSAFE = {"/", "\\", ":"}  # separators of POSIX, Windows and old macOS paths


def safe(name: str) -> str:
    name = unicodedata.normalize("NFC", name)
    kept = "".join("_" if c in _UNSAFE else c for c in name if unicodedata.category(c)[0] != "C")
    kept = " ".join(kept.split()).lstrip(". ")  # no hidden file, no "..", no edge spaces
    if len(kept) > MAX_LENGTH:
        stem, dot, ext = kept.rpartition(".")
        kept = (stem[: MAX_LENGTH - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else kept[:MAX_LENGTH]
    return kept or FALLBACK

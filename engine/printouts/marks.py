"""The mark of one printout (dấu bản in): issued in a short transaction of its own before the
PDF is drawn, so the code on the paper always finds its row."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.clock import VIETNAM
from engine.core.db import Database
from engine.models import Agency, Printout, User

SYSTEM_NAME = "Hệ thống quản lý văn bản và điều hành"
KINDS = ("document", "register", "record", "statistics")
# Crockford's base32 without I, L, O, U: read off paper and typed by hand without mix-ups.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_MISREAD = str.maketrans("OIL", "011")  # letters a reader types for the digits they look like
_LENGTH = 12  # 60 bits: a code cannot be guessed, so the lookup needs no login


@dataclass(frozen=True)
class PrintMark:
    """What the footer of every printed page says."""

    code: str
    url: str  # the public lookup page of the code, also in the QR code
    agency: str
    printed_by: str
    printed_at: datetime

    def lines(self) -> tuple[str, str]:
        when = self.printed_at.astimezone(VIETNAM).strftime("%H:%M ngày %d/%m/%Y")
        return (f"Bản in từ văn bản điện tử – {SYSTEM_NAME} – {self.agency}",
                f"In lúc {when}, người in: {self.printed_by} – Mã tra cứu: {grouped(self.code)} – {self.url}")


def grouped(code: str) -> str:
    """The code as printed, in groups of four (ABCD-EFGH-JKMN)."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))


def normalized(typed: str) -> str | None:
    """A code as a reader types it (lower case, dashes, spaces, O for 0, I/L for 1), or None if
    it cannot be one."""
    code = typed.strip().upper().replace("-", "").replace(" ", "")
    code = code.translate(_MISREAD)
    if len(code) != _LENGTH or any(c not in _ALPHABET for c in code):
        return None
    return code


def issue(session: Session, *, agency_id: int, user_id: int, kind: str, title: str, document_id: int | None,
          lookup_url: Callable[[str], str], now: datetime) -> PrintMark:
    """Records one printout by ``user_id`` of what ``agency_id`` owns, audited; its mark."""
    if kind not in KINDS:
        raise ValueError(kind)
    code = "".join(secrets.choice(_ALPHABET) for _ in range(_LENGTH))
    session.add(Printout(code=code, agency_id=agency_id, kind=kind, title=title[:300], document_id=document_id,
                         printed_by=user_id, printed_at=now))
    audit.append(session, at=now, action="printout_issued", actor_id=user_id,
                 payload={"code": code, "kind": kind, "agency_id": agency_id, "document_id": document_id,
                          "title": title[:300]})
    agency = session.scalars(select(Agency.name).where(Agency.id == agency_id)).one()
    person = session.scalars(select(User.full_name).where(User.id == user_id)).one()
    return PrintMark(code=code, url=lookup_url(code), agency=agency, printed_by=person, printed_at=now)


# (agency_id, kind, title, document_id) -> the mark of the printout just recorded
Stamper = Callable[[int, str, str, int | None], PrintMark]


def stamper(db: Database, user_id: int, lookup_url: Callable[[str], str], now: datetime) -> Stamper:
    """Issues marks for ``user_id``'s printouts, each in a short write transaction of its own:
    the PDF is drawn after it, outside any lock, and a code on paper always has its row."""
    def stamp(agency_id: int, kind: str, title: str, document_id: int | None) -> PrintMark:
        with db.write() as session:
            return issue(session, agency_id=agency_id, user_id=user_id, kind=kind, title=title,
                         document_id=document_id, lookup_url=lookup_url, now=now)
    return stamp

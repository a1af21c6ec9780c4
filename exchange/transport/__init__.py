"""How a package reaches a partner: one small interface, two transports.

``http`` POSTs the signed package to the partner installation's exchange endpoint
(``/api/v1/exchange/edxml``), authenticated by an HMAC of a secret shared with that partner
(:mod:`exchange.transport.auth`); ``folder`` drops it in the partner's folder for an adapter to a
provincial platform to carry, and picks up what the adapter left in the inbox folder."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from engine.models import Partner


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt: ``delivered`` (the partner took it, ``answer`` is what it
    said), or not, then ``retry`` says whether trying again may help (a refusal will not)."""

    delivered: bool
    retry: bool = False
    error: str = ""
    answer: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Envelope:
    """A package and who it is from and to (the transports need no more)."""

    sender_organ: str
    recipient_organ: str
    package: bytes
    name: str  # unique per outbox item, for a file name


class Transport(Protocol):
    def send(self, partner: Partner, envelope: Envelope) -> Outcome: ...


def for_partner(partner: Partner, pki_dir: Path) -> Transport:
    from .folder import FolderTransport
    from .http import HttpTransport

    if partner.transport == "http":
        return HttpTransport(pki_dir)
    return FolderTransport()

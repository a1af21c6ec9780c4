"""The interface of a remote signing service and what passes through it."""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from enum import StrEnum

from asn1crypto import algos


class Kind(StrEnum):
    CSC = "csc"  # Cloud Signature Consortium API v1
    APPROVAL = "approval"  # approval in the phone app, outcome polled


@dataclass(frozen=True)
class ProviderConfig:
    """An agency's settings for one service. ``secret`` (the client secret, sp_password) is given
    to the adapter only; it is never in a ``repr``, a log or an audit entry."""

    kind: Kind
    endpoint: str  # the base URL, e.g. https://rs.example.vn (CSC: the part before /csc/v1)
    client_id: str
    secret: str = field(repr=False)
    timeout_seconds: int = 180  # how long the signer has to approve on the phone


@dataclass(frozen=True)
class Credential:
    """The signer's key at the service: its id there, its certificate and CA certificates (DER)."""

    credential_id: str
    certificate: bytes
    chain: tuple[bytes, ...] = ()


class State(StrEnum):
    WAITING = "waiting"  # sent, the signer has not answered yet
    SIGNED = "signed"
    REJECTED = "rejected"  # the signer refused on the phone
    EXPIRED = "expired"
    FAILED = "failed"


@dataclass(frozen=True)
class Outcome:
    state: State
    signature: bytes | None = None  # the raw signature value once SIGNED
    message: str | None = None  # the service's reason, in Vietnamese where we could say it


@dataclass(frozen=True)
class Submitted:
    """The service's reference for the request, and its outcome if it answered at once (CSC)."""

    reference: str
    outcome: Outcome


def digest(data: bytes) -> bytes:
    """The hash the service signs: SHA-256 of the CMS signed attributes (never SHA-1)."""
    return hashlib.sha256(data).digest()


class Provider(ABC):
    """One remote signing service, as an agency configured it."""

    # Whether :meth:`submit` waits for the signer's answer (a CSC authorize waiting for the phone)
    # rather than returning a reference to poll: the caller then submits in the background.
    answers_in_call = False

    def __init__(self, config: ProviderConfig) -> None:
        self.config = config

    @abstractmethod
    def credential(self, account: str) -> Credential:
        """The signing credential of ``account`` (the signer's user id at the service)."""

    @abstractmethod
    def submit(self, account: str, credential: Credential, data: bytes, mechanism: algos.SignedDigestAlgorithm,
               label: str, activation: str | None) -> Submitted:
        """Ask for a signature over ``data`` (its SHA-256 is sent) with ``mechanism``; ``label``
        is what the phone shows; ``activation`` a PIN or OTP the signer typed, used once."""

    @abstractmethod
    def poll(self, reference: str) -> Outcome:
        """Where the request ``reference`` stands now."""

    @abstractmethod
    def cancel(self, reference: str) -> None:
        """Withdraw the request (best effort: the service may have answered already)."""

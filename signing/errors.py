"""The errors of the signing package: each carries a Vietnamese message a user can read."""

from __future__ import annotations


class SigningError(Exception):
    """A signing step could not be done; ``str(err)`` is the Vietnamese message for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class WrongSecret(SigningError):
    """A wrong PIN of a token or a wrong password of a PKCS#12 file."""


class KeyUnavailable(SigningError):
    """The key or its certificate cannot be found or read (missing file, token not plugged in, no such label)."""


class DocumentRejected(SigningError):
    """The PDF cannot be signed in its current state (unreadable, not prepared, already signed at that step)."""


class RequestRefused(SigningError):
    """A split-signing request the agent or the server will not honour (unknown, expired, replayed, malformed)."""

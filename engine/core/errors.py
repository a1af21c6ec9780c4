"""Domain errors; each entry point maps them to its own form (HTTP status, exit code)."""

from __future__ import annotations


class DomainError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Unauthorized(DomainError):
    status = 401


class InvalidData(DomainError):
    """Input that fails validation; ``fields`` maps a field name to its message."""

    status = 422

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class TooManyAttempts(DomainError):
    """Logins refused for a while after too many wrong passwords (engine/org/login_throttle.py)."""

    status = 429

"""My registered certificates in the JSON API, and their enrollment through the sign agent by an
official whose key lives only on a USB token (engine.signatures.certificates): the agent gives the
certificate, the page asks for an enrollment request, the holder signs it on the agent with their
PIN (that is their confirmation), and the signature proves the token holds the key."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint
from sqlalchemy.orm import Session

from engine.models import User
from engine.signatures import certificates, signatures

from ..common.context import signing_desk
from .util import authed, body

bp = Blueprint("certificates", __name__, url_prefix="/api/v1/me/certificates")


@bp.get("")
def listing() -> Any:
    """The certificates registered to me."""
    return authed(False, lambda s, u, now: {"items": [certificates.describe(c) for c in certificates.of_user(s, u.id)]})


@bp.post("/enrollment-request")
def enrollment_request() -> Any:
    """Given the token's certificate (base64 DER, as the sign agent gives it), the request the
    agent signs to enroll it for my account."""
    certificate = body().get("certificate")
    return authed(False, lambda s, u, now: certificates.enrollment_request(u, certificate, now), 201)


@bp.post("")
def enroll() -> Any:
    """Register the certificate: ``{"certificate", "request", "signature"}``, the request the
    agent signed and its signature."""
    given = body()
    keys = signing_desk(signatures.Credentials()).keys

    def action(session: Session, user: User, now: datetime) -> Any:
        return certificates.describe(certificates.enroll_with_token(session, keys, user, given, now))

    return authed(True, action, 201)

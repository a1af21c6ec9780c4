"""My registered certificates in the JSON API, and their enrollment through the sign agent by an
official whose key lives only on a USB token (engine.signatures.certificates): the agent gives the
certificate, the page asks for an enrollment request, the holder signs it on the agent with their
PIN (that is their confirmation), and the signature proves the token holds the key."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, ClassVar

from flask import Blueprint
from flask_babel import lazy_gettext as _l
from pydantic import Field
from sqlalchemy.orm import Session

from engine.models import User
from engine.signatures import certificates, signatures
from webui.api.util import authed
from webui.common.context import signing_desk
from webui.contract.route import api_route
from webui.contract.shapes import Body, Items

bp = Blueprint("certificates", __name__, url_prefix="/api/v1/me/certificates")

Base64 = Annotated[str, Field(max_length=65_536)]


class EnrollmentRequest(Body):
    messages: ClassVar[dict[str, Any]] = {"certificate": _l("Cần chứng thư số X.509 (DER, base64)."),
                                          "signature": _l("Cần chuỗi base64.")}
    certificate: Annotated[str, Field(max_length=65_536, description="base64 DER of the token's certificate")]


class Enrollment(EnrollmentRequest):
    request: dict[str, Any] = Field(description="the enrollment request the agent signed")
    signature: Base64


@api_route(bp, "", "GET", "Chứng thư số đã đăng ký cho tôi", response=Items)
def listing() -> Any:
    """The certificates registered to me."""
    return authed(False, lambda s, u, now: {"items": [certificates.describe(c) for c in certificates.of_user(s, u.id)]})


@api_route(bp, "/enrollment-request", "POST",
           "Tạo yêu cầu đăng ký chứng thư số cho phần mềm ký trên máy người dùng", body=EnrollmentRequest, status=201)
def enrollment_request(body: EnrollmentRequest) -> Any:
    """Given the token's certificate (base64 DER, as the sign agent gives it), the request the
    agent signs to enroll it for my account."""
    return authed(False, lambda s, u, now: certificates.enrollment_request(u, body.certificate, now), 201)


@api_route(bp, "", "POST", "Đăng ký chứng thư số trên thiết bị ký số của tôi (đã ký yêu cầu đăng ký)",
           body=Enrollment, status=201)
def enroll(body: Enrollment) -> Any:
    """Register the certificate: ``{"certificate", "request", "signature"}``, the request the
    agent signed and its signature."""
    given = body.model_dump()
    keys = signing_desk(signatures.Credentials()).keys

    def action(session: Session, user: User, now: datetime) -> Any:
        return certificates.describe(certificates.enroll_with_token(session, keys, user, given, now))

    return authed(True, action, 201)

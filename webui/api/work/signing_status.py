"""Before signing, in the JSON API: the status of the certificate the signer's key on the server
carries (OCSP, then CRL) and what the agency's policy makes of it, asked as the signing step opens
and before the password is sent (engine.signatures.before_signing opens its own short transaction;
none is open around it while the responders answer)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify

from engine.signatures import before_signing, signatures
from webui.api.util import current_user
from webui.api.work.workflow import Certificate
from webui.common.context import platform, signing_desk, transaction
from webui.contract.route import api_route
from webui.contract.shapes import Body

bp = Blueprint("api_signing_status", __name__, url_prefix="/api/v1")


@api_route(bp, "/tasks/<task_id>/signing-status", "GET",
           "Trạng thái chứng thư số của người ký trước khi ký (OCSP, CRL) và chính sách của cơ quan",
           errors=(401, 403, 404, 409, 422))
def signing_status(task_id: str) -> Any:
    """``refused``: signing would be refused (revoked, unknown to its CA, expired, or not checkable
    where the agency refuses then); ``warning``: it would be signed with this warning kept."""
    return _status(task_id, None)


class TokenCertificate(Body):
    certificate: Certificate


@api_route(bp, "/tasks/<task_id>/signing-status", "POST",
           "Trạng thái chứng thư số trên USB token của người ký trước khi nhập mã PIN (OCSP, CRL) và chính sách "
           "của cơ quan", body=TokenCertificate, errors=(401, 403, 404, 409, 422))
def token_signing_status(task_id: str, body: TokenCertificate) -> Any:
    """The same for the certificate a USB token holds (base64 DER, as the sign agent reads it),
    asked before the token's PIN is typed."""
    return _status(task_id, body.certificate)


def _status(task_id: str, token_certificate: str | None) -> Any:
    with transaction(False) as (session, now):
        user_id = current_user(session, now).id
    keys = signing_desk(signatures.Credentials()).keys
    return jsonify(before_signing.status(platform().db, keys, user_id, task_id, platform().clock.now(),
                                         token_certificate))

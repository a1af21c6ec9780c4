"""Split signing's second half in a task (ký bằng USB token): the request the holder's token
signed must be this task's, this person's and of the version still current, and is used up; the
caller embeds the value in the PDF prepared with it (the leader's B-LT, an approval's B-B).
Shared by the leader's signature and the approvals (ký nháy) of a circulation chain."""

from __future__ import annotations

import base64
import json

from cryptography import x509
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.models import PendingSignature, User, UserCertificate
from engine.signatures import binding
from signing.pades import split

FIELD = "signing"  # the form field signing problems are told beside, as in engine.signatures.signatures


def claim(session: Session, request_id: str, signature: str, task_id: str, user: User,
          source: str) -> tuple[split.PendingSignature, bytes, UserCertificate]:
    """The prepared request, the token's signature value and the signer's registered certificate;
    the request is used up."""
    pending = session.get(PendingSignature, request_id)
    if pending is None or pending.task_id != task_id or pending.user_id != user.id:
        raise InvalidData("Yêu cầu ký không tồn tại hoặc đã dùng.", {FIELD: "Hãy tạo yêu cầu ký mới."})
    if pending.source_sha256 != source:
        raise InvalidData("Tệp chính đã thay đổi sau khi tạo yêu cầu ký.", {FIELD: "Hãy ký lại."})
    try:
        value = base64.b64decode(signature, validate=True)
    except ValueError:
        raise InvalidData("Chữ ký số gửi lên không hợp lệ.", {FIELD: "Cần chuỗi base64."}) from None
    prepared = split.PendingSignature.from_json(json.loads(pending.payload))
    signer = binding.signer(session, user, x509.load_der_x509_certificate(prepared.certificate))
    session.delete(pending)  # one signature per request
    return prepared, value, signer

"""Split signing's second half in a task (ký bằng USB token): the request the holder's token
signed must be this task's, this person's and of the version still current (:func:`read`, before
the value is embedded outside any transaction: the leader's B-LT, an approval's B-B), and is used
up by the transaction that records the signature (:func:`use_up`).
Shared by the leader's signature and the approvals (ký nháy) of a circulation chain."""

from __future__ import annotations

import base64
import json

from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.models import PendingSignature, User
from signing.pades import split

FIELD = "signing"  # the form field signing problems are told beside, as in engine.signatures.signatures


def read(session: Session, request_id: str, signature: str, task_id: str, user: User,
         source: str) -> tuple[split.PendingSignature, bytes]:
    """The prepared request, once it is this task's, this person's and of ``source``, and the
    token's signature value."""
    pending = session.get(PendingSignature, request_id)
    if pending is None or pending.task_id != task_id or pending.user_id != user.id:
        raise InvalidData("Yêu cầu ký không tồn tại hoặc đã dùng.", {FIELD: "Hãy tạo yêu cầu ký mới."})
    if pending.source_sha256 != source:
        raise InvalidData("Tệp chính đã thay đổi sau khi tạo yêu cầu ký.", {FIELD: "Hãy ký lại."})
    try:
        value = base64.b64decode(signature, validate=True)
    except ValueError:
        raise InvalidData("Chữ ký số gửi lên không hợp lệ.", {FIELD: "Cần chuỗi base64."}) from None
    return split.PendingSignature.from_json(json.loads(pending.payload)), value


def use_up(session: Session, request_id: str, task_id: str, user: User, source: str) -> None:
    """One signature per request: the request is deleted with the signature's record, once it is
    still there (a second completion with the same value finds it gone)."""
    pending = session.get(PendingSignature, request_id)
    if pending is None or pending.task_id != task_id or pending.user_id != user.id:
        raise InvalidData("Yêu cầu ký không tồn tại hoặc đã dùng.", {FIELD: "Hãy tạo yêu cầu ký mới."})
    if pending.source_sha256 != source:
        raise InvalidData("Tệp chính đã thay đổi sau khi tạo yêu cầu ký.", {FIELD: "Hãy ký lại."})
    session.delete(pending)

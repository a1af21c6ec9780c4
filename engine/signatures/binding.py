"""What binds a signature to its case and its signer (engine.signatures.signatures asks): the leader signs the
version of the main file that was current when their task opened, with a certificate registered
to them that can sign documents; the clerk issues the version the leader signed in this case."""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from sqlalchemy.orm import Session

from engine.core.errors import InvalidData
from engine.documents import file_versions
from engine.models import Document, DocumentFile, FileVersion, HumanTask, User, UserCertificate
from engine.signatures import certificates
from signing.pades import longterm, verify

_FIELD = "signing"


def version_to_sign(session: Session, doc: Document, main: DocumentFile, task_id: str) -> str:
    """The hash of the main file the leader may sign: the version current when their task opened,
    still current now."""
    task = session.get(HumanTask, task_id)
    opened = file_versions.as_of(session, doc.id, task.created_at) if task is not None else None
    current = file_versions.current(session, doc.id)
    if opened is None or current is None or opened.id != current.id or current.sha256 != main.sha256:
        message = ("Tệp chính của văn bản đã thay đổi sau khi văn bản được trình ký: lãnh đạo chỉ ký phiên bản "
                   "đã trình. Hãy trả lại để trình lại.")
        raise InvalidData(message, {"file": message})
    return main.sha256


def signer(session: Session, user: User, cert: x509.Certificate) -> UserCertificate:
    """The registration of the certificate a leader signs with: one that can sign documents (its
    key usage, named as such) and is theirs."""
    problem = verify.key_usage_problem(cert)
    if problem:
        raise InvalidData(problem, {_FIELD: problem})
    return certificates.owned(session, user, cert)


@dataclass(frozen=True)
class Presigned:
    """A leader's signature (or approval) made before the transaction that records it, with its
    status check, time-stamp and verification done then too: while no transaction was open
    (engine.signatures.jobs), or while a phone's service answered (ký số từ xa)."""

    task_id: str
    user_id: int
    source_sha256: str  # the main file it was made on
    certificate: bytes  # DER
    pdf: bytes
    reports: tuple[verify.SignatureReport, ...]
    checked: longterm.Signed | None = None  # a B-LT signature's status check and level, kept as evidence
    request_id: str | None = None  # a USB token's split-signing request, used up when recorded
    field: str = "LanhDao"  # the field it filled (signing.pdf.draft.LEADER_FIELD, or an approval's)


def presigned_signer(session: Session, presigned: Presigned, user: User, task_id: str,
                     source: str) -> UserCertificate:
    """The registration of a presigned signature's certificate, once it is this leader's, for this
    task, made on the version still current: the case has not moved since it was prepared."""
    if presigned.task_id != task_id or presigned.user_id != user.id:
        raise InvalidData("Chữ ký số này không thuộc công việc của bạn.", {_FIELD: "Hãy ký lại."})
    if presigned.source_sha256 != source:
        raise InvalidData("Tệp chính đã thay đổi sau khi gửi yêu cầu ký.", {_FIELD: "Hãy ký lại."})
    return signer(session, user, x509.load_der_x509_certificate(presigned.certificate))


def require_leader_signed(session: Session, doc: Document, main: DocumentFile) -> None:
    """The file issued is the version the leader signed, as the chain recorded it, signed with a
    certificate registered to them: not a file signed for another case or by another person. The
    approvals signed before it in a circulation chain (ký nháy) are bound the same way."""
    signed = file_versions.leader_signed(session, doc.id)
    bound = signed is not None and signed.sha256 == main.sha256
    if bound and signed is not None:
        bound = all(_registered_to_signer(session, v) for v in file_versions.signed_since_upload(session, signed))
    if not bound:
        message = ("Không phát hành được: tệp chính không phải bản lãnh đạo đã ký số trong hồ sơ này. "
                   "Hãy trả lại để trình ký lại.")
        raise InvalidData(message, {_FIELD: message})


def _registered_to_signer(session: Session, version: FileVersion) -> bool:
    if version.certificate_id is None:  # signed before 0014
        return True
    registration = session.get(UserCertificate, version.certificate_id)
    return registration is not None and registration.user_id == version.user_id

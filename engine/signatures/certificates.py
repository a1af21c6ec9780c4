"""People's registered certificates: a leader's signature counts only when made with a certificate
registered to the person who takes the decision. An administrator registers one from a certificate
file (engine.org.key_files), an official whose key lives only on a USB token registers theirs through
the sign agent, proving they hold the key (no key is uploaded), and the demo seed registers the demo
leaders' (engine.demo). Registration checks what a signature would: validity, key usage, a path to
the trust roots."""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData, Text
from engine.models import User, UserCertificate
from signing.errors import SigningError
from signing.pades import split, verify

if TYPE_CHECKING:  # engine.signatures.signatures asks this module whose a certificate is
    from engine.signatures.signatures import Keys

_FIELD = "certificate"


def spki_sha256(cert: x509.Certificate) -> str:
    return hashlib.sha256(cert.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)).hexdigest()


def subject_name(cert: x509.Certificate) -> str:
    """The subject's common name, as "Ký bởi" prints it (its full name when it has none)."""
    names = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def load(der_or_b64: bytes | str) -> x509.Certificate:
    """A certificate given as DER or as base64 of DER (the sign agent's form)."""
    try:
        der = base64.b64decode(der_or_b64, validate=True) if isinstance(der_or_b64, str) else der_or_b64
        return x509.load_der_x509_certificate(der)
    except ValueError:
        raise InvalidData("Chứng thư số không hợp lệ.", {_FIELD: "Cần chứng thư số X.509 (DER, base64)."}) from None


MAX_CERTIFICATE_BYTES = 16 * 1024


def register_file(session: Session, keys: Keys, admin_id: int, target: User, data: bytes,
                  now: datetime) -> UserCertificate:
    """An administrator registers a certificate file (.cer/.crt, DER or PEM) to ``target``: for an
    official whose key lives on a token, no key is installed."""
    field = "cer"
    if not data:
        raise InvalidData("Chưa chọn tệp chứng thư số.", {field: "Chọn tệp .cer, .crt hoặc .pem."})
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise InvalidData("Tệp chứng thư số quá lớn.",
                          {field: Text("Tối đa %(n)s KB.", n=MAX_CERTIFICATE_BYTES // 1024)})
    try:
        cert = x509.load_pem_x509_certificate(data) if b"-----BEGIN" in data else x509.load_der_x509_certificate(data)
    except ValueError:
        raise InvalidData("Tệp không phải chứng thư số X.509.", {field: "Cần tệp .cer, .crt hoặc .pem."}) from None
    return register(session, keys, target, cert, "admin", admin_id, now, field=field)


def describe(row: UserCertificate) -> dict[str, Any]:
    return {"id": row.id, "subject": row.subject, "subject_name": row.subject_name, "issuer": row.issuer,
            "serial": row.serial, "spki_sha256": row.spki_sha256, "not_before": row.not_before.isoformat(),
            "not_after": row.not_after.isoformat(), "source": row.source}


def of_user(session: Session, user_id: int) -> list[UserCertificate]:
    return list(session.scalars(select(UserCertificate).where(UserCertificate.user_id == user_id)
                                .order_by(UserCertificate.id)))


def register(session: Session, keys: Keys, target: User, cert: x509.Certificate, source: str,
             enrolled_by: int | None, now: datetime, chain: tuple[x509.Certificate, ...] = (),
             field: str = _FIELD) -> UserCertificate:
    """Register ``cert`` to ``target`` once it could sign documents today; a key already
    registered to someone else is refused (one key, one person)."""
    problem = verify.certificate_problem(cert, chain or keys.intermediates(), keys.trust_roots(), now)
    if problem:
        raise InvalidData(problem, {field: problem})
    spki = spki_sha256(cert)
    row = session.scalar(select(UserCertificate).where(UserCertificate.spki_sha256 == spki))
    if row is not None and row.user_id != target.id:
        owner = session.get(User, row.user_id)
        message = Text("Chứng thư số này đã được đăng ký cho %(person)s.",
                       person=owner.full_name if owner else Text("người khác"))
        raise InvalidData(message, {field: message})
    if row is None:
        row = UserCertificate(user_id=target.id, spki_sha256=spki, enrolled_at=now)
        session.add(row)
    row.subject, row.subject_name = cert.subject.rfc4514_string()[:500], subject_name(cert)[:255]
    row.issuer, row.serial = cert.issuer.rfc4514_string()[:500], format(cert.serial_number, "X")
    row.not_before, row.not_after = cert.not_valid_before_utc, cert.not_valid_after_utc
    row.source, row.enrolled_by = source, enrolled_by
    target.has_certificate = True
    session.flush()
    audit.append(session, at=now, action="certificate_registered", actor_id=enrolled_by,
                 payload={"user_id": target.id, "source": source, **{k: v for k, v in describe(row).items()
                                                                      if k != "id"}})
    return row


def owned(session: Session, user: User, cert: x509.Certificate) -> UserCertificate:
    """The registration of ``cert`` to ``user``, who takes the decision; refused, naming both the
    account's person and the certificate's subject, when it is not theirs."""
    spki = spki_sha256(cert)
    row = session.scalar(select(UserCertificate).where(UserCertificate.spki_sha256 == spki,
                                                       UserCertificate.user_id == user.id))
    if row is None or row.issuer != cert.issuer.rfc4514_string()[:500] or row.serial != format(cert.serial_number, "X"):
        message = Text("Chứng thư số của %(subject)s chưa được đăng ký cho tài khoản %(person)s: "
                       "%(person)s chỉ ký được bằng chứng thư số của mình.",
                       subject=subject_name(cert), person=user.full_name)
        raise InvalidData(message, {"signing": message})
    return row


def enrollment_text(user: User, cert: x509.Certificate) -> bytes:
    """What a token signs to prove that its holder enrolls its certificate for this account."""
    return f"QLVB: đăng ký chứng thư số {spki_sha256(cert)} cho tài khoản {user.username}".encode()


def enrollment_request(user: User, certificate: Any, now: datetime) -> dict[str, Any]:
    """The request the sign agent signs: the holder sees the label and types their PIN."""
    cert = load(str(certificate))
    problem = verify.key_usage_problem(cert)
    if problem:
        raise InvalidData(problem, {_FIELD: problem})
    request = split.challenge(cert.public_bytes(Encoding.DER), enrollment_text(user, cert),
                              f"Đăng ký chứng thư số của {subject_name(cert)} cho tài khoản {user.full_name}", now)
    return request.to_json()


def enroll_with_token(session: Session, keys: Keys, user: User, given: Any, now: datetime) -> UserCertificate:
    """The official's own enrollment: the certificate, the request the agent signed and its
    signature; registered when the signature proves the token holds the certificate's key."""
    if not isinstance(given, dict) or not all(isinstance(given.get(k), str) for k in ("certificate", "signature")) \
            or not isinstance(given.get("request"), dict):
        raise InvalidData("Thông tin đăng ký không hợp lệ.", {_FIELD: "Cần certificate, request và signature."})
    cert = load(given["certificate"])
    try:
        signature = base64.b64decode(given["signature"], validate=True)
        split.check_challenge(cert.public_bytes(Encoding.DER), split.SigningRequest.from_json(given["request"]),
                              enrollment_text(user, cert), signature, now)
    except ValueError:
        raise InvalidData("Chữ ký gửi lên không hợp lệ.", {"signature": "Cần chuỗi base64."}) from None
    except SigningError as err:
        raise InvalidData(err.message, {"signature": err.message}) from None
    return register(session, keys, user, cert, "agent", user.id, now)

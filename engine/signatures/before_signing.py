"""The signer's certificate checked as their signing step opens (Circular 15/2025/TT-BKHCN Art. 5,
Appendix I 1.16–1.18; Decree 23/2025/NĐ-CP Art. 15: the signer checks the status before signing),
so that a revoked certificate, or responders that do not answer, are said before the password is
typed, with what the agency's policy will do: refuse, or sign with the warning kept.

The certificate is the one of the key the server keeps for them (``people/<username>.pem``), or
the one a USB token holds, as the sign agent on their computer hands it to the page once they
choose the token (before the agent asks for the PIN); a remote service's is checked before the
hash reaches the phone. The same check runs again when the signature is made, whose answer is the
one that counts. The task is read in a short transaction; OCSP and CRL are asked outside it.
"""

from __future__ import annotations

import base64
from datetime import datetime
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from engine.core.db import Database
from engine.core.errors import InvalidData, NotFound
from engine.models import User
from engine.signatures import long_term
from engine.signatures.keys import Keys
from engine.workflow import cases
from signing.keystore.keys import to_asn1
from signing.pades import longterm, revocation
from signing.pades.revocation import Status, UnreachablePolicy

_NOT_CHECKED = {"checked": False, "status": None, "source": None, "message": None, "refused": False,
                "warning": None}


def _held_certificate(keys: Keys, username: str) -> tuple[bytes, tuple[bytes, ...]] | None:
    """The certificate of the key kept for ``username`` and the CA certificates the file holds."""
    path = keys.person_file(username, ".pem")
    if not path.is_file():
        return None
    found = [c.public_bytes(Encoding.DER) for c in x509.load_pem_x509_certificates(path.read_bytes())]
    return found[0], tuple(found[1:])


def _outcome(check: revocation.StatusCheck, certificate: x509.Certificate, policy: UnreachablePolicy,
             now: datetime) -> dict[str, Any]:
    """What the page shows: a refusal the signature would meet, or the warning it would carry."""
    expired = not certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc
    refused = check.status in (Status.REVOKED, Status.UNKNOWN) or (check.status == Status.INVALID and expired) \
        or (check.status == Status.UNREACHABLE and policy == UnreachablePolicy.REFUSE)
    message = check.message
    if check.status == Status.UNREACHABLE:
        message = f"{check.message} {longterm.unreachable_consequence(policy)}"
    elif check.status == Status.INVALID and not expired:
        # no path to a trusted root from what the server holds without the key's password (the
        # certificate file has no CA certificates): the signature's own check, with its chain, decides
        message = None
    return {"checked": True, "status": check.status.value, "source": check.source, "message": message,
            "refused": refused, "warning": message if message and not refused else None}


def _token_certificate(given: str) -> tuple[bytes, tuple[bytes, ...]]:
    try:
        der = base64.b64decode(given, validate=True)
        x509.load_der_x509_certificate(der)
    except ValueError:
        raise InvalidData("Chứng thư số không hợp lệ.", {"certificate": "Chứng thư số không hợp lệ."}) from None
    return der, ()


def status(db: Database, keys: Keys, user_id: int, task_id: str, now: datetime,
           token_certificate: str | None = None) -> dict[str, Any]:
    """The status of the certificate ``user_id`` would sign ``task_id`` with (the key's on the
    server, or ``token_certificate``: base64 DER, as the sign agent reads it from a USB token),
    and the agency's policy: ``refused`` (the page disables the password), ``warning``,
    ``message`` in Vietnamese."""
    with db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Không tìm thấy người dùng.")
        _row, doc, props = cases.signing_task(session, user, task_id, now)  # the permission first
        policy = long_term.policy(session, keys, doc.agency_id)
        username = user.username
    base = {**_NOT_CHECKED, "policy": policy.settings.unreachable.value}
    held = _token_certificate(token_certificate) if token_certificate is not None else \
        _held_certificate(keys, username)
    if held is None or props.get("signatureMode") == "paper":
        return base
    certificate_der, chain = held
    intermediates = [to_asn1(c) for c in chain] + [to_asn1(c) for c in policy.keys.intermediates()]
    check = longterm.status_of(to_asn1(certificate_der), intermediates, policy.roots(), policy.settings, now)
    certificate = x509.load_der_x509_certificate(certificate_der)
    return {**base, **_outcome(check, certificate, policy.settings.unreachable, now),
            "certificate": {"subject": certificate.subject.rfc4514_string(),
                            "not_after": certificate.not_valid_after_utc.isoformat()}}

"""Chứng thư số và ảnh chữ ký: an administrator installs a person's PKCS#12 key with their
signature image, and the agency's seal image, where ``signatures.Keys`` reads them when a
document is signed. A key is accepted only if it opens with the password given and its
certificate could sign documents today under the configured trust roots (key usage included);
its certificate is then registered to the person. The password is used to check it and is never
stored. The certificate is kept beside the key in PEM, so that its
subject, issuer and validity can be shown without the password.
"""

from __future__ import annotations

import io
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from engine.audit import chain as audit
from engine.core.errors import InvalidData, Text
from engine.models import User
from engine.signatures import certificates
from engine.signatures.signatures import Keys
from signing.errors import SigningError
from signing.keystore.keys import Pkcs12Key

MAX_KEY_BYTES = 64 * 1024  # a PKCS#12 file with its chain is a few kilobytes
MAX_IMAGE_BYTES = 1024 * 1024
# (min width, min height, max width, max height) in pixels, for a clear print at 300 dpi.
SIGNATURE_SIZE = (120, 40, 2400, 1200)
SEAL_SIZE = (150, 150, 2400, 2400)


def _write(path: Path, data: bytes) -> None:
    """Replace the file whole, never half written: a signer reading it sees the old or the new."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".part")
    partial.write_bytes(data)
    partial.chmod(0o600)
    os.replace(partial, path)


def describe(cert: x509.Certificate) -> dict[str, Any]:
    return {"subject": cert.subject.rfc4514_string(), "issuer": cert.issuer.rfc4514_string(),
            "serial": format(cert.serial_number, "X"), "not_before": cert.not_valid_before_utc.isoformat(),
            "not_after": cert.not_valid_after_utc.isoformat()}


def certificate(keys: Keys, username: str) -> dict[str, Any] | None:
    """The installed certificate of a person, None if none was installed from these pages."""
    path = keys.person_file(username, ".pem")
    return describe(x509.load_pem_x509_certificate(path.read_bytes())) if path.is_file() else None


def has_image(keys: Keys, username: str) -> bool:
    return keys.person_file(username, ".png").is_file()


def has_seal(keys: Keys, code: str) -> bool:
    return keys.agency_file(code, ".png").is_file()


def _opened(data: bytes, password: str) -> Pkcs12Key:
    """The key of a PKCS#12 file that opens with ``password``; InvalidData otherwise."""
    if not data:
        raise InvalidData("Chưa chọn tệp chứng thư số.", {"p12": "Chọn tệp .p12 hoặc .pfx."})
    if len(data) > MAX_KEY_BYTES:
        raise InvalidData("Tệp chứng thư số quá lớn.", {"p12": Text("Tối đa %(n)s KB.", n=MAX_KEY_BYTES // 1024)})
    try:
        return Pkcs12Key(data, password)
    except SigningError as err:
        raise InvalidData(err.message, {"password": err.message}) from None


def save_key(session: Session, keys: Keys, admin_id: int, agency_id: int, target: User, data: bytes, password: str,
             now: datetime) -> dict[str, Any]:
    """Install ``target``'s key: checked (it may sign documents today), its certificate registered
    to them (engine.signatures.certificates), stored, and audited with the certificate's names and validity."""
    source = _opened(data, password)
    cert = x509.load_der_x509_certificate(source.certificate.dump())
    chain = tuple(x509.load_der_x509_certificate(c.dump()) for c in source.chain)
    certificates.register(session, keys, target, cert, "admin", admin_id, now, chain, field="p12")
    info = describe(cert)
    audit.append(session, at=now, action="certificate_installed", actor_id=admin_id,
                 payload={"agency_id": agency_id, "user_id": target.id, **info})
    _write(keys.person_file(target.username, ".p12"), data)
    # with its CA certificates: the status is checked before the password is typed (before_signing)
    _write(keys.person_file(target.username, ".pem"), b"".join(c.public_bytes(Encoding.PEM) for c in (cert, *chain)))
    return info


def _png(data: bytes, limits: tuple[int, int, int, int], field: str) -> bytes:
    if not data:
        raise InvalidData("Chưa chọn ảnh.", {field: "Chọn một ảnh PNG."})
    if len(data) > MAX_IMAGE_BYTES:
        raise InvalidData("Ảnh quá lớn.", {field: Text("Tối đa %(n)s KB.", n=MAX_IMAGE_BYTES // 1024)})
    try:
        with Image.open(io.BytesIO(data)) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError):
        kind, width, height = None, 0, 0
    if kind != "PNG":
        raise InvalidData("Ảnh phải ở định dạng PNG.", {field: "Chỉ nhận ảnh PNG (nền trong suốt)."})
    low_w, low_h, high_w, high_h = limits
    if not (low_w <= width <= high_w and low_h <= height <= high_h):
        message = Text("Kích thước ảnh cần từ %(low_w)s×%(low_h)s đến %(high_w)s×%(high_h)s điểm ảnh "
                       "(ảnh này %(width)s×%(height)s).",
                       low_w=low_w, low_h=low_h, high_w=high_w, high_h=high_h, width=width, height=height)
        raise InvalidData(message, {field: message})
    return data


def save_signature_image(session: Session, keys: Keys, admin_id: int, agency_id: int, target: User, data: bytes,
                         now: datetime) -> None:
    _png(data, SIGNATURE_SIZE, "image")
    audit.append(session, at=now, action="signature_image_installed", actor_id=admin_id,
                 payload={"agency_id": agency_id, "user_id": target.id, "bytes": len(data)})
    _write(keys.person_file(target.username, ".png"), data)


def save_seal(session: Session, keys: Keys, admin_id: int, agency_id: int, code: str, data: bytes,
              now: datetime) -> None:
    """Ảnh con dấu of the agency, stamped beside its signature on what it issues."""
    _png(data, SEAL_SIZE, "seal")
    audit.append(session, at=now, action="seal_image_installed", actor_id=admin_id,
                 payload={"agency_id": agency_id, "bytes": len(data)})
    _write(keys.agency_file(code, ".png"), data)

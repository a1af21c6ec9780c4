"""Receiving a package: authenticate the sender, validate the package with the edXML library,
store its files, then import it in one transaction (:mod:`exchange.importing`).

Nothing is stored before the library has accepted the package (structure against the XSD,
namespace, sizes, attachment hashes, the XML signature against the certificate the sender's
directory entry holds); a refusal is answered with status 02 and its Vietnamese reason, and
audited (``exchange_refused``) with nothing else written. The crypto, the files and the
signature check of the PDF all run outside the write transaction."""

from __future__ import annotations

import hashlib
import io
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from engine.audit import chain as audit
from engine.core.config import Settings
from engine.core.errors import DomainError
from engine.core.platform import Platform
from engine.documents import pdf_check
from engine.documents.storage import FileStore
from engine.models import Agency, Partner
from engine.registry import intake
from engine.signatures import signatures

from . import directory, importing, statuses
from .importing import Answer, Refused, Stored
from .received import Incoming, StatusIn
from .transport import auth

# The library's parse: the package's bytes, the sender's certificate (PEM) and the size limit in,
# a document or a status out; raises importing.Refused (the library's refusal, mapped by the codec).
Parse = Callable[[bytes, str, int], "Incoming | StatusIn"]

PACKAGE_ROOM = 1024 * 1024  # the XML around the files: metadata, manifest, signature


HEADERS = (auth.FROM, auth.TO, auth.TIMESTAMP, auth.SIGNATURE)  # what the endpoint passes on


@dataclass(frozen=True)
class Reply:
    http: int
    body: dict[str, Any]


def _refuse(platform: Platform, reason: str, sender: str, recipient: str, body: bytes, http: int = 422) -> Reply:
    with platform.db.write() as session:
        audit.append(session, at=platform.clock.now(), action="exchange_refused",
                     payload={"from": sender[:20], "to": recipient[:20], "reason": reason, "size": len(body),
                              "package_sha256": hashlib.sha256(body).hexdigest()})
    return Reply(http, {"status": "02", "description": reason, "error": reason})


def package_limit(settings: Settings) -> int:
    """The largest package received: its files in base64 (4/3 of the largest upload, so a file
    any clerk may upload may come in a package too) and the XML around them."""
    return settings.max_upload_bytes * 4 // 3 + PACKAGE_ROOM


def _parties(platform: Platform, recipient: str, sender: str) -> tuple[int, Partner] | str:
    with platform.db.read() as session:
        agency_id = session.scalar(select(Agency.id).where(Agency.identifier_code == recipient))
        if agency_id is None:
            return f"Không có cơ quan nhận mã {recipient} tại hệ thống này."
        partner = directory.for_organ(session, agency_id, sender)
        if partner is None:
            return f"Cơ quan gửi mã {sender} chưa có trong danh bạ liên thông của cơ quan nhận."
        session.expunge(partner)
        return agency_id, partner


def receive_http(platform: Platform, headers: Mapping[str, str], body: bytes, parse: Parse) -> Reply:
    """A package POSTed by a partner installation, with the HMAC headers of exchange.transport.auth."""
    sender, recipient = headers.get(auth.FROM, ""), headers.get(auth.TO, "")
    # 401: who is sending is not established (yet: a directory entry or a secret may be added),
    # so the sender's outbox tries again; a refusal of the package itself is final (422).
    found = _parties(platform, recipient, sender)
    if isinstance(found, str):
        return _refuse(platform, found, sender, recipient, body, 401)
    agency_id, partner = found
    secret = directory.secret(partner, platform.settings.pki_dir)
    problem = "chưa cấu hình khóa bí mật dùng chung" if secret is None else \
        auth.verify(secret, headers, body, time.time())
    if problem is not None:
        return _refuse(platform, f"Xác thực cơ quan gửi không thành công: {problem}.", sender, recipient, body, 401)
    return receive(platform, agency_id, partner, recipient, body, parse)


def receive(platform: Platform, agency_id: int, partner: Partner, recipient: str, body: bytes,
            parse: Parse) -> Reply:
    """A package from ``partner`` (authenticated by the transport) for our agency ``recipient``."""
    sender = partner.organ_id
    try:
        parsed = parse(body, partner.certificate_pem, package_limit(platform.settings))
        if parsed.sender_organ != sender:
            raise Refused(f"Gói tin ghi cơ quan gửi {parsed.sender_organ}, không phải {sender}.")
        if isinstance(parsed, StatusIn):
            return _status(platform, agency_id, parsed)
        if recipient not in parsed.recipients:
            raise Refused(f"Gói tin không gửi đến cơ quan mã {recipient}.")
        return _document(platform, agency_id, partner, parsed, body)
    except Refused as err:
        return _refuse(platform, err.reason, sender, recipient, body)


def _status(platform: Platform, agency_id: int, status: StatusIn) -> Reply:
    try:
        with platform.db.write() as session:
            statuses.record(session, agency_id, status, platform.clock.now())
    except DomainError as err:
        raise Refused(err.message) from None
    return Reply(200, {"status": "ok", "document_id": status.document_id, "code": status.code})


def _store(platform: Platform, incoming: Incoming) -> tuple[list[Stored], intake.Check | None]:
    store = FileStore(platform.settings.files_dir)
    stored = []
    for f in incoming.files:
        try:
            kept = pdf_check.store_upload(store, f.filename, io.BytesIO(f.data), platform.settings.max_upload_bytes)
        except DomainError as err:
            raise Refused(f"Tệp đính kèm '{f.filename}' bị từ chối: {err.message}") from None
        stored.append(Stored(f.role, kept.filename, kept.sha256, kept.size, kept.pages))
    main = next((s for s in stored if s.role == "main"), None)
    if main is None:
        return stored, None
    keys = signatures.Keys(platform.settings.pki_dir, tuple(platform.settings.trust_roots))
    return stored, intake.check_file(store, keys, main.sha256, platform.clock.now())


def _document(platform: Platform, agency_id: int, partner: Partner, incoming: Incoming, body: bytes) -> Reply:
    digest = incoming.digest or hashlib.sha256(body).hexdigest()
    with platform.db.read() as session:
        earlier = importing.known(session, agency_id, incoming, digest)
    if earlier is not None:
        return Reply(200, earlier.as_json())
    files, check = _store(platform, incoming)
    with platform.db.write() as session:
        answer: Answer = importing.apply(session, agency_id, session.merge(partner), incoming, digest, files, check,
                                         platform.clock.now())
    return Reply(200 if answer.duplicate else 201, answer.as_json())


